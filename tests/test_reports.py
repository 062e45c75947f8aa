"""Dispute reports: ids, urgency, one-transaction saving, who may see them, status history."""

import re
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.database import create_schema
from knowledge.core.errors import NotFound
from knowledge.records import reports
from knowledge.records.models import (
    CLOSED,
    DISPUTE,
    IN_PROGRESS,
    RECEIVED,
    UNFAIR_TREATMENT,
    WITH_EXPERT,
    Notification,
    Report,
    ReportEvent,
)
from knowledge.records.notifications import pending
from knowledge.records.reports import (
    PhoneChecksExhausted,
    ReportDraft,
    create_report,
    find_for_requester,
    get_report,
    list_reports,
    new_report_id,
    phone_check_failures,
    reports_of,
    update_status,
    urgency_reasons,
)

TODAY = date(2026, 11, 24)
ID_PATTERN = re.compile(r"^HW-20261124-[2-9A-HJ-NP-Z]{4}$")
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@pytest.fixture
def engine(tmp_path):
    return create_schema(f"sqlite:///{tmp_path / 't.db'}")


def make_draft(**overrides) -> ReportDraft:
    values = dict(
        kind=DISPUTE,
        company_name="铜川某某陶瓷有限公司",
        phone="13912345678",
        country="美国",
        description="美国客户转来律师警告函，称我司陶瓷产品侵犯其外观设计专利。",
        channel="rest",
        sender_id="alice",
        ip_type="外观设计",
        dispute_type="警告函",
        deadline=None,
        transcript=[{"event": "user", "text": "我们收到了警告函"}],
    )
    values.update(overrides)
    return ReportDraft(**values)


def set_created_at(engine, report_id, moment):
    with Session(engine) as session, session.begin():
        session.execute(update(Report).where(Report.id == report_id).values(created_at=moment))


# --- ids -------------------------------------------------------------------------------


def test_new_report_id_format_and_alphabet():
    ids = [new_report_id(TODAY) for _ in range(2000)]
    for report_id in ids:
        assert ID_PATTERN.match(report_id), report_id
    suffixes = "".join(report_id[-4:] for report_id in ids)
    assert not set(suffixes) & set("0O1I")
    # 8,000 characters drawn: every one of the 32 allowed characters turns up, nothing else.
    assert set(suffixes) == set(ALPHABET)


def test_new_report_ids_differ_and_are_not_sequential():
    ids = [new_report_id(TODAY) for _ in range(2000)]
    # 32**4 ≈ 1M suffixes: a handful of chance collisions at most.
    assert len(set(ids)) >= 1990
    assert all(a != b for a, b in pairwise(ids))
    assert ids != sorted(ids)
    assert ids != sorted(ids, reverse=True)


def test_new_report_id_carries_the_date():
    assert new_report_id(date(2027, 1, 5)).startswith("HW-20270105-")


# --- urgency ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dispute_type, deadline, expected",
    [
        ("临时禁令", None, ["纠纷类型为临时禁令"]),
        ("337调查", None, ["纠纷类型为337调查"]),
        ("海关扣押", None, ["纠纷类型为海关扣押"]),
        ("展会纠纷", None, ["纠纷类型为展会纠纷"]),
        ("警告函", TODAY + timedelta(days=11), []),
        ("警告函", TODAY + timedelta(days=10), ["距截止日期仅剩10天"]),
        ("警告函", TODAY, ["距截止日期仅剩0天"]),
        ("警告函", TODAY - timedelta(days=1), ["截止日期2026-11-23已过"]),
        ("警告函", None, []),
        (None, None, []),
        ("337调查", TODAY + timedelta(days=3), ["纠纷类型为337调查", "距截止日期仅剩3天"]),
    ],
)
def test_urgency_reasons(dispute_type, deadline, expected):
    assert urgency_reasons(dispute_type, deadline, TODAY) == expected


# --- creating --------------------------------------------------------------------------


