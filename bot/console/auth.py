"""The staff token: from STAFF_TOKEN, or made once and kept in var/staff-token."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Awaitable, Callable, Text

from aiohttp import web

from bot.console.errors import error_response
from knowledge.core.settings import ROOT, Settings

logger = logging.getLogger(__name__)

TOKEN_FILE = ROOT / "var" / "staff-token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def staff_token(settings: Settings, token_file: Path = TOKEN_FILE) -> Text:
    """The configured token; without one, a random token stored (owner-only) for reuse."""
    if settings.staff_token:
        return settings.staff_token
    if token_file.is_file():
        return token_file.read_text(encoding="utf-8").strip()
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    token_file.write_text(token, encoding="utf-8")
    os.chmod(token_file, 0o600)
    logger.warning("STAFF_TOKEN is not set; generated one in %s", token_file)
    return token


def require_token(token: Text) -> Callable:
    """Middleware: every /api/ request must carry `Authorization: Bearer <token>`."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            given = request.headers.get("Authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), token.encode()):
                return error_response(401, "需要有效的工作人员令牌（Authorization: Bearer …）")
        return await handler(request)

    return middleware
