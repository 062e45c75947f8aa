"""Every door of the security probe (issue 11), against the real servers: Rasa's HTTP API and
the action server behind their tokens, CORS only for the widget's origin, conversations bound
to their channel, limits, 4xx for bad bodies, owner-only files."""

import asyncio
import json
import os
import socket
import stat
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import requests
import socketio

from bot.database import prepare_database
from bot.processes import Servers
from knowledge.core.db import make_engine
from knowledge.records.reports import ReportDraft, create_report
from tests.e2e.conftest import (
    ACTION_TOKEN,
    CHANNEL_TOKEN,
    RASA_TOKEN,
    WIDGET_ORIGIN,
    Chat,
    Widget,
    make_settings,
    until,
)

pytestmark = pytest.mark.e2e

CONVERSATION = "/conversations/{sender}/tracker"
# Every route of Rasa's HTTP API that reads or changes a conversation or the model.
GUARDED = [
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("GET", "/conversations/victim/tracker", None),
    ("GET", "/conversations/victim/story", None),
    ("POST", "/conversations/victim/tracker/events", [{"event": "slot", "name": "phone", "value": "1"}]),
    ("PUT", "/conversations/victim/tracker/events", []),
    ("POST", "/conversations/victim/execute", {"name": "utter_greet"}),
    ("POST", "/conversations/victim/trigger_intent", {"name": "request_human"}),
    ("POST", "/conversations/victim/messages", {"text": "人工服务", "sender": "user"}),
    ("POST", "/conversations/victim/predict", None),
    ("POST", "/model/parse", {"text": "你好"}),
    ("POST", "/model/predict", []),
    ("PUT", "/model", {"model_file": "/etc/passwd"}),
    ("DELETE", "/model", None),
    ("POST", "/model/train", {}),
]


def rest(url, body=None, data=None, headers=None):
    return requests.post(f"{url}/webhooks/rest/webhook", json=body, data=data, headers=headers, timeout=30)


def user_texts(servers, sender):
    """What the conversation `sender` has stored of its user's messages."""
    url = servers.settings.rasa_url + CONVERSATION.format(sender=sender)
    events = requests.get(url, params={"token": RASA_TOKEN}, timeout=30).json()["events"]
    return [e["text"] for e in events if e["event"] == "user"]


@pytest.mark.parametrize("method, path, body", GUARDED)
def test_rasa_api_routes_need_the_rasa_token(servers, method, path, body):
    url = servers.settings.rasa_url + path
    for params in ({}, {"token": "wrong"}, {"token": ""}):
        response = requests.request(method, url, params=params, json=body, timeout=30)
        assert response.status_code == 401, (method, path, params, response.text)


def test_with_the_token_the_api_answers_and_nobody_else_changed_a_conversation(servers):
    response = requests.get(f"{servers.settings.rasa_url}/conversations/victim/tracker", params={"token": RASA_TOKEN})
    assert response.status_code == 200
    assert [e for e in response.json()["events"] if e["event"] in ("user", "slot", "bot")] == []


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("POST", "/model/parse", "[1]"),
        ("POST", "/model/parse", '{"text": 5}'),
        ("POST", "/model/parse", '{"text": "\\ud800"}'),
        ("POST", "/model/parse", "not json"),
        ("POST", "/model/predict", "{}"),
        ("PUT", "/model", "[1]"),
        ("POST", "/conversations/victim/trigger_intent", "[1]"),
        ("POST", "/conversations/victim/messages", '{"sender": "user"}'),
        ("POST", "/conversations/victim/execute", '{"name": 5}'),
        ("POST", "/conversations/victim/tracker/events", "[1]"),
        ("PUT", "/conversations/victim/tracker/events", "x"),
    ],
)
def test_with_the_token_a_malformed_api_body_is_a_400_not_a_500(servers, method, path, data):
    url = servers.settings.rasa_url + path
    response = requests.request(method, url, params={"token": RASA_TOKEN}, data=data.encode(), timeout=30)
    assert response.status_code == 400 and response.json()["message"]


@pytest.mark.parametrize("path", ["/", "/version", "/webhooks/rest/", "/socket.io/"])
def test_health_and_channel_routes_are_public(servers, path):
    response = requests.get(servers.settings.rasa_url + path, params={"EIO": "4", "transport": "polling"}, timeout=30)
    assert response.status_code == 200


def test_cors_answers_only_the_widgets_origin_never_any(servers):
    url = f"{servers.settings.rasa_url}/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST"}
    evil = requests.options(url, headers={"Origin": "https://evil.example", **preflight}, timeout=30)
    assert "Access-Control-Allow-Origin" not in evil.headers
    widget = requests.options(url, headers={"Origin": WIDGET_ORIGIN, **preflight}, timeout=30)
    assert widget.headers.get("Access-Control-Allow-Origin") == WIDGET_ORIGIN