def test_create_report_persists_every_field(engine):
    draft = make_draft(deadline=TODAY + timedelta(days=30))
    created = create_report(engine, draft, TODAY)
    assert ID_PATTERN.match(created.id)

    stored = get_report(engine, created.id)
    assert stored is not None
    assert (stored.kind, stored.company_name, stored.phone, stored.country) == (
        DISPUTE,
        "铜川某某陶瓷有限公司",
        "13912345678",
        "美国",
    )
    assert (stored.ip_type, stored.dispute_type, stored.deadline) == ("外观设计", "警告函", date(2026, 12, 24))
    assert stored.description == draft.description
    assert (stored.channel, stored.sender_id) == ("rest", "alice")
    assert stored.transcript == [{"event": "user", "text": "我们收到了警告函"}]
    assert stored.urgent is False
    assert stored.urgency_reasons == []
    assert stored.status == RECEIVED
    assert stored.result is None
    assert stored.created_at == stored.updated_at
    assert [(e.status, e.note) for e in stored.history] == [(RECEIVED, "登记成功，等待工作人员处理")]
    assert stored.history[0].at == stored.created_at


def test_get_report_ignores_the_case_of_the_id(engine):
    created = create_report(engine, make_draft(), TODAY)
    assert get_report(engine, created.id.lower()).id == created.id


def test_as_dict(engine):
    created = create_report(engine, make_draft(dispute_type="临时禁令", deadline=date(2026, 12, 1)), TODAY)
    data = get_report(engine, created.id).as_dict()
    assert data["id"] == created.id
    assert data["deadline"] == "2026-12-01"
    assert data["urgent"] is True
    assert data["urgency_reasons"] == ["纠纷类型为临时禁令", "距截止日期仅剩7天"]
    assert data["created_at"].endswith("Z")
    assert [event["status"] for event in data["history"]] == [RECEIVED]


def test_an_urgent_report_has_one_pending_notification(engine):
    report = create_report(engine, make_draft(dispute_type="临时禁令"), TODAY)
    assert report.urgent is True
    assert report.urgency_reasons == ["纠纷类型为临时禁令"]
    notifications = pending(engine)
    assert [n.report_id for n in notifications] == [report.id]
    assert notifications[0].attempts == 0
    assert notifications[0].delivered_at is None
    assert notifications[0].next_attempt_at == report.created_at


def test_an_urgent_report_without_notify_has_no_notification(engine):
    report = create_report(engine, make_draft(dispute_type="临时禁令"), TODAY, notify=False)
    assert report.urgent is True
    assert pending(engine) == []


def test_a_report_with_a_near_deadline_is_urgent(engine):
    report = create_report(engine, make_draft(deadline=TODAY + timedelta(days=10)), TODAY)
    assert report.urgent is True
    assert [n.report_id for n in pending(engine)] == [report.id]


def test_a_non_urgent_report_has_no_notification(engine):
    report = create_report(engine, make_draft(deadline=TODAY + timedelta(days=11)), TODAY)
    assert report.urgent is False
    assert pending(engine) == []


def test_unfair_treatment_feedback_is_never_urgent(engine):
    draft = make_draft(kind=UNFAIR_TREATMENT, dispute_type="临时禁令", deadline=TODAY - timedelta(days=1))
    report = create_report(engine, draft, TODAY)
    assert report.urgent is False
    assert report.urgency_reasons == []
    assert get_report(engine, report.id).urgent is False
    assert pending(engine) == []


def test_an_id_collision_draws_another_id(engine, monkeypatch):
    drawn = iter(["HW-20261124-AAAA", "HW-20261124-AAAA", "HW-20261124-BBBB"])
    monkeypatch.setattr(reports, "new_report_id", lambda today: next(drawn))

    first = create_report(engine, make_draft(), TODAY)
    second = create_report(engine, make_draft(sender_id="bob", dispute_type="海关扣押"), TODAY)

    assert first.id == "HW-20261124-AAAA"
    assert second.id == "HW-20261124-BBBB"
    assert get_report(engine, first.id).sender_id == "alice"
    assert get_report(engine, second.id).sender_id == "bob"
    assert get_report(engine, second.id).urgent is True
    # The failed attempt left nothing behind: one history entry each, one notification.
    with Session(engine) as session:
        events = session.execute(select(ReportEvent.report_id, func.count()).group_by(ReportEvent.report_id)).all()
    assert sorted(events) == [("HW-20261124-AAAA", 1), ("HW-20261124-BBBB", 1)]
    assert [n.report_id for n in pending(engine)] == ["HW-20261124-BBBB"]


