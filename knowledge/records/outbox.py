"""What the outbox tables (`notifications`, `alert_deliveries`) share: a row is claimed by
one sender at a time, for a while, so that two processes never both deliver it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import Session


def claim(session: Session, model: Any, row_id: int, now: datetime, seconds: int) -> bool:
    """Claims the undelivered row `row_id` of `model` for `seconds` unless another claim on it
    still runs; whether this call got it."""
    claimed = session.execute(
        update(model)
        .where(
            model.id == row_id,
            model.delivered_at.is_(None),
            or_(model.claimed_until.is_(None), model.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=seconds))
    )
    return claimed.rowcount == 1
