"""Dispute reports and unfair-treatment feedback: ids, urgency, storage and status history.

A report is written with its first history entry (and, when urgent, its staff notification)
in one transaction, so it is either wholly saved or not at all. Its details are shown only
to the conversation that filed it, or to someone who gives the phone number on it.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, Text

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from knowledge.core.dates import utc_now
from knowledge.core.errors import NotFound
from knowledge.core.validation import normalise_phone
from knowledge.records.models import (
    CLOSED,
    DISPUTE,
    RECEIVED,
    STATUSES,
    Notification,
    PhoneCheckFailure,
    Report,
    ReportEvent,
)

logger = logging.getLogger(__name__)

# The contract's id alphabet: upper-case letters and digits without 0/O/1/I.
ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ID_FORMAT = re.compile(rf"HW-\d{{8}}-[{ID_ALPHABET}]{{4}}")
ID_SUFFIX_LENGTH = 4
ID_ATTEMPTS = 8

URGENT_DISPUTE_TYPES = ("临时禁令", "337调查", "海关扣押", "展会纠纷")
URGENT_WITHIN_DAYS = 10

PHONE_CHECK_WINDOW = timedelta(hours=1)


@dataclass
class ReportDraft:
    """What the reporter told the assistant, before it is saved."""

    kind: Text
    company_name: Text
    phone: Text
    country: Text
    description: Text
    channel: Text
    sender_id: Text
    ip_type: Optional[Text] = None
    dispute_type: Optional[Text] = None
    deadline: Optional[date] = None
    transcript: List[Dict[Text, Any]] = field(default_factory=list)


def new_report_id(today: date) -> Text:
    """HW-<date>-<four characters>, the characters drawn by a cryptographic generator: one
    id says nothing about any other."""
    suffix = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_SUFFIX_LENGTH))
    return f"HW-{today:%Y%m%d}-{suffix}"


def urgency_reasons(dispute_type: Optional[Text], deadline: Optional[date], today: date) -> List[Text]:
    """Why a report is urgent, in Chinese, for staff; empty when it is not."""
    reasons: List[Text] = []
    if dispute_type in URGENT_DISPUTE_TYPES:
        reasons.append(f"纠纷类型为{dispute_type}")
    if deadline is not None:
        days = (deadline - today).days
        if days < 0:
            reasons.append(f"截止日期{deadline:%Y-%m-%d}已过")
        elif days <= URGENT_WITHIN_DAYS:
            reasons.append(f"距截止日期仅剩{days}天")
    return reasons


def create_report(engine: Engine, draft: ReportDraft, today: date, notify: bool = True) -> Report:
    """Saves the report, its first history entry and, when it is urgent and `notify`, a
    pending staff notification, all in one transaction; returns the saved report."""
    reasons = urgency_reasons(draft.dispute_type, draft.deadline, today) if draft.kind == DISPUTE else []
    for attempt in range(ID_ATTEMPTS):
        now = utc_now()
        report = Report(
            id=new_report_id(today),
            kind=draft.kind,
            company_name=draft.company_name,
            phone=draft.phone,
            country=draft.country,
            ip_type=draft.ip_type,
            dispute_type=draft.dispute_type,
            deadline=draft.deadline,
            description=draft.description,
            channel=draft.channel,
            sender_id=draft.sender_id,
            transcript=draft.transcript,
            urgent=bool(reasons),
            urgency_reasons=reasons,
            status=RECEIVED,
            created_at=now,
            updated_at=now,
        )
        report.history.append(ReportEvent(at=now, status=RECEIVED, note="登记成功，等待工作人员处理"))
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                session.add(report)
                if report.urgent and notify:
                    session.add(Notification(report_id=report.id, created_at=now, next_attempt_at=now))
        except IntegrityError:
            logger.warning("report id %s already taken (attempt %d); drawing another", report.id, attempt + 1)
            continue
        logger.info("report %s saved (%s, urgent=%s)", report.id, report.kind, report.urgent)
        return report
    raise RuntimeError(f"no free report id after {ID_ATTEMPTS} attempts")


def _load(session: Session, report_id: Text) -> Optional[Report]:
    return session.scalars(
        select(Report).where(Report.id == report_id.upper()).options(selectinload(Report.history))
    ).first()


class PhoneChecksExhausted(Exception):
    """Too many wrong phone numbers for one report id in the last hour; `retry_at` (UTC) is
    when the next check is allowed."""

    def __init__(self, retry_at: datetime) -> None:
        super().__init__(f"phone checks exhausted until {retry_at:%H:%M} UTC")
        self.retry_at = retry_at


def find_for_requester(
    engine: Engine,
    report_id: Text,
    sender_id: Text,
    channel: Text,
    phone: Optional[Text] = None,
    checks_per_hour: int = 5,
) -> Optional[Report]:
    """The report if the requester may see it: the conversation that filed it, or anyone
    giving the phone number on it. None otherwise, exactly as for an unknown id.

    A wrong phone number is recorded against the id as given (known or not, so that the limit
    tells nothing either); after `checks_per_hour` of them within an hour, from any
    conversation, phone checks of that id raise PhoneChecksExhausted until the oldest is an
    hour old. The conversation that filed a report is never limited."""
    report_id = report_id.upper()
    with Session(engine, expire_on_commit=False) as session:
        report = _load(session, report_id)
    if report is not None and report.sender_id == sender_id and report.channel == channel:
        return report
    if not phone:
        return None
    now = utc_now()
    with Session(engine) as session, session.begin():
        recent = session.scalars(
            select(PhoneCheckFailure.at)
            .where(PhoneCheckFailure.report_id == report_id, PhoneCheckFailure.at > now - PHONE_CHECK_WINDOW)
            .order_by(PhoneCheckFailure.at)
        ).all()
        if len(recent) >= checks_per_hour:
            raise PhoneChecksExhausted(recent[len(recent) - checks_per_hour] + PHONE_CHECK_WINDOW)
        if report is not None and normalise_phone(phone) == report.phone:
            return report
        session.add(PhoneCheckFailure(report_id=report_id, channel=channel, sender_id=sender_id, at=now))
    failures = len(recent) + 1
    logger.warning("wrong phone for report %s from %s/%s (%d this hour)", report_id, channel, sender_id, failures)
    return None


def phone_check_failures(engine: Engine, report_id: Text) -> List[PhoneCheckFailure]:
    """The wrong phone numbers given for a report id, newest first, for staff."""
    with Session(engine, expire_on_commit=False) as session:
        query = (
            select(PhoneCheckFailure)
            .where(PhoneCheckFailure.report_id == report_id.upper())
            .order_by(PhoneCheckFailure.at.desc())
        )
        return list(session.scalars(query))


def reports_of(engine: Engine, sender_id: Text, channel: Text) -> List[Report]:
    """The reports this conversation filed, newest first."""
    with Session(engine, expire_on_commit=False) as session:
        query = (
            select(Report)
            .where(Report.sender_id == sender_id, Report.channel == channel)
            .order_by(Report.created_at.desc())
        )
        return list(session.scalars(query))


def get_report(engine: Engine, report_id: Text) -> Optional[Report]:
    """A report by id, for staff."""
    with Session(engine, expire_on_commit=False) as session:
        return _load(session, report_id)


def list_reports(engine: Engine, status: Optional[Text] = None, limit: int = 200) -> List[Report]:
    """The staff queue of reports: urgent first, then oldest first (first come, first served)."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(Report)
        if status:
            query = query.where(Report.status == status)
        query = query.order_by(Report.urgent.desc(), Report.created_at.asc()).limit(limit)
        return list(session.scalars(query))


def update_status(engine: Engine, report_id: Text, status: Text, note: Text = "", result: Text = "") -> Report:
    """Moves a report to `status` and records it in the history. 已办结 needs the result.

    Raises NotFound for an unknown report and ValueError for a status that is not allowed.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if status == CLOSED and not result.strip():
        raise ValueError("已办结 needs the result")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        report = _load(session, report_id)
        if report is None:
            raise NotFound("report", report_id)
        now = utc_now()
        report.status = status
        report.updated_at = now
        if result.strip():
            report.result = result.strip()
        report.history.append(ReportEvent(at=now, status=status, note=note.strip()))
    return report


def is_report_id(text: Text) -> bool:
    """Whether `text` is a whole report id in the format ids are given in."""
    return ID_FORMAT.fullmatch((text or "").strip().upper()) is not None
