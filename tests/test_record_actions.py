"""Actions that write records: reports, discarding, report status, subscriptions, handoffs,
session start and the second fallback; each on a fresh database."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, ConversationPaused, SessionStarted, SlotSet

import actions.handoff
from actions.conversation import ActionRequestHuman
from actions.fallback import ActionClarify
from actions.handoff import ActionSessionStart
from actions.knowledge_base import knowledge_base
from actions.reports import ActionDiscardForm, ActionReportStatus, ActionSubmitDispute, ActionSubmitUnfairTreatment
from actions.subscriptions import ActionSubscribeAlerts
from bot.database import create_schema
from knowledge.core.dates import china_time, today_in_china
from knowledge.records import handoffs, notifications, reports
from knowledge.records.models import CLOSED, DISPUTE, HANDOFF_CLOSED, RECEIVED, UNFAIR_TREATMENT
from tests.conftest import project_domain, settings_for

SENDER, CHANNEL = "owner", "rest"
PAUSE = {"event": "pause", "timestamp": None}
REPORT = {
    "company_name": "铜川华陶瓷业有限公司",
    "phone": "13912345678",
    "country": "德国",
    "ip_type": "外观设计",
    "dispute_type": "警告函",
    "description": "我们在德国展会上被投诉外观设计侵权，展品被要求撤下，对方律师要求签署声明。",
    "report_confirmed": True,
}
FORGOTTEN = [
    "country",
    "ip_type",
    "dispute_type",
    "deadline",
    "deadline_candidate",
    "description",
    "description_draft",
    "report_confirmed",
    "form_misses",
]
HISTORY = [
    {"event": "action", "name": "action_listen", "timestamp": 1_700_000_000.0},
    {"event": "user", "text": "我要登记纠纷", "input_channel": CHANNEL, "timestamp": 1_700_000_001.0},
    {"event": "bot", "text": "好的，我来帮您登记这起纠纷。", "timestamp": 1_700_000_002.0},
    {"event": "bot", "text": None, "timestamp": 1_700_000_003.0},
    {"event": "slot", "name": "country", "value": "德国", "timestamp": 1_700_000_004.0},
]
# Wednesday 25 November 2026, 10:00 China time; and the Saturday after.
WEDNESDAY_10 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
SATURDAY_10 = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)


class Clock(datetime):
    """actions.handoff's datetime, stopped at `moment`, so office hours are deterministic."""

    moment = WEDNESDAY_10

    @classmethod
    def now(cls, tz=None):
        return cls.moment if tz is None else cls.moment.astimezone(tz)


def use_settings(monkeypatch, **environ):
    """The action server's settings, as if read from exactly these variables."""
    monkeypatch.setattr(knowledge_base, "settings", settings_for(**{**BASE_SETTINGS, **environ}))


BASE_SETTINGS = {"OFFICE_HOURS": "09:00-17:00", "OFFICE_DAYS": "1-5", "REPORT_REPLY_DAYS": "3"}
DOMAIN = project_domain()


@pytest.fixture(autouse=True)
def settings(monkeypatch):
    use_settings(monkeypatch)
    monkeypatch.setattr(actions.handoff, "datetime", Clock)
    monkeypatch.setattr(Clock, "moment", WEDNESDAY_10)


@pytest.fixture
def engine(tmp_path, monkeypatch):
    engine = create_schema(f"sqlite:///{tmp_path / 't.db'}")
    monkeypatch.setattr(knowledge_base, "_engine", engine)
    return engine