def test_no_free_id_after_every_attempt_raises(engine, monkeypatch):
    calls = []

    def same_id(today):
        calls.append(today)
        return "HW-20261124-AAAA"

    monkeypatch.setattr(reports, "new_report_id", same_id)
    create_report(engine, make_draft(), TODAY)
    calls.clear()
    with pytest.raises(RuntimeError, match="no free report id"):
        create_report(engine, make_draft(sender_id="bob"), TODAY)
    assert len(calls) == reports.ID_ATTEMPTS == 8
    assert get_report(engine, "HW-20261124-AAAA").sender_id == "alice"


# --- who may see a report --------------------------------------------------------------


@pytest.mark.parametrize(
    "sender_id, channel, phone, visible",
    [
        ("alice", "rest", None, True),
        ("alice", "rest", "13800000000", True),
        ("mallory", "rest", None, False),
        ("alice", "telegram", None, False),
        ("mallory", "telegram", "139 1234 5678", True),
        ("mallory", "telegram", "+86 139-1234-5678", True),
        ("mallory", "rest", "13912345678", True),
        ("mallory", "rest", "13800000000", False),
        ("mallory", "rest", "abc", False),
        ("mallory", "rest", "", False),
    ],
)
def test_find_for_requester(engine, sender_id, channel, phone, visible):
    report = create_report(engine, make_draft(), TODAY)
    found = find_for_requester(engine, report.id, sender_id, channel, phone)
    if visible:
        assert found.id == report.id
        assert [e.status for e in found.history] == [RECEIVED]  # usable after the session closed
    else:
        assert found is None


def test_find_for_requester_ignores_the_case_of_the_id(engine):
    report = create_report(engine, make_draft(), TODAY)
    assert find_for_requester(engine, report.id.lower(), "alice", "rest").id == report.id


def test_a_stranger_learns_nothing_more_than_for_an_unknown_id(engine):
    report = create_report(engine, make_draft(), TODAY)
    stranger = find_for_requester(engine, report.id, "mallory", "rest", "13800000000")
    unknown = find_for_requester(engine, "HW-20200101-ZZZZ", "alice", "rest", "13912345678")
    assert stranger is None
    assert unknown is None
    assert stranger == unknown


def test_reports_of_lists_this_conversation_newest_first(engine):
    older = create_report(engine, make_draft(), TODAY)
    newer = create_report(engine, make_draft(), TODAY)
    create_report(engine, make_draft(sender_id="bob"), TODAY)
    create_report(engine, make_draft(channel="telegram"), TODAY)
    set_created_at(engine, older.id, datetime(2026, 11, 24, 1, 0))
    set_created_at(engine, newer.id, datetime(2026, 11, 24, 2, 0))
    assert [r.id for r in reports_of(engine, "alice", "rest")] == [newer.id, older.id]


# --- status ----------------------------------------------------------------------------


def test_update_status_records_history(engine):
    report = create_report(engine, make_draft(), TODAY)

    updated = update_status(engine, report.id, IN_PROGRESS, note=" 已电话联系企业 ")
    assert updated.status == IN_PROGRESS
    assert [(e.status, e.note) for e in updated.history][-1] == (IN_PROGRESS, "已电话联系企业")
    assert len(updated.history) == 2

    update_status(engine, report.id.lower(), WITH_EXPERT)
    closed = update_status(engine, report.id, CLOSED, note="结案", result=" 已协助企业完成应诉 ")
    assert closed.result == "已协助企业完成应诉"

    stored = get_report(engine, report.id)
    assert stored.status == CLOSED
    assert stored.result == "已协助企业完成应诉"
    assert [e.status for e in stored.history] == [RECEIVED, IN_PROGRESS, WITH_EXPERT, CLOSED]
    assert [e.note for e in stored.history][1:] == ["已电话联系企业", "", "结案"]
    assert stored.updated_at >= stored.created_at
    assert stored.updated_at == stored.history[-1].at


