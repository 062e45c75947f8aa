"""The WeChat Official Account channel: POST/GET /webhooks/wechat/webhook.

Every request is authenticated before its body is read: the signature over the token,
timestamp and nonce (constant-time), a timestamp within five minutes, and in safe mode the
message signature over the ciphertext; the body is then decrypted (safe mode) and parsed by
wechatpy. A message is taken once (by sender and MsgId; an event by sender, time and event), in the
database every instance shares: a retry gets the reply the first got, and a nonce that came
with another message is a replay (403). The conversation is `wx-<OpenID>`.

WeChat waits 5 seconds for a reply and then retries. A turn that ends within
WECHAT_PASSIVE_WITHIN_S (4 s) is answered passively; a longer one, or a reply of several
parts, is answered `success` at once and delivered through the customer-service API. An
account without that API (WECHAT_PASSIVE_ONLY=1) says it is working on it and hands the
reply over on the user's next message. Buttons become numbered options; "1"…"9" picks one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import xmltodict
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.channels.alerts import waiting_messages
from bot.channels.guard import Gate, Refusal, message_text
from bot.channels.wechat_api import OUTSIDE_WINDOW, WeChatApi, WeChatApiError
from bot.channels.wechat_menu import click_payloads
from bot.channels.wechat_replies import WeChatReply, as_wechat, chosen, split, text_xml
from knowledge.core import settings as settings_module
from knowledge.core.db import make_engine
from knowledge.core.settings import Settings
from knowledge.core.tokens import same_secret, with_secrets
from knowledge.records import subscriptions
from knowledge.records import wechat as records

logger = logging.getLogger(__name__)

SENDER_PREFIX = "wx-"
FRESH_WITHIN_S = 300
PRUNE_EVERY_S = 3600  # delivered messages older than a day are dropped this often
SUCCESS = "success"
WORKING = "正在处理，请稍后回复任意内容查看结果。"
MORE_HELD = "（内容较长，回复任意内容查看后续。）"
ASK_FOR_TEXT = "抱歉，我没有听清这条语音。请直接发文字，例如“在美国被起诉了怎么办”。"
TEXT_ONLY = "目前我只能读文字和语音。请用文字描述您的问题；文件、图片请在转人工后按工作人员的指引提交。"
WELCOME = "/greet"


def signature_of(*parts: Text) -> Text:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def delivery_key(message: Any) -> Text:
    """A message's sender and MsgId; an event's sender, time, event and key."""
    if getattr(message, "id", 0):
        return f"msg:{message.source}:{message.id}"
    event, key = getattr(message, "event", message.type), getattr(message, "key", "")
    return f"event:{message.source}:{message.create_time}:{event}:{key}"


class WeChatOutput(OutputChannel):
    """Messages the assistant sends a WeChat user outside a passive reply (staff replies,
    replies of long turns): customer-service messages, or held for the user's next message
    when WeChat refuses them (48 hours since they last wrote, or no such API)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, channel: "WeChatInput") -> None:
        self.channel = channel

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.channel.deliver(recipient_id, as_wechat([{"text": text}]))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.channel.deliver(recipient_id, as_wechat([{"text": text, "buttons": buttons}]))


