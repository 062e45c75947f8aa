"""The REST channel for integrations: POST /webhooks/rest/webhook {"sender", "message"}.

Rasa's own RestInput takes any body: a missing sender becomes the shared conversation
`default`, a non-string message or a lone surrogate vanishes with 200 and `[]`, a JSON array
crashes it, and a client may name another channel. This one refuses all of that with a 4xx
and a JSON error, and needs the channel token (`Authorization: Bearer <CHANNEL_TOKEN>`)
except from loopback in local mode (PUBLIC_MODE=0), where tests and local tools use it. Its
clients are trusted integrations, so it has no turn limits (the public channels have).
Risk alerts published to the sender since their last message follow the reply.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.alerts import waiting_messages
from bot.channels.guard import Refusal, client_address, is_loopback, message_text, sender_id
from knowledge.core import settings as settings_module
from knowledge.core.db import make_engine
from knowledge.core.settings import Settings
from knowledge.core.tokens import bearer, same_secret, with_secrets

logger = logging.getLogger(__name__)


def refusal_response(refusal: Refusal) -> HTTPResponse:
    headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else None
    return response.json({"error": refusal.message}, status=refusal.status, headers=headers)


class RestInput(InputChannel):
    """Rasa's `rest` channel, checked (see the module's description)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(with_secrets(settings_module.load()))

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)

    def authorised(self, request: Request) -> bool:
        """The client carries the channel token."""
        return same_secret(bearer(request.headers.get("Authorization", "")), self.settings.channel_token)

    def read(self, request: Request) -> UserMessage:
        """The user message of a request; a Refusal for anything else."""
        trusted = self.authorised(request)
        address = client_address(request)
        if not trusted and (self.settings.public_mode or not is_loopback(address)):
            raise Refusal(401, "需要有效的渠道令牌（Authorization: Bearer …）")
        try:
            body = request.json
        except Exception:  # Sanic's InvalidUsage for a body that is no JSON
            body = None
        if not isinstance(body, dict):
            raise Refusal(400, '请求体必须是 JSON 对象：{"sender": "...", "message": "..."}')
        sender = sender_id(body.get("sender"))
        text = message_text(body.get("message"), self.settings.max_message_chars)
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise Refusal(400, "metadata 必须是 JSON 对象")
        return UserMessage(text, CollectingOutputChannel(), sender, input_channel=self.name(), metadata=metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("project_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = self.read(request)
            except Refusal as refusal:
                return refusal_response(refusal)
            collector = message.output_channel
            assert isinstance(collector, CollectingOutputChannel)
            waiting = await waiting_messages(self.engine, self.name(), message.sender_id)
            try:
                await on_new_message(message)
            except Exception:  # as Rasa's channel: what was said so far is answered
                logger.exception("rest: the turn of %s failed", message.sender_id)
            alerts = [{"recipient_id": message.sender_id, "text": text} for text in waiting]
            return response.json(collector.messages + alerts)

        return webhook
