"""A local stand-in for WeChat's servers, which cannot be reached from here: its API (access
tokens, customer-service, template and menu calls, recorded) and its side of the webhook
(signed, optionally encrypted messages, as WeChat sends them)."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

import requests
from wechatpy.crypto import WeChatCrypto

from knowledge.core.settings import Settings

ALERT_TEMPLATE = "alert-template-e2e"
TOKEN = "e2e-wechat-token"
APP_ID = "wx49f0ab532d5d035a"
APP_SECRET = "e2e-wechat-secret"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
ACCOUNT = "gh_tongchuan"


def account_settings(settings: Settings, api: "FakeWeChatApi", **changes) -> Settings:
    """`settings` for the account this module stands in for, with its API at `api`."""
    return replace(
        settings,
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_app_secret=APP_SECRET,
        wechat_api_url=api.url,
        **changes,
    )


class FakeWeChatApi:
    """WeChat's API on a local port: issues tokens, refuses the ones it revoked (40001),
    messages to users outside the 48-hour window (45015) and template messages to users who
    do not follow the account (43004), and records what it was sent."""

    def __init__(self) -> None:
        self.issued: List[str] = []
        self.revoked: set = set()
        self.sent: List[Dict] = []
        self.templates: List[Dict] = []
        self.menus: List[Dict] = []
        self.outside_window: set = set()
        self.unfollowed: set = set()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, body: Dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path == "/cgi-bin/token" and query.get("secret") == [APP_SECRET]:
                    token = f"token-{len(api.issued) + 1}"
                    api.issued.append(token)
                    self.answer({"access_token": token, "expires_in": 7200})
                else:
                    self.answer({"errcode": 40125, "errmsg": "invalid appsecret"})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                token = parse_qs(url.query).get("access_token", [""])[0]
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if token not in api.issued or token in api.revoked:
                    self.answer({"errcode": 40001, "errmsg": "invalid credential"})
                elif url.path == "/cgi-bin/message/custom/send":
                    if body.get("touser") in api.outside_window:
                        self.answer({"errcode": 45015, "errmsg": "response out of time limit"})
                        return
                    api.sent.append(body)
                    self.answer({"errcode": 0, "errmsg": "ok"})
                elif url.path == "/cgi-bin/message/template/send":
                    if body.get("touser") in api.unfollowed:
                        self.answer({"errcode": 43004, "errmsg": "require subscribe"})
                        return
                    api.templates.append(body)
                    self.answer({"errcode": 0, "errmsg": "ok", "msgid": len(api.templates)})
                elif url.path == "/cgi-bin/menu/create":
                    api.menus.append(body)
                    self.answer({"errcode": 0, "errmsg": "ok"})
                else:
                    self.answer({"errcode": 404, "errmsg": "unknown api"})

            def log_message(self, *args) -> None:
                """Quiet: the tests read what was recorded."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts_to(self, open_id: str) -> List[str]:
        return [m["text"]["content"] for m in self.sent if m.get("touser") == open_id]

    def wait_for_text(self, open_id: str, predicate, timeout: float = 30) -> List[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.texts_to(open_id)
            if any(predicate(t) for t in texts):
                return texts
            time.sleep(0.2)
        return self.texts_to(open_id)

    def templates_to(self, open_id: str, timeout: float = 0) -> List[Dict]:
        """The template messages sent to `open_id`, waiting up to `timeout` for a first one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(t["touser"] == open_id for t in self.templates):
            time.sleep(0.2)
        return [t for t in self.templates if t["touser"] == open_id]

    def close(self) -> None:
        self.server.shutdown()


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class WeChatUser:
    """A follower writing to the account: signed POSTs as WeChat makes them, plaintext or in
    safe mode (encrypted, with the message signature)."""

    def __init__(self, webhook: str, safe: bool = False, open_id: Optional[str] = None) -> None:
        self.webhook = webhook
        self.safe = safe
        self.open_id = open_id or f"o{uuid.uuid4().hex[:20]}"
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        self.next_id = secrets.randbelow(2**62)  # WeChat's MsgIds are 64-bit

    def xml(self, kind: str, fields: str, msg_id: Optional[int] = None) -> str:
        identity = f"<MsgId>{msg_id}</MsgId>" if msg_id else ""
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{self.open_id}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
            f"{fields}{identity}</xml>"
        )

    def text_xml(self, content: str, msg_id: Optional[int] = None) -> str:
        if msg_id is None:
            self.next_id += 1
            msg_id = self.next_id
        return self.xml("text", f"<Content><![CDATA[{content}]]></Content>", msg_id)

    def post(
        self, xml: str, timestamp: Optional[int] = None, nonce: Optional[str] = None, **overrides
    ) -> requests.Response:
        timestamp_text = str(timestamp or int(time.time()))
        nonce = nonce or uuid.uuid4().hex[:10]
        query = {"timestamp": timestamp_text, "nonce": nonce, "openid": self.open_id}
        query["signature"] = signature(TOKEN, timestamp_text, nonce)
        body = xml
        if self.safe:
            envelope = ElementTree.fromstring(self.crypto.encrypt_message(xml, nonce, timestamp_text))
            encrypted = envelope.findtext("Encrypt") or ""
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
            query.update(encrypt_type="aes", msg_signature=signature(TOKEN, timestamp_text, nonce, encrypted))
        query.update(overrides)
        return requests.post(self.webhook, params=query, data=body.encode(), timeout=30)

    def say(self, content: str, **kwargs) -> requests.Response:
        return self.post(self.text_xml(content), **kwargs)

    def reply_text(self, response: requests.Response, nonce: Optional[str] = None) -> str:
        """The text of a passive reply ('' for success), decrypted in safe mode."""
        if response.text in ("", "success"):
            return ""
        body = response.text
        if self.safe:
            root = ElementTree.fromstring(body)
            body = self.crypto.decrypt_message(
                body, root.findtext("MsgSignature"), root.findtext("TimeStamp"), root.findtext("Nonce")
            )
        return ElementTree.fromstring(body).findtext("Content") or ""
