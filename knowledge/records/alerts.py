"""Risk alerts published to their subscribers: each subscriber at most once per alert.

`publish` copies an alert (the library's, given by the caller) into `alert_publications` and writes one delivery
row per subscriber whose subscription it matches (an outbox, as in `notifications`); the
unique key (alert, channel, sender) makes a second publication reach only new subscribers.
A delivery row is pushed by the console (`push_due`: WeChat template messages, with retries
and growing delays) while its `next_push_at` is set; every row not delivered yet, pushed or
not, is given to its subscriber with their next message on any channel (`take_waiting`).
A claim on a row keeps a push and a visit from both delivering it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, List, Optional, Set, Text, Tuple

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.core.dates import utc_now
from knowledge.core.errors import NotFound
from knowledge.core.vocabulary import EU, EU_MEMBERS
from knowledge.records.models import ANY, AlertDelivery, AlertPublication, Subscription
from knowledge.records.outbox import claim

logger = logging.getLogger(__name__)

PUSH_DELAYS_S = (60, 300, 1800, 7200)  # after the 1st…4th failed push; then the visit only
CLAIM_S = 60
BY_PUSH, BY_VISIT = "push", "visit"


class Undeliverable(Exception):
    """A push that cannot succeed however often it is tried (the follower left)."""


@dataclass(frozen=True)
class AlertContent:
    """What is published of an alert: its content item's fields, and its source's title."""

    id: Text
    title: Text
    level: Text
    country: Optional[Text]
    industry: Optional[Text]
    date: date
    text: Text
    source: Text


@dataclass
class Published:
    """What one `publish` did: subscribers newly reached, and those it had reached before."""

    alert_id: Text
    new: int
    already: int


@dataclass
class PushRound:
    """What one `push_due` call did, by delivery row."""

    pushed: List[int] = field(default_factory=list)
    failed: List[int] = field(default_factory=list)


def matches(country: Text, industry: Text, alert: AlertPublication) -> bool:
    """Whether a subscription (country or ANY, industry or ANY) wants the alert: it names
    what the alert is about, and the alert names nothing else (an alert for every market
    reaches a subscriber of one market in its industry; an EU alert, one of a member state)."""
    named = False
    for wanted, about in ((country, alert.country), (industry, alert.industry)):
        if wanted == ANY:
            continue
        if about == wanted or (about == EU and wanted in EU_MEMBERS):
            named = True
        elif about:
            return False
    return named


def _copy(session: Session, alert: AlertContent, now: datetime) -> AlertPublication:
    publication = session.get(AlertPublication, alert.id)
    if publication is None:
        publication = AlertPublication(alert_id=alert.id, first_published_at=now)
        session.add(publication)
    publication.title = alert.title
    publication.level = alert.level
    publication.country = alert.country
    publication.industry = alert.industry
    publication.date = alert.date
    publication.text = alert.text
    publication.source = alert.source
    publication.published_at = now
    return publication


def _publish(engine: Engine, alert: AlertContent, channels_pushed: Set[Text], now: datetime) -> Published:
    alert_id = alert.id
    with Session(engine) as session, session.begin():
        publication = _copy(session, alert, now)
        subscribers = dict.fromkeys(
            (row.channel, row.sender_id)
            for row in session.scalars(select(Subscription).order_by(Subscription.id))
            if matches(row.country, row.industry, publication)
        )
        reached: Set[Tuple[Text, Text]] = set(
            session.execute(
                select(AlertDelivery.channel, AlertDelivery.sender_id).where(AlertDelivery.alert_id == alert_id)
            ).all()
        )
        new = [pair for pair in subscribers if pair not in reached]
        for channel, sender_id in new:
            session.add(
                AlertDelivery(
                    alert_id=alert_id,
                    channel=channel,
                    sender_id=sender_id,
                    created_at=now,
                    attempts=0,
                    next_push_at=now if channel in channels_pushed else None,
                )
            )
    logger.info(
        "alert %s published: %d new subscribers, %d reached before", alert_id, len(new), len(subscribers) - len(new)
    )
    return Published(alert_id, new=len(new), already=len(subscribers) - len(new))


def publish(
    engine: Engine, alert: AlertContent, channels_pushed: Set[Text], now: Optional[datetime] = None
) -> Published:
    """Publishes `alert` to its matching subscribers not reached yet; those on
    `channels_pushed` are queued for a push."""
    now = now or utc_now()
    try:
        return _publish(engine, alert, channels_pushed, now)
    except IntegrityError:  # published at the same moment by another process: its rows stand
        return _publish(engine, alert, channels_pushed, now)


def push_due(
    engine: Engine, channel: Text, send: Callable[[Text, AlertPublication], None], now: Optional[datetime] = None
) -> PushRound:
    """Pushes every due delivery of `channel` with `send(sender_id, alert)`. A failure is
    tried again later, up to len(PUSH_DELAYS_S) more times; an Undeliverable one, or one
    out of tries, is left for the subscriber's next message."""
    now = now or utc_now()
    done = PushRound()
    with Session(engine) as session:
        due = session.scalars(
            select(AlertDelivery.id).where(
                AlertDelivery.channel == channel,
                AlertDelivery.delivered_at.is_(None),
                AlertDelivery.next_push_at <= now,
            )
        ).all()
    for delivery_id in due:
        with Session(engine) as session, session.begin():
            if not claim(session, AlertDelivery, delivery_id, now, CLAIM_S):
                continue
        with Session(engine) as session, session.begin():
            delivery = session.get(AlertDelivery, delivery_id)
            assert delivery is not None
            delivery.attempts += 1
            delivery.claimed_until = None
            try:
                send(delivery.sender_id, delivery.publication)
            except Exception as error:  # any failure: recorded, tried again or left for the visit
                delivery.last_error = f"{type(error).__name__}: {error}"[:500]
                retry = not isinstance(error, Undeliverable) and delivery.attempts <= len(PUSH_DELAYS_S)
                delivery.next_push_at = now + timedelta(seconds=PUSH_DELAYS_S[delivery.attempts - 1]) if retry else None
                logger.warning(
                    "pushing alert %s to %s failed (attempt %d; %s): %s",
                    delivery.alert_id,
                    delivery.sender_id,
                    delivery.attempts,
                    f"next at {delivery.next_push_at}" if retry else "left for their next message",
                    delivery.last_error,
                )
                done.failed.append(delivery_id)
            else:
                delivery.delivered_at, delivery.delivered_by = utc_now(), BY_PUSH
                delivery.next_push_at = delivery.last_error = None
                done.pushed.append(delivery_id)
    return done