@pytest.mark.parametrize("result", ["", "   "])
def test_closing_needs_a_result(engine, result):
    report = create_report(engine, make_draft(), TODAY)
    with pytest.raises(ValueError):
        update_status(engine, report.id, CLOSED, result=result)
    stored = get_report(engine, report.id)
    assert stored.status == RECEIVED
    assert len(stored.history) == 1


@pytest.mark.parametrize("status", ["done", "", "closed", "已完成"])
def test_an_unknown_status_is_refused(engine, status):
    report = create_report(engine, make_draft(), TODAY)
    with pytest.raises(ValueError):
        update_status(engine, report.id, status, result="x")
    assert len(get_report(engine, report.id).history) == 1


def test_updating_an_unknown_report_raises_key_error(engine):
    with pytest.raises(NotFound):
        update_status(engine, "HW-20261124-ZZZZ", IN_PROGRESS)


# --- the staff queue -------------------------------------------------------------------


def test_list_reports_puts_urgent_first_then_oldest(engine):
    plain_late = create_report(engine, make_draft(), TODAY)
    urgent_early = create_report(engine, make_draft(dispute_type="临时禁令"), TODAY)
    plain_early = create_report(engine, make_draft(), TODAY)
    urgent_late = create_report(engine, make_draft(dispute_type="展会纠纷"), TODAY)
    # Ages deliberately not in insertion order.
    set_created_at(engine, plain_late.id, datetime(2026, 11, 24, 3, 0))
    set_created_at(engine, urgent_early.id, datetime(2026, 11, 24, 2, 0))
    set_created_at(engine, plain_early.id, datetime(2026, 11, 24, 1, 0))
    set_created_at(engine, urgent_late.id, datetime(2026, 11, 24, 4, 0))

    assert [r.id for r in list_reports(engine)] == [urgent_early.id, urgent_late.id, plain_early.id, plain_late.id]
    assert [r.id for r in list_reports(engine, limit=2)] == [urgent_early.id, urgent_late.id]

    update_status(engine, plain_late.id, IN_PROGRESS)
    assert [r.id for r in list_reports(engine, status=IN_PROGRESS)] == [plain_late.id]
    assert [r.id for r in list_reports(engine, status=RECEIVED)] == [urgent_early.id, urgent_late.id, plain_early.id]


def test_notification_rows_belong_to_their_report(engine):
    report = create_report(engine, make_draft(dispute_type="临时禁令"), TODAY)
    with Session(engine) as session:
        rows = session.scalars(select(Notification)).all()
        assert [(n.report_id, n.report.id) for n in rows] == [(report.id, report.id)]


def test_wrong_phones_are_limited_per_id_across_conversations_then_the_hour_passes(engine, monkeypatch):
    report = create_report(engine, make_draft(), TODAY)
    now = [datetime(2026, 12, 1, 8, 0)]
    monkeypatch.setattr(reports, "utc_now", lambda: now[0])
    for attempt in range(3):
        now[0] += timedelta(minutes=1)
        assert find_for_requester(engine, report.id, f"guess-{attempt}", "rest", "13800000000", 3) is None
    with pytest.raises(PhoneChecksExhausted) as refused:
        find_for_requester(engine, report.id, "someone", "socketio", "13912345678", 3)  # even the right one
    assert refused.value.retry_at == datetime(2026, 12, 1, 9, 1)  # the oldest failure, an hour on
    assert find_for_requester(engine, report.id, "alice", "rest", None, 3).id == report.id  # the owner
    assert find_for_requester(engine, report.id, "someone", "rest", None, 3) is None  # no phone: no check
    now[0] = datetime(2026, 12, 1, 9, 2)
    assert find_for_requester(engine, report.id, "someone", "rest", "13912345678", 3).id == report.id
    failures = phone_check_failures(engine, report.id.lower())
    assert [f.sender_id for f in failures] == ["guess-2", "guess-1", "guess-0"]


def test_an_unknown_id_is_limited_exactly_like_an_existing_one(engine):
    for _ in range(2):
        assert find_for_requester(engine, "HW-20200101-ZZZZ", "mallory", "rest", "13800000000", 2) is None
    with pytest.raises(PhoneChecksExhausted):
        find_for_requester(engine, "hw-20200101-zzzz", "mallory", "rest", "13800000000", 2)
