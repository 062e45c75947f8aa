"""Consultation requests: an enterprise chose an expert of the pool; staff arrange it."""

from __future__ import annotations

import logging
from typing import Optional, Text

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.core.dates import utc_now
from knowledge.records.models import ConsultationRequest

logger = logging.getLogger(__name__)


def request_consultation(
    engine: Engine,
    expert_id: Text,
    expert_title: Text,
    channel: Text,
    sender_id: Text,
    country: Optional[Text],
    ip_type: Optional[Text],
    industry: Optional[Text],
) -> ConsultationRequest:
    """Records that this conversation asked to consult the expert of the pool with this id."""
    request = ConsultationRequest(
        expert_id=expert_id,
        expert_title=expert_title,
        channel=channel,
        sender_id=sender_id,
        country=country,
        ip_type=ip_type,
        industry=industry,
        created_at=utc_now(),
    )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(request)
    logger.info("consultation request %s: %s for %s", request.id, expert_id, sender_id)
    return request
