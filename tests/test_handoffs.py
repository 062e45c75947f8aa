"""Conversations handed to staff: one open handoff per conversation, the queue, finishing."""

from datetime import datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.database import create_schema
from knowledge.core.errors import NotFound
from knowledge.records.handoffs import finish, get_handoff, open_handoff, queue
from knowledge.records.models import HANDOFF_CLOSED as CLOSED
from knowledge.records.models import HANDOFF_OPEN as OPEN
from knowledge.records.models import HANDOFF_RETURNED as RETURNED
from knowledge.records.models import Handoff

SLOTS = {"country": "美国", "dispute_type": "警告函"}
TRANSCRIPT = [{"event": "user", "text": "我要找人工"}, {"event": "bot", "text": "正在为您转接"}]


@pytest.fixture
def engine(tmp_path):
    return create_schema(f"sqlite:///{tmp_path / 't.db'}")


def open_for(engine, sender_id, reason="user_request", channel="rest", **kwargs):
    return open_handoff(engine, channel, sender_id, reason, SLOTS, TRANSCRIPT, **kwargs)


def set_created_at(engine, handoff_id, moment):
    with Session(engine) as session, session.begin():
        session.execute(update(Handoff).where(Handoff.id == handoff_id).values(created_at=moment))


def count_rows(engine):
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Handoff))


def test_open_handoff_creates_one(engine):
    handoff = open_for(engine, "alice")
    stored = get_handoff(engine, handoff.id)
    assert isinstance(handoff.id, int)
    assert (stored.channel, stored.sender_id, stored.reason) == ("rest", "alice", "user_request")
    assert (stored.status, stored.urgent, stored.report_id) == (OPEN, False, None)
    assert stored.slots == SLOTS
    assert stored.transcript == TRANSCRIPT
    assert stored.created_at is not None
    assert (stored.closed_at, stored.staff_note) == (None, None)
    assert stored.as_dict()["reason_label"] == "用户要求人工服务"


def test_a_second_open_returns_the_same_handoff_and_an_urgent_reason_makes_it_urgent(engine):
    first = open_for(engine, "alice")
    new_slots = {"country": "德国", "dispute_type": "临时禁令"}
    second = open_handoff(
        engine, "rest", "alice", "urgent_report", new_slots, TRANSCRIPT[:1], urgent=True, report_id="HW-20261124-AB2C"
    )
    assert second.id == first.id
    assert count_rows(engine) == 1

    stored = get_handoff(engine, first.id)
    assert stored.urgent is True
    assert stored.reason == "urgent_report"
    assert stored.report_id == "HW-20261124-AB2C"
    assert stored.slots == new_slots
    assert stored.transcript == TRANSCRIPT[:1]


def test_a_later_non_urgent_open_keeps_urgency_reason_and_report(engine):
    open_for(engine, "alice", reason="urgent_report", urgent=True, report_id="HW-20261124-AB2C")
    again = open_for(engine, "alice", reason="repeated_fallback")
    stored = get_handoff(engine, again.id)
    assert (stored.urgent, stored.reason, stored.report_id) == (True, "urgent_report", "HW-20261124-AB2C")


def test_a_second_non_urgent_open_keeps_the_first_reason(engine):
    first = open_for(engine, "alice", reason="user_request")
    second = open_for(engine, "alice", reason="repeated_fallback")
    assert second.id == first.id
    assert get_handoff(engine, first.id).reason == "user_request"
    assert get_handoff(engine, first.id).urgent is False


def test_each_conversation_has_its_own_handoff(engine):
    alice = open_for(engine, "alice")
    bob = open_for(engine, "bob")
    alice_elsewhere = open_for(engine, "alice", channel="telegram")
    assert len({alice.id, bob.id, alice_elsewhere.id}) == 3
    assert count_rows(engine) == 3


def test_after_finishing_a_new_handoff_is_opened(engine):
    first = open_for(engine, "alice")
    finish(engine, first.id, CLOSED)
    second = open_for(engine, "alice")
    assert second.id != first.id
    assert get_handoff(engine, second.id).status == OPEN
    assert get_handoff(engine, first.id).status == CLOSED


def test_queue_is_urgent_first_then_oldest(engine):
    plain_late = open_for(engine, "a")
    urgent_late = open_for(engine, "b", reason="urgent_report", urgent=True)
    plain_early = open_for(engine, "c")
    urgent_early = open_for(engine, "d", reason="urgent_report", urgent=True)
    # Ages deliberately not in id order.
    set_created_at(engine, plain_late.id, datetime(2026, 11, 24, 3, 0))
    set_created_at(engine, urgent_late.id, datetime(2026, 11, 24, 4, 0))
    set_created_at(engine, plain_early.id, datetime(2026, 11, 24, 1, 0))
    set_created_at(engine, urgent_early.id, datetime(2026, 11, 24, 2, 0))

    expected = [urgent_early.id, urgent_late.id, plain_early.id, plain_late.id]
    assert [h.id for h in queue(engine)] == expected
    assert [h.id for h in queue(engine, limit=1)] == expected[:1]

    finish(engine, urgent_early.id, CLOSED)
    assert [h.id for h in queue(engine)] == expected[1:]
    assert [h.id for h in queue(engine, status=CLOSED)] == [urgent_early.id]
    assert queue(engine, status=RETURNED) == []


@pytest.mark.parametrize("status", [CLOSED, RETURNED])
def test_finish(engine, status):
    handoff = open_for(engine, "alice")
    finished = finish(engine, handoff.id, status, note=" 已电话回复企业 ")
    assert (finished.status, finished.staff_note) == (status, "已电话回复企业")
    stored = get_handoff(engine, handoff.id)
    assert stored.status == status
    assert stored.closed_at is not None
    assert stored.closed_at >= stored.created_at
    assert stored.staff_note == "已电话回复企业"
    assert queue(engine) == []


def test_finish_without_a_note_stores_none(engine):
    handoff = open_for(engine, "alice")
    assert finish(engine, handoff.id, RETURNED, note="   ").staff_note is None


@pytest.mark.parametrize("second_status", [CLOSED, RETURNED])
def test_finishing_twice_is_refused(engine, second_status):
    handoff = open_for(engine, "alice")
    finish(engine, handoff.id, CLOSED, note="first")
    with pytest.raises(ValueError):
        finish(engine, handoff.id, second_status, note="second")
    stored = get_handoff(engine, handoff.id)
    assert (stored.status, stored.staff_note) == (CLOSED, "first")


def test_finishing_an_unknown_handoff_raises_key_error(engine):
    with pytest.raises(NotFound):
        finish(engine, 999, CLOSED)


@pytest.mark.parametrize("status", [OPEN, "done", ""])
def test_finishing_with_a_bad_status_is_refused(engine, status):
    handoff = open_for(engine, "alice")
    with pytest.raises(ValueError):
        finish(engine, handoff.id, status)
    assert get_handoff(engine, handoff.id).status == OPEN


@pytest.mark.parametrize("reason", ["angry_user", "", "用户要求人工服务"])
def test_an_unknown_reason_is_refused(engine, reason):
    with pytest.raises(ValueError):
        open_for(engine, "alice", reason=reason)
    assert count_rows(engine) == 0