class WeChatInput(InputChannel):
    """The WeChat channel (see the module's description). Off when WECHAT_TOKEN is empty."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(with_secrets(settings_module.load()))

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url) if settings.wechat_token else None
        self.crypto = (
            WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)
            if settings.wechat_aes_key
            else None
        )
        self.api = WeChatApi(settings, self.engine) if self.engine and not settings.wechat_passive_only else None
        self.gate = Gate(settings)
        self.menu = click_payloads()
        self.deliveries: set = set()
        self.pruned_at = 0.0

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WeChatOutput(self) if self.engine is not None else None

    async def blocking(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    # -- authentication ---------------------------------------------------------------------

    def signed(self, request: Request) -> bool:
        """The request's signature holds and its timestamp is fresh."""
        timestamp, nonce = request.args.get("timestamp", ""), request.args.get("nonce", "")
        expected = signature_of(self.settings.wechat_token, timestamp, nonce)
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > FRESH_WITHIN_S:
            return False
        return same_secret(request.args.get("signature", ""), expected)

    def message_xml(self, request: Request) -> Optional[Text]:
        """The message's XML (decrypted in safe mode), or None when it cannot be trusted."""
        body = request.body.decode("utf-8", "replace")
        if request.args.get("encrypt_type") != "aes":
            return None if self.crypto is not None else body  # a safe-mode account takes only ciphertext
        if self.crypto is None:
            return None
        timestamp, nonce = request.args.get("timestamp", ""), request.args.get("nonce", "")
        try:
            envelope = xmltodict.parse(body)["xml"]
            encrypted = envelope["Encrypt"]
        except Exception:  # no XML, or no ciphertext in it
            return None
        # wechatpy compares the message signature with `!=`: it is compared here first.
        expected = signature_of(self.settings.wechat_token, timestamp, nonce, encrypted)
        if not same_secret(request.args.get("msg_signature", ""), expected):
            return None
        try:
            return self.crypto.decrypt_message(envelope, expected, timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException):
            return None
        except Exception:  # a ciphertext that decrypts to nothing WeChat would send
            return None

    def passive(self, request: Request, to_user: Text, from_user: Text, content: Text) -> Text:
        """A passive text reply, encrypted and signed in safe mode."""
        xml = text_xml(to_user, from_user, content)
        if request.args.get("encrypt_type") == "aes" and self.crypto is not None:
            return self.crypto.encrypt_message(xml, request.args.get("nonce"), request.args.get("timestamp"))
        return xml

    # -- the turn ---------------------------------------------------------------------------

    async def text_of(self, message: Any) -> Optional[Text]:
        """What the user said, as the assistant reads it; None for what is no turn."""
        if message.type == "text":
            return message.content
        if message.type == "voice":
            return getattr(message, "recognition", None) or None
        if message.type == "event":
            event = (message.event or "").lower()
            if event == "subscribe":
                return WELCOME
            if event == "unsubscribe":
                removed = await self.blocking(
                    subscriptions.unsubscribe, self.engine, self.name(), SENDER_PREFIX + message.source, [], []
                )
                logger.info("wechat: %s unfollowed; %d alert subscriptions removed", message.source, len(removed))
                return None
            if event == "click":
                return self.menu.get(message.key)
        return None

    def refusal_text(self, message: Any) -> Optional[Text]:
        """The passive answer to a message that is no turn, or None for silence."""
        if message.type == "voice":
            return ASK_FOR_TEXT
        if message.type in ("image", "video", "shortvideo", "location", "link", "file", "unknown"):
            return TEXT_ONLY
        return None

    async def turn(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: Any, text: Text
    ) -> WeChatReply:
        """Runs the user's turn; the reply, with any parts held for them before."""
        open_id = message.source
        options = await self.blocking(records.options_of, self.engine, open_id)
        text = chosen(text, options) or text
        collector = CollectingOutputChannel()
        metadata = {"wechat": {"msg_type": message.type, "msg_id": message.id}}
        try:
            await on_new_message(
                UserMessage(text, collector, SENDER_PREFIX + open_id, input_channel=self.name(), metadata=metadata)
            )
        except Exception:  # as Rasa's own channels: what was said so far is the reply
            logger.exception("wechat: the turn of %s failed", open_id)
        reply = as_wechat(collector.messages)
        await self.blocking(records.seen, self.engine, open_id, reply.options)
        return reply

    async def deliver(self, recipient_id: Text, reply: WeChatReply) -> None:
        """Sends reply parts through the customer-service API, in order; what WeChat refuses
        (or every part, without the API) is held for the user's next message."""
        open_id = recipient_id.removeprefix(SENDER_PREFIX)
        if reply.options:
            await self.blocking(records.seen, self.engine, open_id, reply.options)
        for index, part in enumerate(reply.parts):
            try:
                if self.api is None:
                    raise WeChatApiError("no customer-service API (WECHAT_PASSIVE_ONLY)")
                await self.blocking(self.api.send_text, open_id, part)
            except WeChatApiError as error:
                if error.errcode == OUTSIDE_WINDOW:
                    logger.warning("wechat: %s wrote over 48 hours ago; holding the reply", open_id)
                else:
                    logger.warning("wechat: could not send to %s (%s); holding the reply", open_id, error)
                await self.blocking(records.hold, self.engine, open_id, reply.parts[index:])
                return

    def later(self, work: Awaitable[Any]) -> None:
        """Runs `work` after the answer to WeChat, keeping a reference until it ends."""
        task = asyncio.ensure_future(work)
        self.deliveries.add(task)
        task.add_done_callback(self.deliveries.discard)

    async def answer(
        self, request: Request, message: Any, key: Text, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Text:
        """The body of the answer to a new message (and what its retries will get)."""
        open_id, account = message.source, message.target
        text = await self.text_of(message)
        if text is None:
            refusal = self.refusal_text(message)
            return self.passive(request, open_id, account, refusal) if refusal else SUCCESS
        try:
            self.gate.admit(SENDER_PREFIX + open_id, None)
            text = message_text(text, self.settings.max_message_chars)
        except Refusal as refusal:
            return self.passive(request, open_id, account, refusal.message)
        held = await self.blocking(records.take_held, self.engine, open_id)
        waiting = await waiting_messages(self.engine, self.name(), SENDER_PREFIX + open_id)
        alerts = [part for text in waiting for part in split(text)]
        running = asyncio.ensure_future(self.turn(on_new_message, message, text))
        done, _ = await asyncio.wait({running}, timeout=self.settings.wechat_passive_within_s)
        if running in done:
            reply = running.result()
            parts = held + reply.parts + alerts
            if not parts:  # a conversation with a person, who answers through the console
                return SUCCESS
            if len(parts) == 1:
                return self.passive(request, open_id, account, parts[0])
            if self.api is None:  # passive only: the first part now, the rest on the next message
                first, rest = parts[0], parts[1:]
                await self.blocking(records.hold, self.engine, open_id, rest)
                return self.passive(request, open_id, account, split(first + "\n" + MORE_HELD)[0])
            self.later(self.deliver(SENDER_PREFIX + open_id, WeChatReply(parts, reply.options)))
            return SUCCESS

        async def finish() -> None:
            reply = await running
            await self.deliver(SENDER_PREFIX + open_id, WeChatReply(held + reply.parts + alerts, reply.options))

        self.later(finish())
        if self.api is None:
            return self.passive(request, open_id, account, WORKING)
        return SUCCESS

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("project_wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.engine is not None else "off (WECHAT_TOKEN is not set)"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if self.engine is None or not self.signed(request):
                return response.text("forbidden", status=403)
            return response.text(request.args.get("echostr", ""))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.engine is None or not self.signed(request):
                return response.text("forbidden", status=403)
            xml = self.message_xml(request)
            if xml is None:
                return response.text("forbidden", status=403)
            try:
                message = parse_message(xml)
            except Exception:  # not WeChat's XML: nothing to answer
                logger.warning("wechat: a signed body that is no message: %r", xml[:200])
                return response.text(SUCCESS)
            key = delivery_key(message)
            delivery = await self.blocking(records.take_message, self.engine, key, request.args.get("nonce", ""))
            if delivery.kind == records.REPLAY:
                return response.text("forbidden", status=403)
            if delivery.kind == records.RETRY:
                return response.text(delivery.reply or SUCCESS, content_type="application/xml")
            body = await self.answer(request, message, key, on_new_message)
            await self.blocking(records.keep_reply, self.engine, key, body)
            if time.monotonic() - self.pruned_at > PRUNE_EVERY_S:
                self.pruned_at = time.monotonic()
                self.later(self.blocking(records.forget_old_messages, self.engine))
            return response.text(body, content_type="application/xml")

        return webhook
