"""Notifying the on-duty staff of urgent reports through a webhook, with retries.

The notification is a row written in the report's own transaction (an outbox), so a report
is never saved without it and a failed delivery is never lost: `deliver_due` sends what is
due, and on failure schedules the next attempt with a growing delay, forever, logging each
failure. Any process may call it; a claim on the row keeps two callers from sending it twice.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Text

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.core.dates import utc_now
from knowledge.records.models import KIND_LABELS, Notification, Report
from knowledge.records.outbox import claim

logger = logging.getLogger(__name__)

RETRY_DELAYS_S = (10, 30, 60, 300, 900)
CLAIM_S = 60
TIMEOUT_S = 10


@dataclass
class Delivery:
    """What one `deliver_due` call did."""

    delivered: List[Text]
    failed: List[Text]


def payload(report: Report) -> Dict[Text, Any]:
    """The webhook body: a text message in the WeCom/DingTalk group-robot shape (what duty
    groups here use), and the report's fields for systems that read JSON."""
    deadline = report.deadline.isoformat() if report.deadline else "无"
    content = (
        f"【紧急】{KIND_LABELS[report.kind]} {report.id}\n"
        f"紧急原因：{'；'.join(report.urgency_reasons)}\n"
        f"企业：{report.company_name}  电话：{report.phone}\n"
        f"国家/地区：{report.country}  类型：{report.ip_type or '-'} / {report.dispute_type or '-'}\n"
        f"截止日期：{deadline}\n请值班人员尽快处理。"
    )
    return {
        "msgtype": "text",
        "text": {"content": content},
        "report": {
            "id": report.id,
            "kind": report.kind,
            "urgency_reasons": report.urgency_reasons,
            "company_name": report.company_name,
            "phone": report.phone,
            "country": report.country,
            "ip_type": report.ip_type,
            "dispute_type": report.dispute_type,
            "deadline": report.deadline.isoformat() if report.deadline else None,
        },
    }


def post_json(url: Text, body: Dict[Text, Any]) -> None:
    """POSTs `body`; raises on a network error or a non-2xx answer."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "unexpected status", response.headers, None)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(seconds=RETRY_DELAYS_S[min(attempts, len(RETRY_DELAYS_S)) - 1])


def deliver_due(
    engine: Engine,
    url: Text,
    now: Optional[datetime] = None,
    send: Callable[[Text, Dict[Text, Any]], None] = post_json,
) -> Delivery:
    """Sends every notification that is due to `url`. Without a URL nothing is sent and the
    notifications wait (they are sent once one is configured)."""
    done = Delivery(delivered=[], failed=[])
    if not url:
        return done
    now = now or utc_now()
    with Session(engine) as session:
        due = session.scalars(
            select(Notification.id).where(Notification.delivered_at.is_(None), Notification.next_attempt_at <= now)
        ).all()
    for notification_id in due:
        with Session(engine) as session, session.begin():
            if not claim(session, Notification, notification_id, now, CLAIM_S):
                continue
        with Session(engine) as session, session.begin():
            notification = session.get(Notification, notification_id)
            assert notification is not None
            try:
                send(url, payload(notification.report))
            except Exception as error:  # any failure: record it and try again later
                notification.attempts += 1
                notification.last_error = f"{type(error).__name__}: {error}"[:500]
                notification.next_attempt_at = now + retry_delay(notification.attempts)
                notification.claimed_until = None
                logger.error(
                    "notifying staff of report %s failed (attempt %d, next at %s): %s",
                    notification.report_id,
                    notification.attempts,
                    notification.next_attempt_at,
                    notification.last_error,
                )
                done.failed.append(notification.report_id)
            else:
                notification.attempts += 1
                notification.delivered_at = utc_now()
                notification.last_error = None
                logger.info("staff notified of report %s", notification.report_id)
                done.delivered.append(notification.report_id)
    return done


def pending(engine: Engine) -> List[Notification]:
    """Notifications not delivered yet, oldest first."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(Notification).where(Notification.delivered_at.is_(None)).order_by(Notification.created_at)
        return list(session.scalars(query))
