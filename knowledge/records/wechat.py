"""What the WeChat channel keeps where every instance sees it: the messages WeChat delivered
(so that a retry is answered like the first and never processed twice), each user's numbered
options and held-back reply parts, and the one access token of the account."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional, Text

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.core.dates import utc_now
from knowledge.records.models import WeChatAccessToken, WeChatMessage, WeChatUser

logger = logging.getLogger(__name__)

# How long a delivered message is remembered (WeChat retries within about 15 s).
KEPT_FOR = timedelta(days=1)
NEW, RETRY, REPLAY = "new", "retry", "replay"


@dataclass
class Delivery:
    """What a delivered message is: NEW, a RETRY of one already taken (with the reply it got,
    or None while its turn runs), or a REPLAY (its nonce came with another message)."""

    kind: Text
    reply: Optional[Text] = None


def take_message(engine: Engine, key: Text, nonce: Text) -> Delivery:
    """Records a message WeChat delivered, once: the first call for `key` is NEW."""
    now = utc_now()
    with Session(engine) as session, session.begin():
        seen = session.scalars(select(WeChatMessage).where(WeChatMessage.nonce == nonce)).first()
        if seen is not None and seen.key != key:
            return Delivery(REPLAY)
        earlier = session.get(WeChatMessage, key)
        if earlier is not None:
            return Delivery(RETRY, earlier.reply)
    try:
        with Session(engine) as session, session.begin():
            session.add(WeChatMessage(key=key, nonce=nonce, received_at=now))
    except IntegrityError:  # another instance took it at the same moment
        with Session(engine) as session:
            earlier = session.get(WeChatMessage, key)
            return Delivery(RETRY, earlier.reply if earlier else None)
    return Delivery(NEW)


def keep_reply(engine: Engine, key: Text, reply: Text) -> None:
    """The passive reply a message got, for its retries."""
    with Session(engine) as session, session.begin():
        session.execute(update(WeChatMessage).where(WeChatMessage.key == key).values(reply=reply))


def forget_old_messages(engine: Engine) -> int:
    """Drops messages older than KEPT_FOR; returns how many."""
    with Session(engine) as session, session.begin():
        result = session.execute(delete(WeChatMessage).where(WeChatMessage.received_at < utc_now() - KEPT_FOR))
        return int(result.rowcount or 0)


def _user(session: Session, open_id: Text) -> WeChatUser:
    user = session.get(WeChatUser, open_id)
    if user is None:
        user = WeChatUser(open_id=open_id, options=[], pending=[])
        session.add(user)
    return user


def options_of(engine: Engine, open_id: Text) -> List[Text]:
    """The payloads of the numbered options last shown to the user."""
    with Session(engine) as session:
        user = session.get(WeChatUser, open_id)
        return list(user.options) if user else []


def seen(engine: Engine, open_id: Text, options: List[Text]) -> None:
    """The user wrote now and was shown `options`."""
    with Session(engine) as session, session.begin():
        user = _user(session, open_id)
        user.options = options
        user.last_message_at = utc_now()


def hold(engine: Engine, open_id: Text, parts: List[Text]) -> None:
    """Reply parts that could not be delivered now, for the user's next message."""
    with Session(engine) as session, session.begin():
        user = _user(session, open_id)
        user.pending = list(user.pending or []) + parts


def take_held(engine: Engine, open_id: Text) -> List[Text]:
    """The held reply parts, removed."""
    with Session(engine) as session, session.begin():
        user = session.get(WeChatUser, open_id)
        if user is None or not user.pending:
            return []
        parts, user.pending = list(user.pending), []
        return parts


def cached_token(engine: Engine, app_id: Text, fresh_for: timedelta) -> Optional[Text]:
    """The account's access token if it is valid for at least `fresh_for` more."""
    with Session(engine) as session:
        row = session.get(WeChatAccessToken, app_id)
        if row is None or row.token is None or row.expires_at is None:
            return None
        return row.token if row.expires_at - fresh_for > utc_now() else None


def lease_refresh(engine: Engine, app_id: Text, lease: timedelta) -> bool:
    """True for the one process that may refresh the token now (until `lease` has passed)."""
    now = utc_now()
    try:
        with Session(engine) as session, session.begin():
            if session.get(WeChatAccessToken, app_id) is None:
                session.add(WeChatAccessToken(app_id=app_id, lease_until=now + lease))
                return True
    except IntegrityError:
        logger.debug("wechat: another process made the token row first; taking the lease by update")
    with Session(engine) as session, session.begin():
        taken = session.execute(
            update(WeChatAccessToken)
            .where(WeChatAccessToken.app_id == app_id)
            .where((WeChatAccessToken.lease_until.is_(None)) | (WeChatAccessToken.lease_until < now))
            .values(lease_until=now + lease)
        )
        return bool(taken.rowcount)


def store_token(engine: Engine, app_id: Text, token: Text, expires_in_s: int) -> None:
    """A new access token, and the lease released."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(WeChatAccessToken)
            .where(WeChatAccessToken.app_id == app_id)
            .values(token=token, expires_at=utc_now() + timedelta(seconds=expires_in_s), lease_until=None)
        )


def expire_token(engine: Engine, app_id: Text, token: Text) -> None:
    """WeChat refused `token` (40001, 40014, 42001): it is not used again."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(WeChatAccessToken)
            .where(WeChatAccessToken.app_id == app_id, WeChatAccessToken.token == token)
            .values(expires_at=datetime(1970, 1, 1))
        )
