"""Conversations handed from the bot to a person: the staff queue.

A handoff keeps why it happened, the conversation's slots and transcript at that moment, and
what staff did. A conversation has at most one open handoff; handing off again while one is
open returns that one (and raises its urgency if the new reason is urgent).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, select
from sqlalchemy import Text as TextColumn
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.db import Base
from knowledge.reports import utc_now

logger = logging.getLogger(__name__)

OPEN, CLOSED, RETURNED = "open", "closed", "returned"
REASONS = {
    "user_request": "用户要求人工服务",
    "repeated_fallback": "连续两次未能理解用户",
    "repeated_question": "用户重复提问",
    "urgent_report": "紧急纠纷登记",
    "expert_consultation": "预约专家咨询",
}


class Handoff(Base):
    """One conversation handed to staff."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(200), nullable=False, index=True)
    reason = Column(String(40), nullable=False)
    urgent = Column(Boolean, nullable=False, default=False)
    report_id = Column(String(16))
    slots = Column(JSON, nullable=False, default=dict)
    transcript = Column(JSON, nullable=False, default=list)
    status = Column(String(10), nullable=False, default=OPEN, index=True)
    created_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime)
    staff_note = Column(TextColumn)

    def __repr__(self) -> str:
        return f"Handoff({self.id}, {self.sender_id!r}, {self.reason!r}, {self.status!r})"

    def as_dict(self) -> Dict[Text, Any]:
        """The queue entry as staff see it (the transcript is in the conversation view)."""
        return {
            "id": self.id,
            "channel": self.channel,
            "sender_id": self.sender_id,
            "reason": self.reason,
            "reason_label": REASONS.get(self.reason, self.reason),
            "urgent": self.urgent,
            "report_id": self.report_id,
            "status": self.status,
            "created_at": self.created_at.isoformat() + "Z",
            "closed_at": self.closed_at.isoformat() + "Z" if self.closed_at else None,
            "staff_note": self.staff_note,
        }


def open_handoff(
    engine: Engine,
    channel: Text,
    sender_id: Text,
    reason: Text,
    slots: Dict[Text, Any],
    transcript: List[Dict[Text, Any]],
    urgent: bool = False,
    report_id: Optional[Text] = None,
) -> Handoff:
    """Opens a handoff for the conversation, or updates its open one."""
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        handoff = session.scalars(
            select(Handoff).where(Handoff.channel == channel, Handoff.sender_id == sender_id, Handoff.status == OPEN)
        ).first()
        if handoff is None:
            handoff = Handoff(channel=channel, sender_id=sender_id, reason=reason, created_at=utc_now())
            session.add(handoff)
        elif urgent and not handoff.urgent:
            handoff.reason = reason
        handoff.urgent = bool(handoff.urgent) or urgent
        handoff.report_id = report_id or handoff.report_id
        handoff.slots = slots
        handoff.transcript = transcript
    logger.info("handoff %s for %s: %s (urgent=%s)", handoff.id, sender_id, reason, handoff.urgent)
    return handoff


def open_handoff_of(engine: Engine, sender_id: Text) -> Optional[Handoff]:
    """The conversation's open handoff, if staff hold it."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status == OPEN)
        return session.scalars(query).first()


def queue(engine: Engine, status: Text = OPEN, limit: int = 200) -> List[Handoff]:
    """Handoffs with `status`: urgent first, then oldest first."""
    with Session(engine, expire_on_commit=False) as session:
        query = (
            select(Handoff)
            .where(Handoff.status == status)
            .order_by(Handoff.urgent.desc(), Handoff.created_at.asc(), Handoff.id.asc())
            .limit(limit)
        )
        return list(session.scalars(query))


def get_handoff(engine: Engine, handoff_id: int) -> Optional[Handoff]:
    """A handoff by id."""
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Handoff, handoff_id)


def finish(engine: Engine, handoff_id: int, status: Text, note: Text = "") -> Handoff:
    """Closes the handoff (`closed`: staff dealt with it) or returns it to the bot
    (`returned`). Raises KeyError for an unknown id, ValueError if it is not open."""
    if status not in (CLOSED, RETURNED):
        raise ValueError(f"status must be {CLOSED} or {RETURNED}")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise KeyError(handoff_id)
        if handoff.status != OPEN:
            raise ValueError(f"handoff {handoff_id} is already {handoff.status}")
        handoff.status = status
        handoff.closed_at = utc_now()
        handoff.staff_note = note.strip() or None
    logger.info("handoff %s %s", handoff_id, status)
    return handoff
