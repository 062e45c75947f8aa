"""The staff console in process: aiohttp's test client against `make_app`, a fresh SQLite
database per test, and Rasa either unreachable or replaced by a stand-in that records what
the console sends (the real Rasa server is exercised by tests/e2e/)."""

from __future__ import annotations

import asyncio
import socket
from datetime import date
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import inspect

from bot.console.app import make_app
from bot.database import create_schema
from knowledge.core.db import make_engine
from knowledge.library import loader
from knowledge.records import handoffs, notifications, reports
from knowledge.records.models import (
    CLOSED,
    DISPUTE,
    HANDOFF_CLOSED,
    HANDOFF_OPEN,
    HANDOFF_RETURNED,
    IN_PROGRESS,
    RECEIVED,
)
from knowledge.records.reports import ReportDraft, create_report
from knowledge.records.subscriptions import subscribe
from tests.conftest import settings_for

TOKEN = "console-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RASA_TOKEN = "console-test-rasa-token"
TODAY = date(2026, 11, 24)
SENDER = "web 7/张"
SENDER_PATH = "/conversations/web%207%2F%E5%BC%A0"  # as Rasa must receive it: one quoted segment
SLOTS = {"country": "美国", "dispute_type": "临时禁令"}
TRANSCRIPT = [
    {"at": "2026-11-24T08:00:00+00:00", "from": "user", "text": "我要找人工"},
    {"at": "2026-11-24T08:00:01+00:00", "from": "bot", "text": "正在为您转接"},
]
NOT_JSON = "请求体必须是 JSON 对象"
NO_HANDOFF = {"error": "没有这个转人工记录"}
NO_REPORT = {"error": "没有这个登记编号"}
BAD_TEXT = {"error": "text 不能为空，且不超过 2000 字"}
EU_ALERT = "alert-building-hardware-design-eu"
ROUTES = [
    ("GET", "/api/handoffs"),
    ("GET", "/api/handoffs/{handoff_id}"),
    ("POST", "/api/handoffs/{handoff_id}/reply"),
    ("POST", "/api/handoffs/{handoff_id}/close"),
    ("POST", "/api/handoffs/{handoff_id}/hand-back"),
    ("GET", "/api/reports"),
    ("GET", "/api/reports/{report_id}"),
    ("POST", "/api/reports/{report_id}/status"),
    ("GET", "/api/notifications"),
    ("POST", "/api/alerts/{alert_id}/publish"),
    ("GET", "/api/alerts/{alert_id}/deliveries"),
]
# Served without a token: liveness, and the widget with its demo page.
PUBLIC_ROUTES = [("GET", "/health"), ("GET", "/"), ("GET", "/widget.js"), ("GET", "/vendor/socket.io.min.js")]
POST_ROUTES = [path for method, path in ROUTES if method == "POST"]
HANDOFF_ROUTES = [(method, path) for method, path in ROUTES if "{handoff_id}" in path]
VALID_BODY = {"text": "您好", "note": "已处理", "status": IN_PROGRESS}
FINISHES = [("close", "utter_handoff_closed", HANDOFF_CLOSED), ("hand-back", "utter_handed_back", HANDOFF_RETURNED)]


