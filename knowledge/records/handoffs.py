"""Conversations handed from the bot to a person: the staff queue.

A handoff keeps why it happened, the conversation's slots and transcript at that moment, and
what staff did. A conversation has at most one open handoff; handing off again while one is
open returns that one (and raises its urgency if the new reason is urgent).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.core.dates import utc_now
from knowledge.core.errors import NotFound
from knowledge.records.models import HANDOFF_CLOSED, HANDOFF_OPEN, HANDOFF_REASONS, HANDOFF_RETURNED, Handoff

logger = logging.getLogger(__name__)


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
    if reason not in HANDOFF_REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        handoff = session.scalars(
            select(Handoff).where(
                Handoff.channel == channel, Handoff.sender_id == sender_id, Handoff.status == HANDOFF_OPEN
            )
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
        query = select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status == HANDOFF_OPEN)
        return session.scalars(query).first()


def queue(engine: Engine, status: Text = HANDOFF_OPEN, limit: int = 200) -> List[Handoff]:
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
    (`returned`). Raises NotFound for an unknown id, ValueError if it is not open."""
    if status not in (HANDOFF_CLOSED, HANDOFF_RETURNED):
        raise ValueError(f"status must be {HANDOFF_CLOSED} or {HANDOFF_RETURNED}")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise NotFound("handoff", handoff_id)
        if handoff.status != HANDOFF_OPEN:
            raise ValueError(f"handoff {handoff_id} is already {handoff.status}")
        handoff.status = status
        handoff.closed_at = utc_now()
        handoff.staff_note = note.strip() or None
    logger.info("handoff %s %s", handoff_id, status)
    return handoff
