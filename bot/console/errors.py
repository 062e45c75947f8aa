"""The staff API's errors: always `{"error": "..."}` in JSON, one helper, one middleware."""

from __future__ import annotations

import json
import logging
from typing import Awaitable, Callable, Text

from aiohttp import web

from bot.console.keys import SETTINGS
from knowledge.core.errors import NotFound

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

NOT_FOUND = {
    "report": "没有这个登记编号",
    "handoff": "没有这个转人工记录",
    "alert": "知识库里没有这个预警编号",
    "published alert": "这个预警还没有发布过",
}
# aiohttp's own refusals, said in the API's language.
HTTP_MESSAGES = {404: "没有这个地址", 405: "这个地址不支持该请求方法", 413: "请求体太大（上限 {limit} 字节）"}


class ApiError(Exception):
    """A request the API refuses, with its status and a message for staff."""

    def __init__(self, status: int, message: Text) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: Text) -> web.Response:
    """The one shape of every error answer."""
    body = json.dumps({"error": message}, ensure_ascii=False)
    return web.Response(status=status, text=body, content_type="application/json")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turns refusals, unknown records and aiohttp's own HTTP errors (404 route, 405, 413)
    into JSON; anything else is logged and answered 500 without details."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error.status, error.message)
    except NotFound as error:
        return error_response(404, NOT_FOUND.get(error.what, "没有这条记录"))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        message = HTTP_MESSAGES.get(error.status, error.reason)
        return error_response(error.status, message.format(limit=request.app[SETTINGS].max_body_bytes))
    except Exception:
        logger.exception("%s %s failed", request.method, request.path)
        return error_response(500, "服务器内部错误，请稍后重试")