def free_port() -> int:
    """A loopback port nothing listens on (once the socket is closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RasaStandIn:
    """Stands in for Rasa's HTTP API only to check what the console sends to it: it answers
    the paths `RasaClient` calls with a fixed tracker and records every request (its query
    without the token, which it checks as Rasa does). The e2e tests (tests/e2e/) talk to the
    real Rasa server."""

    def __init__(self, tracker: Optional[Dict[str, Any]] = None) -> None:
        self.tracker = tracker or {"sender_id": SENDER, "slots": {}, "events": [], "paused": True}
        self.requests: List[Tuple[str, str, Dict[str, str], Any]] = []
        self.runner: Optional[web.AppRunner] = None

    async def record(self, request: web.Request) -> None:
        query = dict(request.query)
        if query.pop("token", None) != RASA_TOKEN:
            raise web.HTTPUnauthorized()
        body = await request.json() if request.can_read_body else None
        self.requests.append((request.method, request.rel_url.raw_path, query, body))

    async def get_tracker(self, request: web.Request) -> web.Response:
        await self.record(request)
        return web.json_response(self.tracker)

    async def execute(self, request: web.Request) -> web.Response:
        await self.record(request)
        return web.json_response({"tracker": self.tracker, "messages": []})

    async def start(self) -> int:
        app = web.Application()
        app.router.add_get("/conversations/{sender_id}/tracker", self.get_tracker)
        app.router.add_post("/conversations/{sender_id}/tracker/events", self.get_tracker)
        app.router.add_post("/conversations/{sender_id}/execute", self.execute)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return self.runner.addresses[0][1]

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


class Console:
    """A database (fresh, or without tables), and one request at a time to a console on it."""

    def __init__(self, url: str, schema: bool = True) -> None:
        self.url = url
        self.engine = create_schema(url) if schema else make_engine(url)

    def call(self, method: str, path: str, headers=AUTH, rasa: Optional[RasaStandIn] = None, **kwargs) -> Tuple:
        """The status and JSON body of the answer (every answer must be JSON); Rasa is the
        stand-in, or a closed port."""

        async def scenario() -> Tuple[int, Any]:
            port = await rasa.start() if rasa else free_port()
            env = dict(DATABASE_URL=self.url, HOST="127.0.0.1", RASA_PORT=str(port), STAFF_TOKEN=TOKEN)
            env["RASA_TOKEN"] = RASA_TOKEN
            try:
                async with TestClient(TestServer(make_app(settings_for(**env, STAFF_WEBHOOK_URL="")))) as client:
                    response = await client.request(method, path, headers=headers, **kwargs)
                    assert response.content_type == "application/json"
                    return response.status, await response.json()
            finally:
                if rasa:
                    await rasa.stop()

        return asyncio.run(scenario())


@pytest.fixture
def console(tmp_path):
    console = Console(f"sqlite:///{tmp_path / 'console.db'}")
    yield console
    console.engine.dispose()


def open_for(engine, sender_id: str = SENDER, urgent: bool = False):
    return handoffs.open_handoff(engine, "rest", sender_id, "user_request", SLOTS, TRANSCRIPT, urgent=urgent)


def file_report(engine, urgent: bool = False, sender_id: str = "alice"):
    draft = ReportDraft(
        kind=DISPUTE,
        company_name="铜川某某陶瓷有限公司",
        phone="13912345678",
        country="美国",
        description="美国客户转来律师警告函。",
        channel="rest",
        sender_id=sender_id,
        ip_type="外观设计",
        dispute_type="临时禁令" if urgent else "警告函",
        transcript=[{"at": "2026-11-24T08:00:00+00:00", "from": "user", "text": "我们收到了警告函"}],
    )
    return create_report(engine, draft, TODAY)


@pytest.fixture
def records(console):
    """An open handoff and an urgent report (with its pending notification)."""
    return SimpleNamespace(handoff=open_for(console.engine), report=file_report(console.engine, urgent=True))


def path_of(template: str, records, handoff_id: Any = None) -> str:
    ids = dict(report_id=records.report.id, alert_id=EU_ALERT)
    return template.format(handoff_id=handoff_id or records.handoff.id, **ids)


def assert_unchanged(console, records) -> None:
    """The handoff is still open and the report still only received."""
    handoff = handoffs.get_handoff(console.engine, records.handoff.id)
    assert (handoff.status, handoff.staff_note, handoff.closed_at) == (HANDOFF_OPEN, None, None)
    report = reports.get_report(console.engine, records.report.id)
    assert (report.status, report.result, len(report.history)) == (RECEIVED, None, 1)


# --- routes and the token ---------------------------------------------------------------


def test_the_route_table_covers_every_api_route_of_the_app(console):
    app = make_app(settings_for(DATABASE_URL=console.url, STAFF_TOKEN=TOKEN))
    served = {(r.method, r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"}
    assert served == set(ROUTES) | set(PUBLIC_ROUTES)


@pytest.mark.parametrize("method, template", ROUTES)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_every_api_route_refuses_a_missing_or_wrong_token(console, records, method, template, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    status, body = console.call(method, path_of(template, records), headers=headers, json=VALID_BODY)
    assert status == 401
    assert body == {"error": "需要有效的工作人员令牌（Authorization: Bearer …）"}
    assert_unchanged(console, records)


def test_health_needs_no_token(console):
    assert console.call("GET", "/health", headers={}) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    "method, path, headers, expected",
    [
        ("GET", "/api/nothing", AUTH, (404, {"error": "没有这个地址"})),
        ("GET", "/nothing", {}, (404, {"error": "没有这个地址"})),
        ("GET", "/api/nothing", {}, (401, {"error": "需要有效的工作人员令牌（Authorization: Bearer …）"})),
        ("DELETE", "/api/handoffs", AUTH, (405, {"error": "这个地址不支持该请求方法"})),
    ],
)
def test_unknown_routes_and_methods_answer_json(console, method, path, headers, expected):
    assert console.call(method, path, headers=headers) == expected


# --- handoffs -----------------------------------------------------------------------------


def test_the_handoff_queue_is_urgent_first_then_oldest_first_by_status(console):
    open_for(console.engine, "first"), open_for(console.engine, "second")
    urgent = open_for(console.engine, "urgent", urgent=True)
    done = handoffs.finish(console.engine, open_for(console.engine, "done").id, HANDOFF_CLOSED, "已处理")
    status, body = console.call("GET", "/api/handoffs")
    assert status == 200
    assert [h["sender_id"] for h in body["handoffs"]] == ["urgent", "first", "second"]
    assert body["handoffs"][0] == handoffs.get_handoff(console.engine, urgent.id).as_dict()
    assert body["handoffs"][0]["reason_label"] == "用户要求人工服务" and body["handoffs"][0]["urgent"] is True
    assert console.call("GET", "/api/handoffs?status=closed") == (200, {"handoffs": [done.as_dict()]})
    assert console.call("GET", "/api/handoffs?status=returned") == (200, {"handoffs": []})


@pytest.mark.parametrize(
    "path, error",
    [
        ("/api/handoffs?status=pending", "status 只能是 open、closed 或 returned"),
        ("/api/reports?status=done", "status 只能是 已受理、处理中、已转专家、已办结"),
    ],
)
def test_the_queues_refuse_an_unknown_status_filter(console, path, error):
    assert console.call("GET", path) == (400, {"error": error})


@pytest.mark.parametrize("method, template", HANDOFF_ROUTES)
@pytest.mark.parametrize("handoff_id", ["999", "abc", "-1", "²", "１", "99999999999999999999"])
def test_an_unknown_or_malformed_handoff_id_is_404(console, records, method, template, handoff_id):
    status, body = console.call(method, path_of(template, records, handoff_id), json=VALID_BODY)
    assert (status, body) == (404, NO_HANDOFF)
    assert_unchanged(console, records)


def test_without_rasa_a_handoff_shows_its_stored_transcript_and_is_not_live(console, records):
    status, body = console.call("GET", f"/api/handoffs/{records.handoff.id}")
    assert status == 200
    assert body == {"handoff": records.handoff.as_dict(), "slots": SLOTS, "messages": TRANSCRIPT, "live": False}


@pytest.mark.parametrize(
    "action, error",
    [
        ("reply", "对话服务暂时不可用，回复没有发出，请稍后重试"),
        ("close", "对话服务暂时不可用，请稍后重试"),
        ("hand-back", "对话服务暂时不可用，请稍后重试"),
    ],
)
def test_without_rasa_staff_actions_answer_502_and_change_nothing(console, records, action, error):
    status, body = console.call("POST", f"/api/handoffs/{records.handoff.id}/{action}", json=VALID_BODY)
    assert (status, body) == (502, {"error": error})
    assert_unchanged(console, records)


class HangingRasa(RasaStandIn):
    """A Rasa that accepts the connection and never answers in time."""

    async def get_tracker(self, request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response(self.tracker)


def test_a_rasa_that_hangs_is_treated_as_unavailable(console, records, monkeypatch):
    import bot.console.rasa_client

    monkeypatch.setattr(bot.console.rasa_client, "TIMEOUT", aiohttp.ClientTimeout(total=0.3))
    status, body = console.call("GET", f"/api/handoffs/{records.handoff.id}", rasa=HangingRasa())
    assert (status, body["live"], body["messages"]) == (200, False, TRANSCRIPT)
    status, body = console.call("POST", f"/api/handoffs/{records.handoff.id}/close", rasa=HangingRasa(), json={})
    assert (status, body) == (502, {"error": "对话服务暂时不可用，请稍后重试"})
    assert_unchanged(console, records)


@pytest.mark.parametrize("text", ["", "   ", None, "字" * 2001, 123, ["您好"]])
def test_a_reply_needs_a_text_of_at_most_2000_characters(console, records, text):
    body = {} if text is None else {"text": text}
    assert console.call("POST", f"/api/handoffs/{records.handoff.id}/reply", json=body) == (400, BAD_TEXT)


@pytest.mark.parametrize("finished_as", [HANDOFF_CLOSED, HANDOFF_RETURNED])
@pytest.mark.parametrize(
    "action, error", [("reply", "该会话已结束人工服务，不能再回复"), ("close", ""), ("hand-back", "")]
)
def test_a_finished_handoff_cannot_be_replied_to_or_finished_again(console, records, finished_as, action, error):
    handoffs.finish(console.engine, records.handoff.id, finished_as, "先前的备注")
    status, body = console.call("POST", f"/api/handoffs/{records.handoff.id}/{action}", json=VALID_BODY)
    assert (status, body) == (409, {"error": error or f"该记录已是 {finished_as} 状态"})
    stored = handoffs.get_handoff(console.engine, records.handoff.id)
    assert (stored.status, stored.staff_note) == (finished_as, "先前的备注")


# --- request bodies -----------------------------------------------------------------------


@pytest.mark.parametrize("template", POST_ROUTES)
@pytest.mark.parametrize("data", [b"not json", b'{"text": ', b"[1, 2]", '"您好"'.encode(), b"null", b"42"])
def test_every_post_route_refuses_a_body_that_is_not_a_json_object(console, records, template, data):
    status, body = console.call("POST", path_of(template, records), data=data)
    assert (status, body) == (400, {"error": NOT_JSON})
    assert_unchanged(console, records)


@pytest.mark.parametrize("template", POST_ROUTES)
def test_every_post_route_refuses_a_body_over_64_kib(console, records, template):
    big = {"text": "您好", "status": CLOSED, "result": "办结", "note": "x" * (64 * 1024)}
    status, body = console.call("POST", path_of(template, records), json=big)
    assert (status, body) == (413, {"error": "请求体太大（上限 65536 字节）"})
    assert_unchanged(console, records)


# --- reports and notifications ------------------------------------------------------------


def test_reports_are_listed_urgent_first_without_history_or_description(console):
    plain = file_report(console.engine, sender_id="plain")
    urgent = file_report(console.engine, urgent=True, sender_id="urgent")
    summaries = [{k: v for k, v in r.as_dict().items() if k not in ("history", "description")} for r in (urgent, plain)]
    assert console.call("GET", "/api/reports") == (200, {"reports": summaries})
    reports.update_status(console.engine, plain.id, IN_PROGRESS, "开始处理")
    status, body = console.call("GET", "/api/reports?status=处理中")
    assert [(r["id"], r["status"]) for r in body["reports"]] == [(plain.id, IN_PROGRESS)]
    assert [r["id"] for r in console.call("GET", "/api/reports?status=")[1]["reports"]] == [urgent.id, plain.id]


def test_a_report_is_shown_with_its_history_and_transcript(console, records):
    expected = {"report": records.report.as_dict(), "transcript": records.report.transcript, "phone_check_failures": []}
    assert expected["report"]["history"] == [
        {"at": expected["report"]["created_at"], "status": RECEIVED, "note": "登记成功，等待工作人员处理"}
    ]
    assert console.call("GET", f"/api/reports/{records.report.id}") == (200, expected)
    assert console.call("GET", f"/api/reports/{records.report.id.lower()}") == (200, expected)
    assert console.call("GET", "/api/reports/HW-20261124-ZZZZ") == (404, NO_REPORT)


@pytest.mark.parametrize(
    "body", [{"status": IN_PROGRESS, "note": " 已联系企业 "}, {"status": CLOSED, "result": "和解"}]
)
def test_a_report_moves_to_a_new_status_with_a_history_entry(console, records, body):
    status, answer = console.call("POST", f"/api/reports/{records.report.id}/status", json=body)
    stored = reports.get_report(console.engine, records.report.id)
    assert (status, answer) == (200, {"report": stored.as_dict()})
    assert (stored.status, stored.result) == (body["status"], body.get("result"))
    assert [(e.status, e.note) for e in stored.history] == [
        (RECEIVED, "登记成功，等待工作人员处理"),
        (body["status"], body.get("note", "").strip()),
    ]


@pytest.mark.parametrize(
    "body, error",
    [
        ({"status": "已删除"}, "status 只能是 已受理、处理中、已转专家、已办结"),
        ({}, "status 只能是 已受理、处理中、已转专家、已办结"),
        ({"status": CLOSED, "result": "  "}, "设为已办结时必须填写办理结果（result）"),
    ],
)
def test_a_report_refuses_a_status_not_allowed_or_closing_without_result(console, records, body, error):
    path = f"/api/reports/{records.report.id}/status"
    assert console.call("POST", path, json=body) == (400, {"error": error})
    assert_unchanged(console, records)


def test_the_status_of_an_unknown_report_is_404(console):
    status = {"status": IN_PROGRESS}
    assert console.call("POST", "/api/reports/HW-20261124-ZZZZ/status", json=status) == (404, NO_REPORT)


def test_pending_notifications_are_the_undelivered_urgent_reports(console, records):
    file_report(console.engine, sender_id="not-urgent")
    due = records.report.as_dict()["created_at"]  # the first attempt is due when the report is saved
    expected = {"report_id": records.report.id, "attempts": 0, "next_attempt_at": due, "last_error": None}
    assert console.call("GET", "/api/notifications") == (200, {"pending": [expected]})
    assert [n.report_id for n in notifications.pending(console.engine)] == [records.report.id]


def test_publishing_an_alert_reaches_its_subscribers_once_and_lists_the_deliveries(console):
    assert loader.load(console.engine).errors == []
    subscribe(console.engine, "rest", "alice", ["欧盟"], [])
    subscribe(console.engine, "rest", "bob", ["美国"], [])
    published = (200, {"alert_id": EU_ALERT, "new_subscribers": 1, "reached_before": 0})
    assert console.call("POST", f"/api/alerts/{EU_ALERT}/publish") == published
    again = (200, {"alert_id": EU_ALERT, "new_subscribers": 0, "reached_before": 1})
    assert console.call("POST", f"/api/alerts/{EU_ALERT}/publish") == again
    status, body = console.call("GET", f"/api/alerts/{EU_ALERT}/deliveries")
    assert status == 200 and [(d["sender_id"], d["delivered_at"]) for d in body["deliveries"]] == [("alice", None)]


def test_an_unknown_or_unpublished_alert_is_404(console):
    assert loader.load(console.engine).errors == []
    unknown = (404, {"error": "知识库里没有这个预警编号"})
    assert console.call("POST", "/api/alerts/alert-nonexistent/publish") == unknown
    assert console.call("GET", f"/api/alerts/{EU_ALERT}/deliveries") == (404, {"error": "这个预警还没有发布过"})


# --- with a stand-in for Rasa -------------------------------------------------------------


def test_a_live_handoff_shows_the_trackers_messages_and_filled_slots(console, records):
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "我要找人工", "timestamp": 2.0},
        {"event": "bot", "text": "正在为您转接", "timestamp": 3.0, "metadata": {}},
        {"event": "user", "text": "", "timestamp": 4.0},
        {"event": "bot", "text": "您好，我是值班工作人员", "timestamp": 5.0, "metadata": {"staff": "人工服务"}},
    ]
    rasa = RasaStandIn({"slots": {"country": "德国", "phone": None}, "events": events, "paused": True})
    status, body = console.call("GET", f"/api/handoffs/{records.handoff.id}", rasa=rasa)
    assert status == 200
    assert body == {
        "handoff": records.handoff.as_dict(),
        "slots": {"country": "德国"},
        "messages": [
            {"at": 2.0, "from": "user", "text": "我要找人工"},
            {"at": 3.0, "from": "bot", "text": "正在为您转接"},
            {"at": 5.0, "from": "staff", "text": "您好，我是值班工作人员"},
        ],
        "paused": True,
        "live": True,
    }
    assert rasa.requests == [("GET", f"{SENDER_PATH}/tracker", {"include_events": "AFTER_RESTART"}, None)]


@pytest.mark.parametrize("text, sent", [("  您好，请提供起诉书 ", "您好，请提供起诉书"), ("字" * 2000, "字" * 2000)])
def test_a_reply_pauses_the_bot_and_sends_one_staff_bot_event_to_the_users_channel(console, records, text, sent):
    rasa = RasaStandIn()
    path = f"/api/handoffs/{records.handoff.id}/reply"
    assert console.call("POST", path, json={"text": text}, rasa=rasa) == (200, {"sent": True})
    events = [{"event": "pause"}, {"event": "bot", "text": sent, "metadata": {"staff": "人工服务"}}]
    query = {"output_channel": "latest", "execute_side_effects": "true"}
    assert rasa.requests == [("POST", f"{SENDER_PATH}/tracker/events", query, events)]
    assert handoffs.get_handoff(console.engine, records.handoff.id).status == HANDOFF_OPEN


@pytest.mark.parametrize("action, response, finished_as", FINISHES)
def test_finishing_resumes_the_bot_tells_the_user_and_records_the_note(console, records, action, response, finished_as):
    rasa = RasaStandIn()
    path = f"/api/handoffs/{records.handoff.id}/{action}"
    status, body = console.call("POST", path, json={"note": "  已指导企业应诉 "}, rasa=rasa)
    listen = {"event": "action", "name": "action_listen", "policy": None, "confidence": None}
    assert rasa.requests == [
        ("POST", f"{SENDER_PATH}/tracker/events", {}, [{"event": "resume"}]),
        ("POST", f"{SENDER_PATH}/execute", {"output_channel": "latest"}, {"name": response}),
        ("POST", f"{SENDER_PATH}/tracker/events", {}, [listen]),
    ]
    stored = handoffs.get_handoff(console.engine, records.handoff.id)
    assert (status, body) == (200, {"handoff": stored.as_dict()})
    assert (stored.status, stored.staff_note) == (finished_as, "已指导企业应诉")
    assert stored.closed_at is not None
    assert handoffs.open_handoff_of(console.engine, SENDER) is None


# --- the console does not make tables -----------------------------------------------------


def test_on_a_database_without_tables_the_console_serves_health_and_creates_nothing(tmp_path):
    console = Console(f"sqlite:///{tmp_path / 'empty.db'}", schema=False)
    try:
        assert console.call("GET", "/health", headers={}) == (200, {"status": "ok"})
        assert console.call("GET", "/api/handoffs") == (500, {"error": "服务器内部错误，请稍后重试"})
        assert inspect(console.engine).get_table_names() == []
    finally:
        console.engine.dispose()
