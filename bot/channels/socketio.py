"""The Socket.IO channel of the web widget, with conversations the server issues.

Rasa's SocketIOInput takes the `session_id` a client sends as the sender id, never checking
that the server issued it: whoever knows one joins its room and reads or writes that
conversation. Here `session_request` answers `session_confirm` with a session token
`<nonce>.<signature>` signed with SESSION_SECRET; the conversation is `web-<nonce>`. A
client that sends a token back (after a reload or a reconnect) gets its conversation again
only when the signature holds, with its history (event `history`); anything else starts a
new one. Messages go to the conversation bound to the socket, whatever `session_id` they
carry. Pages of other origins than the browser origins (ALLOWED_ORIGINS, the console's, the
server's own) cannot connect. Risk alerts published to the conversation's subscriptions are
given when it comes back and after each reply.

For the widget (`bot/console/static/widget.js`): bot messages say who wrote them (`from`:
bot or staff) and what they mean for a handoff (`handoff`); a user message may carry a
client `message_id`, and one already taken in this conversation is acknowledged without a
second turn (a widget resends what it sent while the connection dropped). The
acknowledgement comes when the turn has ended.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.alerts import waiting_messages
from bot.channels.guard import Gate, Refusal, client_address, message_text
from bot.transcript import author, buttons_of, handoff_state, messages
from knowledge.core import settings as settings_module
from knowledge.core.db import make_engine
from knowledge.core.settings import Settings
from knowledge.core.tokens import with_secrets

logger = logging.getLogger(__name__)

SENDER_PREFIX = "web-"
NO_SESSION = "会话尚未建立，请刷新页面后再试。"
MESSAGE_IDS_KEPT = 20000  # client message ids remembered (per process) to drop resent ones
MAX_MESSAGE_ID_CHARS = 64
HISTORY_MESSAGES = 200


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


class WidgetOutput(SocketIOOutput):
    """Rasa's socketio output, one event per message (line breaks kept), saying who wrote it
    and what it means for a handoff."""

    async def _emit(self, recipient_id: Text, text: Text, buttons: Any, metadata: Dict[Text, Any]) -> None:
        message: Dict[Text, Any] = {"text": text, "from": author(metadata)}
        if buttons:
            message["quick_replies"] = buttons_of(buttons)
        state = handoff_state(metadata)
        if state:
            message["handoff"] = state
        await self._send_message(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._emit(recipient_id, text, None, kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._emit(recipient_id, text, buttons, kwargs)


class MessageIds:
    """The client message ids taken lately, per conversation (this process's)."""

    def __init__(self, kept: int = MESSAGE_IDS_KEPT) -> None:
        self.kept = kept
        self.seen: "OrderedDict[Tuple[Text, Text], None]" = OrderedDict()

    def first_time(self, conversation: Text, message_id: Any) -> bool:
        """False for an id this conversation sent before; anything that is no id is new."""
        if not isinstance(message_id, str) or not message_id or len(message_id) > MAX_MESSAGE_ID_CHARS:
            return True
        key = (conversation, message_id)
        if key in self.seen:
            return False
        self.seen[key] = None
        if len(self.seen) > self.kept:
            self.seen.popitem(last=False)
        return True


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
        self.message_ids = MessageIds()
        self.agent: Any = None  # Rasa's agent, read from the app on the first connect

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For messages from outside a turn (staff replies): the widget's output."""
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def origin_allowed(self, environ: Dict[Text, Any]) -> bool:
        """No Origin (not a browser), the server's own, or a browser origin (ALLOWED_ORIGINS
        and the console's)."""
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return True
        return origin.rstrip("/") in self.settings.browser_origins or same_origin(origin, environ.get("HTTP_HOST", ""))

    async def history(self, conversation: Text) -> List[Dict[Text, Any]]:
        """The conversation's last messages as the widget shows them ([] for a new one)."""
        if self.agent is None:
            return []
        try:
            tracker = await self.agent.tracker_store.retrieve(conversation)
        except Exception:  # the tracker store is down: the widget starts empty, the turn works or says so
            logger.exception("socketio: could not read the history of %s", conversation)
            return []
        if tracker is None:
            return []
        shown = messages({"events": [event.as_dict() for event in tracker.events]})[-HISTORY_MESSAGES:]
        return [{k: v for k, v in m.items() if k != "at"} for m in shown]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS headers for polling come from Rasa's app (the browser origins); the origin of a
        # websocket, which no browser checks, is checked on connect.
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=self.settings.max_body_bytes
        )
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        output = WidgetOutput(sio, self.bot_message_evt)

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
            request = environ["sanic.request"]
            self.addresses[sid] = client_address(request)
            self.agent = self.agent or getattr(request.app.ctx, "agent", None)
            return True

        @sio.on("disconnect")
        async def disconnect(sid: Text) -> None:
            self.sockets.pop(sid, None)
            self.addresses.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            conversation = conversation_of(token, self.settings.session_secret)
            returning = conversation is not None
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
            if returning:
                await sio.emit("history", {"messages": await self.history(conversation)}, room=sid)
            await give_alerts(conversation)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any) -> Dict[Text, Any]:
            """The turn of a message; the acknowledgement says whether it was taken."""
            bound = self.sockets.get(sid)
            if bound is None:
                await sio.emit(self.bot_message_evt, {"text": NO_SESSION}, room=sid)
                return {"taken": False, "error": NO_SESSION}
            conversation, address = bound
            try:
                if not isinstance(data, dict):
                    raise Refusal(400, NO_SESSION)
                text = message_text(data.get("message"), self.settings.max_message_chars)
                self.gate.admit(conversation, address)
                if not self.message_ids.first_time(conversation, data.get("message_id")):
                    return {"taken": True, "duplicate": True}
            except Refusal as refusal:
                await sio.emit(self.bot_message_evt, {"text": refusal.message}, room=sid)
                return {"taken": False, "error": refusal.message}
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
            return {"taken": True}

        return webhook
