"""The Socket.IO channel of the web widget, with conversations the server issues.

Rasa's SocketIOInput takes the `session_id` a client sends as the sender id, never checking
that the server issued it: whoever knows one joins its room and reads or writes that
conversation. Here `session_request` answers `session_confirm` with a session token
`<nonce>.<signature>` signed with SESSION_SECRET; the conversation is `web-<nonce>`. A
client that sends a token back (after a reload or a reconnect) gets its conversation again
only when the signature holds; anything else starts a new one. Messages go to the
conversation bound to the socket, whatever `session_id` they carry. Pages of other origins
than ALLOWED_ORIGINS (and the server's own) cannot connect. Risk alerts published to the
conversation's subscriptions are given when it comes back and after each reply.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.alerts import waiting_messages
from bot.channels.guard import Gate, Refusal, client_address, message_text
from knowledge.core import settings as settings_module
from knowledge.core.db import make_engine
from knowledge.core.settings import Settings
from knowledge.core.tokens import with_secrets

logger = logging.getLogger(__name__)

SENDER_PREFIX = "web-"
NO_SESSION = "会话尚未建立，请刷新页面后再试。"


def issue_token(secret: Text) -> Text:
    """A new session token."""
    return sign(secrets.token_urlsafe(18), secret)


def sign(nonce: Text, secret: Text) -> Text:
    digest = hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).digest()[:18]
    return f"{nonce}.{base64.urlsafe_b64encode(digest).decode()}"


def conversation_of(token: Any, secret: Text) -> Optional[Text]:
    """The conversation of a session token the server issued, else None."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 100:
        return None
    nonce = token.split(".")[0]
    if not nonce or not hmac.compare_digest(sign(nonce, secret), token):
        return None
    return SENDER_PREFIX + nonce


def same_origin(origin: Text, host: Text) -> bool:
    return urlsplit(origin).netloc == host


class WidgetInput(SocketIOInput):
    """Rasa's `socketio` channel, with server-issued conversations (see the module)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            with_secrets(settings_module.load()),
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(self, settings: Settings, user_message_evt: Text, bot_message_evt: Text, socketio_path: Text) -> None:
        super().__init__(user_message_evt, bot_message_evt, None, True, socketio_path)
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.gate = Gate(settings)
        # Socket id → (conversation, client address), for the sockets this process holds.
        self.sockets: Dict[Text, Tuple[Text, Text]] = {}
        self.addresses: Dict[Text, Text] = {}

    def origin_allowed(self, environ: Dict[Text, Any]) -> bool:
        """No Origin (not a browser), the server's own, or one of ALLOWED_ORIGINS."""
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return True
        return origin.rstrip("/") in self.settings.allowed_origins or same_origin(origin, environ.get("HTTP_HOST", ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS headers for polling come from Rasa's app (ALLOWED_ORIGINS); the origin of a
        # websocket, which no browser checks, is checked on connect.
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=self.settings.max_body_bytes
        )
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        output = SocketIOOutput(sio, self.bot_message_evt)

        async def give_alerts(conversation: Text) -> None:
            for text in await waiting_messages(self.engine, self.name(), conversation):
                await sio.emit(self.bot_message_evt, {"text": text}, room=conversation)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: Text, environ: Dict[Text, Any], auth: Optional[Dict] = None) -> bool:
            if not self.origin_allowed(environ):
                logger.warning("socketio: refused a page of %s", environ.get("HTTP_ORIGIN"))
                return False
            # python-engineio's Sanic driver says REMOTE_ADDR 127.0.0.1 for every client.
            self.addresses[sid] = client_address(environ["sanic.request"])
            return True

        @sio.on("disconnect")
        async def disconnect(sid: Text) -> None:
            self.sockets.pop(sid, None)
            self.addresses.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            conversation = conversation_of(token, self.settings.session_secret)
            if conversation is None:
                token = issue_token(self.settings.session_secret)
                conversation = conversation_of(token, self.settings.session_secret)
            assert conversation is not None
            previous = self.sockets.get(sid)
            if previous is not None and previous[0] != conversation:
                sio.leave_room(sid, previous[0])
            self.sockets[sid] = (conversation, self.addresses.get(sid, ""))
            sio.enter_room(sid, conversation)
            await sio.emit("session_confirm", token, room=sid)
            await give_alerts(conversation)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any) -> None:
            bound = self.sockets.get(sid)
            if bound is None:
                await sio.emit(self.bot_message_evt, {"text": NO_SESSION}, room=sid)
                return
            conversation, address = bound
            try:
                if not isinstance(data, dict):
                    raise Refusal(400, NO_SESSION)
                text = message_text(data.get("message"), self.settings.max_message_chars)
                self.gate.admit(conversation, address)
            except Refusal as refusal:
                await sio.emit(self.bot_message_evt, {"text": refusal.message}, room=sid)
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            await on_new_message(UserMessage(text, output, conversation, input_channel=self.name(), metadata=metadata))
            await give_alerts(conversation)

        return webhook