def tracker(
    text="", intent="inform", *, entities=None, slots=None, sender=SENDER, history=(), form=None, paused=False, **parse
):
    """A tracker whose latest message is `text`, sent on the rest channel after `history`."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [], **parse}
    events = [
        *history,
        {"event": "action", "name": "action_listen", "timestamp": 1_700_000_100.0},
        {"event": "user", "text": text, "parse_data": latest, "input_channel": CHANNEL, "timestamp": 1_700_000_101.0},
    ]
    active_loop = {"name": form} if form else {}
    return Tracker(sender, dict(slots or {}), latest, events, paused, None, active_loop, "action_listen")


def run(action, dispatcher, tracker):
    result = action.run(dispatcher, tracker, DOMAIN)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def responses(dispatcher):
    return [m["response"] for m in dispatcher.messages]


def entity(name, value):
    return {"entity": name, "value": value, "start": 0, "end": 0}


def utc(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat()


def file_report(engine, sender=SENDER, **fields):
    draft = reports.ReportDraft(
        kind=fields.pop("kind", DISPUTE),
        company_name=REPORT["company_name"],
        phone=REPORT["phone"],
        country=REPORT["country"],
        description=REPORT["description"],
        channel=CHANNEL,
        sender_id=sender,
        ip_type=REPORT["ip_type"],
        dispute_type=REPORT["dispute_type"],
        **fields,
    )
    return reports.create_report(engine, draft, today_in_china())


def history_line(report):
    return "\n".join(f"{china_time(e.at)} {e.status}{'：' + e.note if e.note else ''}" for e in report.history)


# -- submitting reports ---------------------------------------------------------------------


def test_a_confirmed_dispute_is_saved_and_its_id_given(dispatcher, engine):
    deadline = today_in_china() + timedelta(days=60)
    slots = {**REPORT, "deadline": deadline.isoformat()}
    events = run(ActionSubmitDispute(), dispatcher, tracker("/affirm", "affirm", slots=slots, history=HISTORY))

    assert events == [SlotSet(slot, None) for slot in FORGOTTEN]
    [message] = dispatcher.messages
    assert message["response"] == "utter_dispute_saved"
    assert message["days"] == 3
    saved = reports.get_report(engine, message["report_id"])
    assert saved is not None
    assert (saved.kind, saved.channel, saved.sender_id) == (DISPUTE, CHANNEL, SENDER)
    assert (saved.company_name, saved.phone, saved.country) == ("铜川华陶瓷业有限公司", "13912345678", "德国")
    assert (saved.ip_type, saved.dispute_type, saved.deadline) == ("外观设计", "警告函", deadline)
    assert saved.description == REPORT["description"]
    assert (saved.urgent, saved.status) == (False, RECEIVED)
    assert saved.transcript == [
        {"at": utc(1_700_000_001.0), "from": "user", "text": "我要登记纠纷"},
        {"at": utc(1_700_000_002.0), "from": "bot", "text": "好的，我来帮您登记这起纠纷。"},
        {"at": utc(1_700_000_101.0), "from": "user", "text": "/affirm"},
    ]
    assert notifications.pending(engine) == []
    assert handoffs.open_handoff_of(engine, SENDER) is None


def test_a_dispute_without_a_deadline_is_saved_without_one(dispatcher, engine):
    run(ActionSubmitDispute(), dispatcher, tracker("/affirm", "affirm", slots={**REPORT, "deadline": "无"}))
    saved = reports.get_report(engine, dispatcher.messages[0]["report_id"])
    assert saved.deadline is None


def test_unfair_treatment_keeps_only_its_own_fields_and_is_never_urgent(dispatcher, engine):
    slots = {**REPORT, "dispute_type": "临时禁令", "deadline": today_in_china().isoformat()}
    events = run(ActionSubmitUnfairTreatment(), dispatcher, tracker("/affirm", "affirm", slots=slots))

    assert events == [SlotSet(slot, None) for slot in FORGOTTEN]
    [message] = dispatcher.messages
    assert (message["response"], message["days"]) == ("utter_feedback_saved", 3)
    saved = reports.get_report(engine, message["report_id"])
    assert saved.kind == UNFAIR_TREATMENT
    assert (saved.ip_type, saved.dispute_type, saved.deadline, saved.urgent) == (None, None, None, False)


@pytest.mark.parametrize(
    "dispute_type, days_left, reasons",
    [
        ("临时禁令", None, "纠纷类型为临时禁令"),
        ("警告函", 3, "距截止日期仅剩3天"),
    ],
)
def test_an_urgent_dispute_notifies_staff_and_hands_off(dispatcher, engine, dispute_type, days_left, reasons):
    deadline = "无" if days_left is None else (today_in_china() + timedelta(days=days_left)).isoformat()
    slots = {**REPORT, "dispute_type": dispute_type, "deadline": deadline}
    events = run(ActionSubmitDispute(), dispatcher, tracker("/affirm", "affirm", slots=slots, history=HISTORY))

    assert events == [
        *[SlotSet(slot, None) for slot in FORGOTTEN],
        ActiveLoop(None),
        SlotSet("requested_slot", None),
    ]
    assert responses(dispatcher) == ["utter_dispute_saved_urgent", "utter_handoff_in_hours", "utter_handoff_queued"]
    report_id = dispatcher.messages[0]["report_id"]
    assert dispatcher.messages[0]["reasons"] == reasons
    saved = reports.get_report(engine, report_id)
    assert saved.urgent and saved.urgency_reasons == [reasons]
    [pending] = notifications.pending(engine)
    assert (pending.report_id, pending.delivered_at) == (report_id, None)
    handoff = handoffs.open_handoff_of(engine, SENDER)
    assert (handoff.reason, handoff.urgent, handoff.report_id, handoff.channel) == (
        "urgent_report",
        True,
        report_id,
        CHANNEL,
    )
    assert handoff.slots["company_name"] == REPORT["company_name"]
    assert "report_confirmed" not in handoff.slots
    assert handoff.transcript[-1]["text"] == "/affirm"


def test_an_urgent_dispute_saved_but_not_handed_off_does_not_pause(dispatcher, engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(handoffs, "open_handoff", broken)
    slots = {**REPORT, "dispute_type": "临时禁令", "deadline": "无"}
    events = run(ActionSubmitDispute(), dispatcher, tracker("/affirm", "affirm", slots=slots))
    assert events == [SlotSet(slot, None) for slot in FORGOTTEN]
    assert responses(dispatcher) == ["utter_dispute_saved_urgent", "utter_handoff_failed"]
    assert reports.get_report(engine, dispatcher.messages[0]["report_id"]) is not None


@pytest.mark.parametrize("action", [ActionSubmitDispute(), ActionSubmitUnfairTreatment()])
def test_a_report_that_cannot_be_saved_keeps_the_answers(dispatcher, engine, monkeypatch, action):
    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(reports, "create_report", broken)
    slots = {**REPORT, "deadline": "无"}
    assert run(action, dispatcher, tracker("/affirm", "affirm", slots=slots)) == [SlotSet("report_confirmed", None)]
    assert responses(dispatcher) == ["utter_report_not_saved"]
    assert reports.list_reports(engine) == []
    assert handoffs.queue(engine) == []


# -- discarding a form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form, cleared",
    [
        (
            "dispute_form",
            ["company_name", "country", "deadline", "deadline_candidate", "description", "description_draft"]
            + ["dispute_type", "expert_id", "form_misses", "ip_type", "phone", "report_confirmed"],
        ),
        (
            "unfair_form",
            ["company_name", "country", "deadline", "deadline_candidate", "description", "description_draft"]
            + ["dispute_type", "expert_id", "form_misses", "ip_type", "phone", "report_confirmed"],
        ),
        (
            "expert_form",
            ["country", "deadline", "deadline_candidate", "description", "description_draft", "dispute_type"]
            + ["expert_id", "form_misses", "industry", "ip_type", "report_confirmed"],
        ),
    ],
)
def test_discarding_ends_the_form_and_forgets_its_answers(dispatcher, form, cleared):
    slots = {**REPORT, "requested_slot": "description"}
    events = run(ActionDiscardForm(), dispatcher, tracker("/affirm", "affirm", slots=slots, form=form))
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), *[SlotSet(s, None) for s in sorted(cleared)]]
    assert responses(dispatcher) == ["utter_form_discarded"]


# -- report status ---------------------------------------------------------------------------


def status_request(report_id=None, sender=SENDER, phone=None, text=None, slots=None):
    entities = []
    if report_id:
        entities.append(entity("report_id", report_id))
    if phone:
        entities.append(entity("phone", phone))
    text = text if text is not None else f"查一下{report_id or ''}的进度"
    return tracker(text, "check_report_status", entities=entities, slots=slots, sender=sender)


def test_the_reporter_sees_the_status_and_history(dispatcher, engine):
    report = file_report(engine)
    events = run(ActionReportStatus(), dispatcher, status_request(report.id.lower()))
    assert events == [SlotSet("report_id", None), SlotSet("pending_topic", None)]
    [message] = dispatcher.messages
    assert message["response"] == "utter_report_status"
    assert (message["report_id"], message["kind"], message["status"]) == (report.id, "海外知识产权纠纷登记", "已受理")
    assert message["history"] == history_line(report)
    assert message["history"].endswith("已受理：登记成功，等待工作人员处理")


def test_the_reporter_without_an_id_sees_their_reports(dispatcher, engine):
    first = file_report(engine)
    second = file_report(engine, kind=UNFAIR_TREATMENT)
    file_report(engine, sender="someone-else")
    assert run(ActionReportStatus(), dispatcher, status_request()) == []
    assert responses(dispatcher) == ["utter_report_status", "utter_report_status"]
    assert {m["report_id"] for m in dispatcher.messages} == {first.id, second.id}


def test_a_stranger_is_asked_for_the_phone_whether_or_not_the_id_exists(dispatcher, engine):
    report = file_report(engine)
    unknown = "HW-19990101-ZZZZ"
    known_events = run(ActionReportStatus(), dispatcher, status_request(report.id, sender="stranger"))
    unknown_events = run(ActionReportStatus(), dispatcher, status_request(unknown, sender="stranger"))

    known_message, unknown_message = dispatcher.messages
    assert known_message == {**unknown_message, "report_id": report.id}
    assert known_message["response"] == "utter_ask_report_phone"
    assert known_events == [SlotSet("report_id", report.id), SlotSet("pending_topic", "check_report_status")]
    assert unknown_events == [SlotSet("report_id", unknown), SlotSet("pending_topic", "check_report_status")]


@pytest.mark.parametrize(
    "phone, text",
    [("13912345678", "13912345678"), (None, "电话是 139-1234-5678")],
)
def test_a_stranger_with_the_right_phone_sees_the_status(dispatcher, engine, phone, text):
    report = file_report(engine)
    request = status_request(phone=phone, text=text, sender="stranger", slots={"report_id": report.id})
    events = run(ActionReportStatus(), dispatcher, request)
    assert events == [SlotSet("report_id", None), SlotSet("pending_topic", None)]
    [message] = dispatcher.messages
    assert (message["response"], message["report_id"]) == ("utter_report_status", report.id)


@pytest.mark.parametrize(
    "report_id, text",
    [("HW-2026-1", "帮我查一下HW-2026-1"), (None, "HW123"), (None, "那HW-2026-12呢"), ("HW-20261201-K7P0", None)],
)
def test_a_malformed_id_is_told_the_format_and_not_looked_up(dispatcher, engine, report_id, text):
    events = run(ActionReportStatus(), dispatcher, status_request(report_id, "stranger", text=text))
    assert events == [SlotSet("report_id", None), SlotSet("pending_topic", "check_report_status")]
    [message] = dispatcher.messages
    assert message["response"] == "utter_report_id_malformed"
    assert message["value"] == report_id or message["value"] in text


def test_a_wrong_phone_is_answered_as_an_unknown_id(dispatcher, engine):
    report = file_report(engine)
    unknown = "HW-19990101-ZZZZ"
    wrong = run(ActionReportStatus(), dispatcher, status_request(report.id, "stranger", phone="13800000000"))
    missing = run(ActionReportStatus(), dispatcher, status_request(unknown, "stranger", phone="13800000000"))

    wrong_message, missing_message = dispatcher.messages
    assert wrong_message["response"] == "utter_report_not_found"
    assert wrong_message == {**missing_message, "report_id": report.id}
    assert wrong == missing == [SlotSet("report_id", None), SlotSet("pending_topic", None)]


def test_without_an_id_or_own_reports_the_id_is_asked_for(dispatcher, engine):
    file_report(engine, sender="someone-else")
    assert run(ActionReportStatus(), dispatcher, status_request()) == [SlotSet("pending_topic", "check_report_status")]
    assert responses(dispatcher) == ["utter_ask_report_id"]


def test_a_closed_report_gives_its_result(dispatcher, engine):
    report = file_report(engine)
    closed = reports.update_status(engine, report.id, CLOSED, note="已协助应诉", result="对方撤回投诉")
    run(ActionReportStatus(), dispatcher, status_request(report.id))
    [message] = dispatcher.messages
    assert message["response"] == "utter_report_status_closed"
    assert (message["status"], message["result"]) == ("已办结", "对方撤回投诉")
    assert message["history"] == history_line(reports.get_report(engine, closed.id))
    assert message["history"].split("\n")[1].endswith("已办结：已协助应诉")


# -- subscriptions -------------------------------------------------------------------------------


def subscription_message(text, countries=(), industries=()):
    entities = [entity("country", c) for c in countries] + [entity("industry", i) for i in industries]
    return tracker(text, "subscribe_alerts", entities=entities)


def subscribe(dispatcher, text, countries=(), industries=()):
    return run(ActionSubscribeAlerts(), dispatcher, subscription_message(text, countries, industries))


def test_subscribing_with_a_country_and_an_industry(dispatcher, engine):
    assert subscribe(dispatcher, "订阅德国陶瓷行业的预警", ["德国"], ["陶瓷"]) == [SlotSet("pending_topic", None)]
    [message] = dispatcher.messages
    assert message["response"] == "utter_subscribed"
    assert (message["added"], message["subscriptions"]) == ("德国·陶瓷行业", "德国·陶瓷行业")


def test_an_industry_named_in_other_words_is_said_in_them(dispatcher, engine):
    text = "订阅苹果行业的预警"
    apples = {"entity": "industry", "value": "食品农产品", "start": 2, "end": 4}
    run(ActionSubscribeAlerts(), dispatcher, tracker(text, "subscribe_alerts", entities=[apples]))
    assert dispatcher.messages[-1]["added"] == "食品农产品行业（您说的“苹果”，所有国家）"
    run(ActionSubscribeAlerts(), dispatcher, tracker("退订苹果的", "subscribe_alerts", entities=[apples]))
    assert dispatcher.messages[-1]["removed"] == "食品农产品行业（您说的“苹果”，所有国家）"
    assert dispatcher.messages[-1]["remaining"] == "无"


def test_subscribing_again_says_it_is_already_done(dispatcher, engine):
    subscribe(dispatcher, "订阅美国的预警", ["美国"])
    subscribe(dispatcher, "订阅美国的预警", ["美国"])
    assert responses(dispatcher) == ["utter_subscribed", "utter_already_subscribed"]
    assert dispatcher.messages[1]["subscriptions"] == "美国（所有行业）"


def test_listing_subscriptions(dispatcher, engine):
    subscribe(dispatcher, "我订阅了什么")
    subscribe(dispatcher, "订阅美国的预警", ["美国"])
    subscribe(dispatcher, "订阅陶瓷行业的预警", industries=["陶瓷"])
    assert subscribe(dispatcher, "我订阅了什么") == []
    assert responses(dispatcher) == [
        "utter_no_subscriptions",
        "utter_subscribed",
        "utter_subscribed",
        "utter_subscriptions",
    ]
    assert dispatcher.messages[-1]["subscriptions"] == "美国（所有行业）、陶瓷行业（所有国家）"


def test_unsubscribing_a_country(dispatcher, engine):
    subscribe(dispatcher, "订阅美国的预警", ["美国"])
    subscribe(dispatcher, "订阅陶瓷行业的预警", industries=["陶瓷"])
    assert subscribe(dispatcher, "退订美国的预警", ["美国"]) == []
    message = dispatcher.messages[-1]
    assert (message["response"], message["removed"], message["remaining"]) == (
        "utter_unsubscribed",
        "美国（所有行业）",
        "陶瓷行业（所有国家）",
    )
    subscribe(dispatcher, "取消订阅")
    assert (dispatcher.messages[-1]["removed"], dispatcher.messages[-1]["remaining"]) == ("陶瓷行业（所有国家）", "无")
    subscribe(dispatcher, "取消订阅")
    assert (dispatcher.messages[-1]["response"], dispatcher.messages[-1]["remaining"]) == (
        "utter_nothing_unsubscribed",
        "无",
    )


def test_subscribing_to_nothing_asks_what_to_subscribe_to(dispatcher, engine):
    assert subscribe(dispatcher, "我要订阅预警") == [SlotSet("pending_topic", "subscribe_alerts")]
    assert responses(dispatcher) == ["utter_ask_subscription"]


@pytest.mark.parametrize(
    "text, countries",
    [
        ("歐盟的預警以後別推了", ["欧盟"]),
        ("cancel Vietnam alerts", ["越南"]),
        ("暫停推送一個月", []),
    ],
)
def test_unsubscribing_in_other_words(dispatcher, engine, text, countries):
    subscribe(dispatcher, "订阅", ["欧盟", "越南"])
    subscribe(dispatcher, text, countries)
    assert dispatcher.messages[-1]["response"] == "utter_unsubscribed"


# -- handoff to a person -----------------------------------------------------------------------


HUMAN_SLOTS = {
    "company_name": "铜川华陶瓷业有限公司",
    "country": "美国",
    "requested_slot": "phone",
    "pending_topic": "ask_country_guide",
    "report_confirmed": None,
    "deadline_candidate": None,
    "description": None,
}


def test_asking_for_a_person_in_office_hours_records_it_and_pauses(dispatcher, engine):
    request = tracker("转人工", "request_human", slots=HUMAN_SLOTS, history=HISTORY)
    events = run(ActionRequestHuman(), dispatcher, request)
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), ConversationPaused()]
    assert PAUSE in events
    message, pause = dispatcher.messages
    assert (message["response"], message["hours"]) == ("utter_handoff_in_hours", "周一至周五 09:00-17:00")
    assert pause["response"] == "utter_handoff_paused"
    [handoff] = handoffs.queue(engine)
    assert (handoff.channel, handoff.sender_id) == (CHANNEL, SENDER)
    assert (handoff.reason, handoff.urgent, handoff.report_id) == ("user_request", False, None)
    assert handoff.slots == {"company_name": "铜川华陶瓷业有限公司", "country": "美国"}
    assert [line["text"] for line in handoff.transcript] == ["我要登记纠纷", "好的，我来帮您登记这起纠纷。", "转人工"]


@pytest.mark.parametrize(
    "phone, response",
    [(None, "utter_handoff_after_hours"), ("13912345678", "utter_handoff_after_hours_phone")],
)
def test_asking_for_a_person_after_hours_says_when_staff_answer(dispatcher, engine, monkeypatch, phone, response):
    monkeypatch.setattr(Clock, "moment", SATURDAY_10)
    events = run(ActionRequestHuman(), dispatcher, tracker("转人工", "request_human", slots={"phone": phone}))
    assert PAUSE in events
    message, _ = dispatcher.messages
    assert message["response"] == response
    assert message["next_opening"] == "11月30日（周一）09:00"
    assert message.get("phone") == phone
    assert len(handoffs.queue(engine)) == 1


def test_asking_for_a_person_after_hours_on_the_real_clock(dispatcher, engine, monkeypatch):
    # A one-minute window on a day that is neither today nor tomorrow: closed whatever the time.
    monkeypatch.setattr(actions.handoff, "datetime", datetime)
    weekday = today_in_china().isoweekday()
    use_settings(monkeypatch, OFFICE_HOURS="00:00-00:01", OFFICE_DAYS=str((weekday + 2 - 1) % 7 + 1))
    run(ActionRequestHuman(), dispatcher, tracker("转人工", "request_human"))
    assert responses(dispatcher) == ["utter_handoff_after_hours", "utter_handoff_paused"]


def test_the_hotline_is_given_when_configured(dispatcher, engine, monkeypatch):
    use_settings(monkeypatch, HOTLINE_PHONE="0919-0000000")
    run(ActionRequestHuman(), dispatcher, tracker("转人工", "request_human"))
    assert responses(dispatcher) == ["utter_handoff_in_hours", "utter_handoff_paused", "utter_handoff_hotline"]
    assert dispatcher.messages[2]["hotline_phone"] == "0919-0000000"


def test_a_handoff_that_cannot_be_recorded_does_not_pause(dispatcher, engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(handoffs, "open_handoff", broken)
    assert run(ActionRequestHuman(), dispatcher, tracker("转人工", "request_human")) == []
    assert responses(dispatcher) == ["utter_handoff_failed"]
    assert handoffs.queue(engine) == []


# -- session start ------------------------------------------------------------------------------


COMPANY = "铜川华陶瓷业有限公司"


def session_tracker(sender=SENDER, paused=False):
    slots = {"company_name": COMPANY, "phone": None}
    return tracker("/session_start", "session_start", slots=slots, sender=sender, paused=paused)


def test_a_new_session_of_a_handed_off_conversation_stays_paused(dispatcher, engine):
    handoffs.open_handoff(engine, CHANNEL, SENDER, "user_request", {}, [])
    events = run(ActionSessionStart(), dispatcher, session_tracker(paused=True))
    assert events == [
        SessionStarted(),
        SlotSet("company_name", COMPANY),
        ConversationPaused(),
        ActionExecuted("action_listen"),
    ]
    assert dispatcher.messages == []


@pytest.mark.parametrize("situation", ["none", "closed", "someone else's", "queued, never paused"])
def test_a_new_session_without_an_open_handoff_is_not_paused(dispatcher, engine, situation):
    if situation == "queued, never paused":
        handoffs.open_handoff(engine, CHANNEL, SENDER, "urgent_report", {}, [], urgent=True)
    elif situation == "closed":
        handoff = handoffs.open_handoff(engine, CHANNEL, SENDER, "user_request", {}, [])
        handoffs.finish(engine, handoff.id, HANDOFF_CLOSED)
    elif situation == "someone else's":
        handoffs.open_handoff(engine, CHANNEL, "someone-else", "user_request", {}, [])
    events = run(ActionSessionStart(), dispatcher, session_tracker())
    assert events == [SessionStarted(), SlotSet("company_name", COMPANY), ActionExecuted("action_listen")]


# -- the second fallback in a row --------------------------------------------------------------


def fallback(text, timestamp):
    parse = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.55}, "entities": []}
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": CHANNEL, "timestamp": timestamp}


def test_the_second_miss_in_a_row_queues_a_handoff_and_the_bot_keeps_answering(dispatcher, engine):
    history = [fallback("嗯那个", 1_700_000_001.0), {"event": "bot", "text": "抱歉", "timestamp": 1_700_000_002.0}]
    events = run(ActionClarify(), dispatcher, tracker("还是那个", "nlu_fallback", history=history))
    assert responses(dispatcher) == ["utter_clarify_again", "utter_handoff_in_hours", "utter_handoff_queued"]
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None)]
    [handoff] = handoffs.queue(engine)
    assert handoff.reason == "repeated_fallback"


def test_a_first_miss_only_asks(dispatcher, engine):
    assert run(ActionClarify(), dispatcher, tracker("嗯那个", "nlu_fallback")) == []
    assert responses(dispatcher) == ["utter_clarify"]
    assert handoffs.queue(engine) == []


def test_what_the_classifier_took_for_an_id_that_does_not_start_as_one_is_no_id(dispatcher, engine):
    # 华为和T-Mobile那个官司: the classifier takes “T-” for a report id and Rasa fills the slot.
    text = "华为和T-Mobile那个官司是啥性质"
    run(ActionReportStatus(), dispatcher, status_request("T-", "stranger", text=text, slots={"report_id": "T-"}))
    assert "utter_report_id_malformed" not in responses(dispatcher)
    assert "utter_ask_report_phone" not in responses(dispatcher)