def test_the_action_server_runs_nothing_without_the_action_token(servers):
    s = servers.settings
    url = f"http://{s.action_host}:{s.action_port}"
    forged = {
        "next_action": "action_report_status",
        "sender_id": "mallory",
        "tracker": {"sender_id": "victim", "slots": {"report_id": "HW-20261201-ABCD"}, "events": []},
        "domain": {},
        "version": "3.6.2",
    }
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ACTION_TOKEN}):
        response = requests.post(f"{url}/webhook", json=forged, headers=headers, timeout=30)
        assert response.status_code == 401 and response.json() == {"error": "unauthorized"}
        assert requests.get(f"{url}/actions", headers=headers, timeout=30).status_code == 401
    assert requests.get(f"{url}/health", timeout=30).status_code == 200
    authorised = {"Authorization": f"Bearer {ACTION_TOKEN}"}
    assert requests.get(f"{url}/actions", headers=authorised, timeout=30).status_code == 200


def test_the_action_server_listens_on_loopback_only(servers):
    address = outside_address()
    with socket.socket() as probe:
        probe.settimeout(3)
        assert probe.connect_ex((address, servers.settings.action_port)) != 0


@pytest.mark.parametrize(
    "body, data",
    [
        (None, "[1, 2]"),
        (None, '"just a string"'),
        (None, "not json at all"),
        (None, ""),
        ({"message": "你好"}, None),
        ({"sender": "", "message": "你好"}, None),
        ({"sender": "   ", "message": "你好"}, None),
        ({"sender": 42, "message": "你好"}, None),
        ({"sender": "x" * 200, "message": "你好"}, None),
        ({"sender": "u-ok", "message": 5}, None),
        ({"sender": "u-ok", "message": None}, None),
        ({"sender": "u-ok", "message": ["你好"]}, None),
        ({"sender": "u-ok", "message": "你好", "metadata": "x"}, None),
        ({"sender": "web-someone", "message": "你好"}, None),
        ({"sender": "wx-openid", "message": "你好"}, None),
        (None, '{"sender": "u-ok", "message": "\\ud800"}'),
    ],
)
def test_a_bad_body_gets_a_400_with_a_json_error_and_nothing_is_stored(servers, body, data):
    url = servers.settings.rasa_url
    response = rest(url, body, data.encode() if data is not None else None)
    assert response.status_code == 400 and response.json()["error"]
    for sender in ("default", "u-ok", "web-someone", "wx-openid"):
        assert user_texts(servers, sender) == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(servers):
    big = json.dumps({"sender": "big", "message": "a" * (servers.settings.max_body_bytes + 1)})
    response = rest(servers.settings.rasa_url, data=big.encode())
    assert response.status_code == 413 and response.json()["status"] == 413
    parse = requests.post(
        f"{servers.settings.rasa_url}/model/parse", params={"token": RASA_TOKEN}, data=big.encode(), timeout=30
    )
    assert parse.status_code == 413
    assert user_texts(servers, "big") == []


def test_a_message_over_the_character_limit_is_answered_with_the_limit_and_not_stored(servers):
    limit = servers.settings.max_message_chars
    response = rest(servers.settings.rasa_url, {"sender": "long-one", "message": "字" * (limit + 1)})
    assert response.status_code == 413 and f"{limit}字" in response.json()["error"]
    assert user_texts(servers, "long-one") == []
    # The longest message allowed fits in a body even with every character escaped as \\u plus four hex digits.
    assert rest(servers.settings.rasa_url, {"sender": "long-two", "message": "字" * limit}).status_code == 200


def conversation_of_token(token):
    return "web-" + token.split(".")[0]


def test_widget_conversations_are_issued_by_the_server_and_cannot_be_joined(servers, staff):
    async def scenario():
        alice = Widget(servers.settings.rasa_url)
        token = await alice.open()
        await alice.say("转人工", wait_for=lambda t: "人工" in t)
        conversation = conversation_of_token(token)
        # Mallory knows Alice's conversation id but not her token: a made-up token, her id as
        # session_id and a tampered signature all land in conversations of Mallory's own.
        mallory = Widget(servers.settings.rasa_url)
        own = await mallory.open(token=token.split(".")[0] + ".forged")
        assert own != token
        assert await mallory.request(token=token[:-3] + "AAA") != token
        await mallory.say("你好", session_id=conversation)
        handoff = staff.handoff_of(conversation)
        assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": "只给企业本人看的答复"}).ok
        await until(lambda: "只给企业本人看的答复" in alice.texts())
        await asyncio.sleep(1)
        seen_by_mallory = mallory.texts()
        await mallory.close()
        # Alice's own token after a reload gets her conversation back.
        await alice.close()
        again = Widget(servers.settings.rasa_url)
        assert await again.open(token=token) == token
        await again.close()
        return alice.texts(), seen_by_mallory, conversation

    alice_saw, mallory_saw, conversation = asyncio.run(scenario())
    assert "只给企业本人看的答复" in alice_saw
    assert "只给企业本人看的答复" not in mallory_saw
    assert user_texts(servers, conversation) == ["转人工"]


