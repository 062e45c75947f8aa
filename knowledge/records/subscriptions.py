"""Risk-alert subscriptions of one sender on one channel, by country and/or industry."""

from __future__ import annotations

import logging
from typing import List, Text, Tuple

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.core.dates import utc_now
from knowledge.records.models import ANY, Subscription

logger = logging.getLogger(__name__)


def subscribe(
    engine: Engine, channel: Text, sender_id: Text, countries: List[Text], industries: List[Text]
) -> List[Tuple[Text, Text]]:
    """Adds a subscription for every country × industry given (either list may be empty,
    meaning any); returns the (country, industry) pairs that were new."""
    pairs = list(dict.fromkeys((c, i) for c in (countries or [ANY]) for i in (industries or [ANY])))
    if pairs == [(ANY, ANY)]:
        raise ValueError("a subscription needs a country or an industry")
    added: List[Tuple[Text, Text]] = []
    with Session(engine) as session, session.begin():
        existing = set(_pairs(session, channel, sender_id))
        for pair in pairs:
            if pair not in existing:
                session.add(
                    Subscription(
                        channel=channel, sender_id=sender_id, country=pair[0], industry=pair[1], created_at=utc_now()
                    )
                )
                added.append(pair)
    logger.info("sender %s subscribed to %s", sender_id, added)
    return added


def unsubscribe(
    engine: Engine, channel: Text, sender_id: Text, countries: List[Text], industries: List[Text]
) -> List[Tuple[Text, Text]]:
    """Removes the subscriptions naming any of the countries or industries given; with
    neither, removes them all. Returns the (country, industry) pairs removed."""
    query = select(Subscription).where(Subscription.channel == channel, Subscription.sender_id == sender_id)
    if countries or industries:
        matches = []
        if countries:
            matches.append(Subscription.country.in_(countries))
        if industries:
            matches.append(Subscription.industry.in_(industries))
        query = query.where(or_(*matches))
    with Session(engine) as session, session.begin():
        found = session.execute(query.order_by(Subscription.id)).scalars().all()
        removed = [(row.country, row.industry) for row in found]
        for row in found:
            session.delete(row)
    logger.info("sender %s removed %d subscriptions", sender_id, len(removed))
    return removed


def _pairs(session: Session, channel: Text, sender_id: Text) -> List[Tuple[Text, Text]]:
    rows = session.execute(
        select(Subscription.country, Subscription.industry)
        .where(Subscription.channel == channel, Subscription.sender_id == sender_id)
        .order_by(Subscription.id)
    )
    return [(row.country, row.industry) for row in rows]


def subscriptions_of(engine: Engine, channel: Text, sender_id: Text) -> List[Tuple[Text, Text]]:
    """(country, industry) pairs this sender is subscribed to; "" means any."""
    with Session(engine) as session:
        return _pairs(session, channel, sender_id)
