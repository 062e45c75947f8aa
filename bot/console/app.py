"""The console's aiohttp application: routes, the staff-token check, errors as JSON, and what
it owns (database engine, HTTP session to Rasa, the loops that retry staff notifications
and push risk alerts)."""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, AsyncIterator, Callable, Text

import aiohttp
from aiohttp import web

from bot.channels import alerts as channel_alerts
from bot.console import pages, views
from bot.console.auth import require_token
from bot.console.errors import json_errors
from bot.console.keys import ENGINE, RASA, SETTINGS
from bot.console.rasa_client import RasaClient
from knowledge.core.db import make_engine
from knowledge.core.settings import Settings
from knowledge.records import alerts, notifications

logger = logging.getLogger(__name__)

NOTIFY_EVERY_S = 5
PUSH_EVERY_S = 5


def make_app(settings: Settings) -> web.Application:
    """The console for `settings` (its secrets filled in: `tokens.with_secrets`); its database
    must have been prepared (`python -m bot init-db`)."""
    app = web.Application(
        middlewares=[json_errors, require_token(settings.staff_token)], client_max_size=settings.max_body_bytes
    )
    app[SETTINGS] = settings
    app.cleanup_ctx.extend([database, rasa_session, notification_retries, alert_pushes])
    app.add_routes(
        [
            web.get("/health", views.health),
            web.get("/", pages.demo),
            web.get("/widget.js", pages.widget),
            web.get("/vendor/socket.io.min.js", pages.socketio_client),
            web.get("/api/handoffs", views.list_handoffs),
            web.get("/api/handoffs/{handoff_id}", views.show_handoff),
            web.post("/api/handoffs/{handoff_id}/reply", views.reply),
            web.post("/api/handoffs/{handoff_id}/close", views.close_handoff),
            web.post("/api/handoffs/{handoff_id}/hand-back", views.hand_back),
            web.get("/api/reports", views.list_reports),
            web.get("/api/reports/{report_id}", views.show_report),
            web.post("/api/reports/{report_id}/status", views.set_report_status),
            web.get("/api/notifications", views.pending_notifications),
            web.post("/api/alerts/{alert_id}/publish", views.publish_alert),
            web.get("/api/alerts/{alert_id}/deliveries", views.alert_deliveries),
        ]
    )
    return app


async def database(app: web.Application) -> AsyncIterator[None]:
    app[ENGINE] = make_engine(app[SETTINGS].database_url)
    yield
    app[ENGINE].dispose()


async def rasa_session(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as session:
        app[RASA] = RasaClient(session, app[SETTINGS].rasa_url, app[SETTINGS].rasa_token)
        yield


async def every(seconds: float, what: Text, work: Callable[[], Any]) -> None:
    """Runs the blocking `work()` in a worker thread every `seconds`, for ever."""
    while True:
        try:
            await asyncio.get_running_loop().run_in_executor(None, work)
        except Exception:  # the loop must outlive a database hiccup
            logger.exception("%s round failed", what)
        await asyncio.sleep(seconds)


async def notification_retries(app: web.Application) -> AsyncIterator[None]:
    """Sends due urgent-report notifications (first attempts the action server missed, and
    retries) every few seconds."""
    url = app[SETTINGS].staff_webhook_url
    if not url:
        logger.warning("STAFF_WEBHOOK_URL is not set: urgent reports wait in the queue without notification")
    task = asyncio.create_task(
        every(NOTIFY_EVERY_S, "notification retry", functools.partial(notifications.deliver_due, app[ENGINE], url))
    )
    yield
    task.cancel()


async def alert_pushes(app: web.Application) -> AsyncIterator[None]:
    """Pushes published risk alerts to WeChat followers by template message every few
    seconds, when the account has an alert template (without one, alerts wait for each
    subscriber's next message)."""
    settings = app[SETTINGS]
    if not channel_alerts.pushed_channels(settings):
        yield
        return
    send = channel_alerts.wechat_push(settings, app[ENGINE])
    push = functools.partial(alerts.push_due, app[ENGINE], channel_alerts.WECHAT, send)
    task = asyncio.create_task(every(PUSH_EVERY_S, "alert push", push))
    yield
    task.cancel()
