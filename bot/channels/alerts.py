"""Risk alerts as the channels give them: publishing one of the library's, the message a
subscriber finds with their next message on any channel, and the WeChat template push
(`wechat_alert_template.yml`)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Text

import yaml
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.wechat_api import NOT_FOLLOWING, WeChatApi, WeChatApiError
from knowledge.core.errors import NotFound
from knowledge.core.settings import Settings
from knowledge.library.models import RiskAlert
from knowledge.records import alerts
from knowledge.records.models import AlertPublication

logger = logging.getLogger(__name__)

TEMPLATE_FILE = Path(__file__).with_name("wechat_alert_template.yml")
THING_CHARS = 20
SUMMARY_CHARS = 60
FIELDS = ("title", "level", "market", "date", "summary")
WECHAT, WECHAT_PREFIX = "wechat", "wx-"


def market(alert: AlertPublication) -> Text:
    return "、".join(part for part in (alert.country or "各国市场", alert.industry) if part)


def message(alert: AlertPublication) -> Text:
    """The alert as a subscriber reads it in the conversation."""
    return (
        f"【风险预警·{alert.level}】{alert.title}\n"
        f"（{market(alert)}，{alert.date:%Y年%m月%d日}）\n"
        f"{alert.text}\n"
        f"来源：{alert.source}\n"
        "您订阅了这类预警；回复“退订预警”可停止接收。"
    )


async def waiting_messages(engine: Optional[Engine], channel: Text, sender_id: Text) -> List[Text]:
    """The alerts published to this subscriber since their last message, taken: a failure
    here is logged and leaves them for the next message, never stops the turn."""
    if engine is None:
        return []
    try:
        found = await asyncio.get_running_loop().run_in_executor(None, alerts.take_waiting, engine, channel, sender_id)
    except Exception:  # the database is down: the user's turn goes on, the alerts wait
        logger.exception("could not read the alerts waiting for %s", sender_id)
        return []
    return [message(alert) for alert in found]


def load_template(path: Path = TEMPLATE_FILE) -> Dict[Text, Text]:
    """Template keyword → alert field; a field this module cannot fill is refused."""
    with path.open(encoding="utf-8") as file:
        data = (yaml.safe_load(file) or {}).get("data") or {}
    unknown = sorted(set(data.values()) - set(FIELDS))
    if unknown:
        raise ValueError(f"{path.name}: unknown alert fields {unknown}; expected some of {list(FIELDS)}")
    return dict(data)


def _cut(text: Text, limit: int) -> Text:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def template_data(alert: AlertPublication, template: Dict[Text, Text]) -> Dict[Text, Any]:
    """The `data` of the template message for `alert`."""
    values = {
        "title": alert.title,
        "level": alert.level,
        "market": market(alert),
        "date": f"{alert.date:%Y年%m月%d日}",
        "summary": _cut(alert.text.split("\n")[0], SUMMARY_CHARS),
    }
    return {
        key: {"value": _cut(values[name], THING_CHARS) if key.startswith("thing") else values[name]}
        for key, name in template.items()
    }


def pushed_channels(settings: Settings) -> Set[Text]:
    """The channels whose subscribers get a published alert pushed (not only on their next
    message): WeChat, when the account has an alert template."""
    return {WECHAT} if settings.wechat_alert_template_id else set()


def publish(engine: Engine, alert_id: Text, channels_pushed: Set[Text]) -> alerts.Published:
    """Publishes the library's alert `alert_id` to its subscribers (NotFound if there is
    none); those on `channels_pushed` (`pushed_channels`) are queued for a push."""
    with Session(engine) as session:
        found = session.get(RiskAlert, alert_id)
        if found is None:
            raise NotFound("alert", alert_id)
        fields = ("id", "title", "level", "country", "industry", "date", "text")
        content = alerts.AlertContent(**{name: getattr(found, name) for name in fields}, source=found.source.title)
    return alerts.publish(engine, content, channels_pushed)


def wechat_push(settings: Settings, engine: Engine) -> Callable[[Text, AlertPublication], None]:
    """`send(sender_id, alert)` for `alerts.push_due`: a template message to the follower."""
    api = WeChatApi(settings, engine)
    template = load_template()

    def send(sender_id: Text, alert: AlertPublication) -> None:
        open_id = sender_id[len(WECHAT_PREFIX) :] if sender_id.startswith(WECHAT_PREFIX) else sender_id
        try:
            api.send_template(open_id, settings.wechat_alert_template_id, template_data(alert, template))
        except WeChatApiError as error:
            if error.errcode in NOT_FOLLOWING:
                raise alerts.Undeliverable(str(error)) from error
            raise

    return send
