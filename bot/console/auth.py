"""The staff token check of the console's API."""

from __future__ import annotations

from typing import Awaitable, Callable, Text

from aiohttp import web

from bot.console.errors import error_response
from knowledge.core.tokens import bearer, same_secret

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def require_token(token: Text) -> Callable:
    """Middleware: every /api/ request must carry `Authorization: Bearer <token>`."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/") and not same_secret(
            bearer(request.headers.get("Authorization", "")), token
        ):
            return error_response(401, "需要有效的工作人员令牌（Authorization: Bearer …）")
        return await handler(request)

    return middleware