def take_waiting(
    engine: Engine, channel: Text, sender_id: Text, now: Optional[datetime] = None
) -> List[AlertPublication]:
    """The alerts published to this subscriber and not delivered yet (not being pushed
    either), oldest first, marked delivered."""
    now = now or utc_now()
    taken: List[AlertPublication] = []
    with Session(engine, expire_on_commit=False) as session, session.begin():
        waiting = session.scalars(
            select(AlertDelivery)
            .where(
                AlertDelivery.channel == channel,
                AlertDelivery.sender_id == sender_id,
                AlertDelivery.delivered_at.is_(None),
            )
            .order_by(AlertDelivery.id)
        ).all()
        for delivery in waiting:
            marked = session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.id == delivery.id,
                    AlertDelivery.delivered_at.is_(None),
                    or_(AlertDelivery.claimed_until.is_(None), AlertDelivery.claimed_until < now),
                )
                .values(delivered_at=now, delivered_by=BY_VISIT, next_push_at=None)
            )
            if marked.rowcount == 1:
                taken.append(delivery.publication)
    return taken


def deliveries_of(engine: Engine, alert_id: Text) -> List[AlertDelivery]:
    """The delivery rows of one alert, in the order they were written (NotFound if it was
    never published)."""
    with Session(engine, expire_on_commit=False) as session:
        if session.get(AlertPublication, alert_id) is None:
            raise NotFound("published alert", alert_id)
        query = select(AlertDelivery).where(AlertDelivery.alert_id == alert_id).order_by(AlertDelivery.id)
        return list(session.scalars(query))
