"""Staff API handlers: validate the request, call `knowledge/` and Rasa, answer JSON.

Refusals raise `ApiError`, unknown records `NotFound`; `errors.json_errors` answers both.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, Dict, Text, TypeVar

from aiohttp import web

from bot.channels import alerts as channel_alerts
from bot.console.errors import ApiError
from bot.console.keys import ENGINE, RASA, SETTINGS
from bot.console.rasa_client import RasaUnavailable
from bot.transcript import messages
from knowledge.core.errors import NotFound
from knowledge.records import alerts, handoffs, notifications, reports
from knowledge.records.models import CLOSED, HANDOFF_CLOSED, HANDOFF_OPEN, HANDOFF_RETURNED, STATUSES, Handoff

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_REPLY_CHARS = 2000
MAX_ID_DIGITS = 9
STAFF_NAME = "人工服务"
CLOSING_RESPONSES = {HANDOFF_CLOSED: "utter_handoff_closed", HANDOFF_RETURNED: "utter_handed_back"}
NOT_JSON = "请求体必须是 JSON 对象"
RASA_DOWN = "对话服务暂时不可用，请稍后重试"


async def blocking(request: web.Request, function: Callable[..., T], *args: Any) -> T:
    """A database call in a worker thread, so the console keeps serving."""
    call = functools.partial(function, request.app[ENGINE], *args)
    return await asyncio.get_running_loop().run_in_executor(None, call)


async def json_body(request: web.Request) -> Dict[Text, Any]:
    """The request's JSON object (an empty body is an empty object)."""
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, NOT_JSON) from None
    if not isinstance(body, dict):
        raise ApiError(400, NOT_JSON)
    return body


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def list_handoffs(request: web.Request) -> web.Response:
    status = request.query.get("status", HANDOFF_OPEN)
    if status not in (HANDOFF_OPEN, HANDOFF_CLOSED, HANDOFF_RETURNED):
        raise ApiError(400, "status 只能是 open、closed 或 returned")
    found = await blocking(request, handoffs.queue, status)
    return web.json_response({"handoffs": [h.as_dict() for h in found]})


async def _handoff(request: web.Request) -> Handoff:
    raw = request.match_info["handoff_id"]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS):
        raise NotFound("handoff", raw)
    found = await blocking(request, handoffs.get_handoff, int(raw))
    if found is None:
        raise NotFound("handoff", raw)
    return found


async def show_handoff(request: web.Request) -> web.Response:
    """The handoff with the conversation as it is now: every message, and the slots."""
    handoff = await _handoff(request)
    try:
        tracker = await request.app[RASA].tracker(handoff.sender_id)
    except RasaUnavailable as problem:
        logger.error("reading conversation %s: %s", handoff.sender_id, problem)
        return web.json_response(
            {"handoff": handoff.as_dict(), "slots": handoff.slots, "messages": handoff.transcript, "live": False}
        )
    slots = {k: v for k, v in (tracker.get("slots") or {}).items() if v is not None}
    return web.json_response(
        {
            "handoff": handoff.as_dict(),
            "slots": slots,
            "messages": messages(tracker),
            "paused": tracker.get("paused", False),
            "live": True,
        }
    )


async def reply(request: web.Request) -> web.Response:
    handoff = await _handoff(request)
    body = await json_body(request)
    given = body.get("text")
    text = given.strip() if isinstance(given, str) else ""
    if not text or len(text) > MAX_REPLY_CHARS:
        raise ApiError(400, f"text 不能为空，且不超过 {MAX_REPLY_CHARS} 字")
    if handoff.status != HANDOFF_OPEN:
        raise ApiError(409, "该会话已结束人工服务，不能再回复")
    try:
        await request.app[RASA].say(handoff.sender_id, text, STAFF_NAME)
    except RasaUnavailable as problem:
        logger.error("replying to %s: %s", handoff.sender_id, problem)
        raise ApiError(502, "对话服务暂时不可用，回复没有发出，请稍后重试") from None
    return web.json_response({"sent": True})


async def finish(request: web.Request, status: Text) -> web.Response:
    """Resumes the bot (telling the user) and then records the end of the handoff."""
    handoff = await _handoff(request)
    body = await json_body(request)
    if handoff.status != HANDOFF_OPEN:
        raise ApiError(409, f"该记录已是 {handoff.status} 状态")
    try:
        await request.app[RASA].resume(handoff.sender_id, CLOSING_RESPONSES[status])
    except RasaUnavailable as problem:
        logger.error("resuming %s: %s", handoff.sender_id, problem)
        raise ApiError(502, RASA_DOWN) from None
    try:
        done = await blocking(request, handoffs.finish, handoff.id, status, str(body.get("note") or ""))
    except ValueError:  # closed by another request in the meantime
        raise ApiError(409, "该记录已被其他请求结束") from None
    return web.json_response({"handoff": done.as_dict()})


async def close_handoff(request: web.Request) -> web.Response:
    return await finish(request, HANDOFF_CLOSED)


async def hand_back(request: web.Request) -> web.Response:
    return await finish(request, HANDOFF_RETURNED)


async def list_reports(request: web.Request) -> web.Response:
    status = request.query.get("status") or None
    if status is not None and status not in STATUSES:
        raise ApiError(400, f"status 只能是 {'、'.join(STATUSES)}")
    found = await blocking(request, reports.list_reports, status)
    summaries = [{k: v for k, v in r.as_dict().items() if k not in ("history", "description")} for r in found]
    return web.json_response({"reports": summaries})


async def show_report(request: web.Request) -> web.Response:
    report_id = request.match_info["report_id"]
    found = await blocking(request, reports.get_report, report_id)
    if found is None:
        raise NotFound("report", report_id)
    failures = await blocking(request, reports.phone_check_failures, report_id)
    return web.json_response(
        {
            "report": found.as_dict(),
            "transcript": found.transcript,
            "phone_check_failures": [failure.as_dict() for failure in failures],
        }
    )


async def set_report_status(request: web.Request) -> web.Response:
    body = await json_body(request)
    status, result = str(body.get("status") or ""), str(body.get("result") or "")
    if status not in STATUSES:
        raise ApiError(400, f"status 只能是 {'、'.join(STATUSES)}")
    if status == CLOSED and not result.strip():
        raise ApiError(400, "设为已办结时必须填写办理结果（result）")
    report_id = request.match_info["report_id"]
    note = str(body.get("note") or "")
    updated = await blocking(request, reports.update_status, report_id, status, note, result)
    return web.json_response({"report": updated.as_dict()})


async def pending_notifications(request: web.Request) -> web.Response:
    """Urgent-report notifications not delivered yet, with their last error."""
    found = await blocking(request, notifications.pending)
    return web.json_response({"pending": [n.as_dict() for n in found]})


async def publish_alert(request: web.Request) -> web.Response:
    """Publishes a library alert to its subscribers; again, to those who subscribed since."""
    await json_body(request)  # it carries nothing, but a malformed one is refused as everywhere
    alert_id = request.match_info["alert_id"]
    channels = channel_alerts.pushed_channels(request.app[SETTINGS])
    published = await blocking(request, channel_alerts.publish, alert_id, channels)
    return web.json_response(
        {"alert_id": alert_id, "new_subscribers": published.new, "reached_before": published.already}
    )


async def alert_deliveries(request: web.Request) -> web.Response:
    """Who a published alert went to, how, and what failed."""
    found = await blocking(request, alerts.deliveries_of, request.match_info["alert_id"])
    return web.json_response({"deliveries": [d.as_dict() for d in found]})
