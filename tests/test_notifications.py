"""Staff notifications of urgent reports, delivered to a real webhook receiver on 127.0.0.1."""

import json
import socket
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.database import create_schema
from knowledge.core.dates import utc_now
from knowledge.records.models import DISPUTE, Notification
from knowledge.records.notifications import (
    CLAIM_S,
    Delivery,
    deliver_due,
    pending,
    post_json,
    retry_delay,
)
from knowledge.records.reports import ReportDraft, create_report, get_report

TODAY = date(2026, 11, 24)


class Receiver:
    """A webhook receiver that records every JSON body and can fail the first N requests."""

    def __init__(self):
        self.bodies = []
        self.content_types = []
        self.failures_left = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                with receiver.lock:
                    receiver.bodies.append(body)
                    receiver.content_types.append(self.headers["Content-Type"])
                    fail = receiver.failures_left > 0
                    if fail:
                        receiver.failures_left -= 1
                answer = b'{"errcode": 1}' if fail else b'{"errcode": 0}'
                self.send_response(500 if fail else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format, *args):
                """No access log: the tests look at what was received."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def report_ids(self):
        return [body["report"]["id"] for body in self.bodies]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Requests to 127.0.0.1 must not go through a proxy configured in the environment."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
    receiver.thread.join(timeout=5)


@pytest.fixture
def engine(tmp_path):
    return create_schema(f"sqlite:///{tmp_path / 't.db'}")


@pytest.fixture
def closed_port_url():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def urgent_report(engine, **overrides):
    values = dict(
        kind=DISPUTE,
        company_name="铜川某某陶瓷有限公司",
        phone="13912345678",
        country="德国",
        description="我司在德国展会上被申请临时禁令，展品被要求撤下。",
        channel="rest",
        sender_id="alice",
        ip_type="外观设计",
        dispute_type="临时禁令",
        deadline=None,
    )
    values.update(overrides)
    return create_report(engine, ReportDraft(**values), TODAY)


def notification_of(engine, report_id):
    with Session(engine) as session:
        return session.scalars(select(Notification).where(Notification.report_id == report_id)).one()


def test_a_delivery_posts_the_report_and_marks_it_delivered(engine, receiver):
    report = urgent_report(engine)
    result = deliver_due(engine, receiver.url, now=utc_now())

    assert result == Delivery(delivered=[report.id], failed=[])
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["msgtype"] == "text"
    assert report.id in body["text"]["content"]
    assert body["text"]["content"].startswith(f"【紧急】海外知识产权纠纷登记 {report.id}\n")
    assert "紧急原因：纠纷类型为临时禁令" in body["text"]["content"]
    assert "截止日期：无" in body["text"]["content"]
    assert body["report"] == {
        "id": report.id,
        "kind": DISPUTE,
        "urgency_reasons": ["纠纷类型为临时禁令"],
        "company_name": "铜川某某陶瓷有限公司",
        "phone": "13912345678",
        "country": "德国",
        "ip_type": "外观设计",
        "dispute_type": "临时禁令",
        "deadline": None,
    }
    assert receiver.content_types == ["application/json; charset=utf-8"]

    assert pending(engine) == []
    notification = notification_of(engine, report.id)
    assert notification.delivered_at is not None
    assert notification.attempts == 1
    assert notification.last_error is None


def test_the_deadline_is_in_the_message(engine, receiver):
    report = urgent_report(engine, dispute_type="警告函", deadline=date(2026, 11, 30))
    deliver_due(engine, receiver.url, now=utc_now())
    body = receiver.bodies[0]
    assert body["report"]["id"] == report.id
    assert body["report"]["deadline"] == "2026-11-30"
    assert "截止日期：2026-11-30" in body["text"]["content"]
    assert "距截止日期仅剩6天" in body["text"]["content"]


def test_a_failed_delivery_is_retried_when_due(engine, receiver):
    report = urgent_report(engine)
    receiver.failures_left = 1
    now = utc_now()

    first = deliver_due(engine, receiver.url, now=now)
    assert first == Delivery(delivered=[], failed=[report.id])
    notification = notification_of(engine, report.id)
    assert notification.attempts == 1
    assert notification.last_error.startswith("HTTPError")
    assert "500" in notification.last_error
    assert notification.next_attempt_at == now + timedelta(seconds=10)
    assert notification.next_attempt_at > now
    assert notification.claimed_until is None
    assert notification.delivered_at is None
    assert [n.report_id for n in pending(engine)] == [report.id]

    second = deliver_due(engine, receiver.url, now=now)
    assert second == Delivery(delivered=[], failed=[])
    assert len(receiver.bodies) == 1

    third = deliver_due(engine, receiver.url, now=notification.next_attempt_at)
    assert third == Delivery(delivered=[report.id], failed=[])
    assert receiver.report_ids() == [report.id, report.id]
    assert pending(engine) == []
    assert notification_of(engine, report.id).attempts == 2


def test_repeated_failures_wait_longer(engine, receiver):
    report = urgent_report(engine)
    receiver.failures_left = 3
    now = utc_now()
    waits = []
    for _ in range(3):
        assert deliver_due(engine, receiver.url, now=now).failed == [report.id]
        notification = notification_of(engine, report.id)
        waits.append(notification.next_attempt_at - now)
        now = notification.next_attempt_at
    assert waits == [timedelta(seconds=10), timedelta(seconds=30), timedelta(seconds=60)]
    assert deliver_due(engine, receiver.url, now=now).delivered == [report.id]
    assert notification_of(engine, report.id).attempts == 4


def test_connection_refused_keeps_the_report_and_the_notification(engine, closed_port_url):
    report = urgent_report(engine)
    result = deliver_due(engine, closed_port_url, now=utc_now())

    assert result == Delivery(delivered=[], failed=[report.id])
    assert get_report(engine, report.id) is not None
    assert [n.report_id for n in pending(engine)] == [report.id]
    notification = notification_of(engine, report.id)
    assert notification.attempts == 1
    assert notification.last_error.startswith("URLError")
    assert notification.delivered_at is None


def test_without_a_url_nothing_is_sent_and_the_notification_waits(engine, receiver):
    report = urgent_report(engine)
    now = utc_now()

    assert deliver_due(engine, "", now=now) == Delivery(delivered=[], failed=[])
    assert receiver.bodies == []
    notification = notification_of(engine, report.id)
    assert (notification.attempts, notification.delivered_at, notification.claimed_until) == (0, None, None)

    assert deliver_due(engine, receiver.url, now=now).delivered == [report.id]


@pytest.mark.parametrize(
    "attempts, seconds",
    [(1, 10), (2, 30), (3, 60), (4, 300), (5, 900), (6, 900), (50, 900)],
)
def test_retry_delay(attempts, seconds):
    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_retry_delay_grows_and_is_capped():
    delays = [retry_delay(n) for n in range(1, 30)]
    assert delays == sorted(delays)
    assert delays[0] < delays[-1]
    assert max(delays) == timedelta(minutes=15)


def test_consecutive_calls_never_send_a_notification_twice(engine, receiver):
    first = urgent_report(engine)
    second = urgent_report(engine, sender_id="bob", dispute_type="337调查")
    now = utc_now()

    once = deliver_due(engine, receiver.url, now=now)
    again = deliver_due(engine, receiver.url, now=now)
    later = deliver_due(engine, receiver.url, now=now + timedelta(hours=1))

    assert sorted(once.delivered) == sorted([first.id, second.id])
    assert again == later == Delivery(delivered=[], failed=[])
    assert sorted(receiver.report_ids()) == sorted([first.id, second.id])


def test_a_claimed_notification_is_not_sent_by_another_caller(engine, receiver):
    report = urgent_report(engine)
    now = utc_now()
    inner_results = []

    def send_while_another_caller_runs(url, body):
        # Another process calls deliver_due while this one is sending.
        inner_results.append(deliver_due(engine, url, now=now))
        post_json(url, body)

    outer = deliver_due(engine, receiver.url, now=now, send=send_while_another_caller_runs)

    assert inner_results == [Delivery(delivered=[], failed=[])]
    assert outer == Delivery(delivered=[report.id], failed=[])
    assert receiver.report_ids() == [report.id]


class Crash(BaseException):
    """The sending process dies mid-delivery."""


def test_a_crashed_senders_claim_expires(engine, receiver):
    report = urgent_report(engine)
    now = utc_now()

    def crash(url, body):
        raise Crash()

    with pytest.raises(Crash):
        deliver_due(engine, receiver.url, now=now, send=crash)
    notification = notification_of(engine, report.id)
    assert notification.claimed_until == now + timedelta(seconds=CLAIM_S)
    assert notification.attempts == 0

    still_claimed = deliver_due(engine, receiver.url, now=now + timedelta(seconds=CLAIM_S - 1))
    assert still_claimed == Delivery(delivered=[], failed=[])
    assert receiver.bodies == []

    expired = deliver_due(engine, receiver.url, now=now + timedelta(seconds=CLAIM_S + 1))
    assert expired == Delivery(delivered=[report.id], failed=[])
    assert receiver.report_ids() == [report.id]


def test_pending_lists_undelivered_oldest_first(engine, receiver):
    first = urgent_report(engine)
    second = urgent_report(engine, sender_id="bob")
    assert [n.report_id for n in pending(engine)] == [first.id, second.id]
    deliver_due(engine, receiver.url, now=utc_now())
    assert pending(engine) == []