def test_pages_of_other_origins_cannot_open_a_widget_socket(servers):
    async def scenario(origin):
        widget = Widget(servers.settings.rasa_url, origin)
        try:
            await widget.open()
        except socketio.exceptions.ConnectionError:
            return False
        await widget.close()
        return True

    assert asyncio.run(scenario("https://evil.example")) is False
    assert asyncio.run(scenario(WIDGET_ORIGIN)) is True


def test_wrong_phone_numbers_are_limited_per_report_across_conversations(servers, staff):
    engine = make_engine(servers.settings.database_url)
    draft = ReportDraft("dispute", "铜川安全测试有限公司", "13912340000", "美国", "收到警告函", "rest", "owner-1")
    report = create_report(engine, draft, date(2026, 12, 1), notify=False)
    limit = servers.settings.phone_checks_per_hour
    for attempt in range(limit):
        guesser = Chat(servers.settings.rasa_url)  # a new conversation each time: no help
        guesser.say(f"查一下{report.id}的进度")
        assert "已受理" not in guesser.texts(f"1380000000{attempt}")
    # Malformed ids are told the format and count nothing.
    Chat(servers.settings.rasa_url).texts("查一下HW-2026-12的进度")
    late = Chat(servers.settings.rasa_url)
    late.say(f"查一下{report.id}的进度")
    refused = late.texts("13912340000")  # even the right number, now
    assert "已受理" not in refused and "之后再试" in refused
    failures = staff.get(f"/api/reports/{report.id}").json()["phone_check_failures"]
    assert len(failures) == limit and all(f["report_id"] == report.id for f in failures)
    # The conversation that filed it is never limited.
    owner = Chat(servers.settings.rasa_url)
    owner.sender = "owner-1"
    assert "已受理" in owner.texts(f"{report.id}进度怎么样")


def test_the_database_and_var_are_owner_only(servers):
    database = Path(servers.settings.database_url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
    repo_var = Path(__file__).resolve().parents[2] / "var"
    assert stat.S_IMODE(os.stat(repo_var).st_mode) == 0o700
    for secret in repo_var.glob("*-token"):
        assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600


def outside_address() -> str:
    """This machine's address on its network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.254", 9))
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.fail("these tests need a network interface besides loopback")
    return address


@pytest.fixture(scope="module")
def public_servers(model, tmp_path_factory):
    """A public deployment: listening on the network address, PUBLIC_MODE=1, three turns a
    minute per conversation."""
    directory = tmp_path_factory.mktemp("public")
    settings = replace(
        make_settings(f"sqlite:///{directory / 'assistant.db'}"),
        host=outside_address(),
        public_mode=True,
        sender_turns_per_minute=3,
    )
    prepare_database(settings.database_url)
    running = Servers(settings, model, directory / "logs")
    running.start()
    yield running
    running.stop()


def test_in_public_mode_the_rest_channel_needs_the_channel_token(public_servers):
    url = public_servers.settings.rasa_url
    body = {"sender": f"integration-{uuid.uuid4().hex[:6]}", "message": "你好"}
    assert rest(url, body).status_code == 401
    assert rest(url, body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    answered = rest(url, body, headers={"Authorization": f"Bearer {CHANNEL_TOKEN}"})
    assert answered.status_code == 200 and answered.json()


def test_widget_turns_over_the_rate_are_refused_with_when_to_retry(public_servers):
    async def scenario():
        widget = Widget(public_servers.settings.rasa_url)
        await widget.open()
        replies = [await widget.say(f"你好{n}") for n in range(3)]
        refused = await widget.say("第四条", wait_for=lambda t: "太快" in t)
        await widget.close()
        return replies, refused, conversation_of_token(widget.tokens[-1])

    replies, refused, conversation = asyncio.run(scenario())
    assert all("太快" not in r for r in replies) and "秒后再发" in refused
    assert user_texts(public_servers, conversation) == ["你好0", "你好1", "你好2"]


def test_a_message_resent_with_its_client_id_makes_one_turn(servers):
    async def scenario():
        widget = Widget(servers.settings.rasa_url)
        token = await widget.open()
        body = {"message": "你好", "session_id": token, "message_id": "client-42"}
        first = await widget.client.call("user_uttered", body, timeout=30)
        again = await widget.client.call("user_uttered", body, timeout=30)
        await widget.close()
        return token, first, again

    token, first, again = asyncio.run(scenario())
    assert first == {"taken": True} and again == {"taken": True, "duplicate": True}
    assert user_texts(servers, conversation_of_token(token)) == ["你好"]
