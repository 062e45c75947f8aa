"""What the channels check before a message reaches the agent (bot/channels/): texts, senders,
addresses, turn limits, and the widget's session tokens. The servers' side is in
tests/e2e/test_security.py."""

from dataclasses import replace

import pytest

from bot.api_guard import problem
from bot.channels.guard import Gate, Refusal, TurnLimiter, is_loopback, message_text, sender_id
from bot.channels.socketio import conversation_of, issue_token, sign
from knowledge.core import settings as settings_module


@pytest.mark.parametrize("value", [None, 5, ["你好"], {"text": "你好"}])
def test_a_message_that_is_no_text_is_a_400(value):
    with pytest.raises(Refusal) as refused:
        message_text(value, 100)
    assert refused.value.status == 400


def test_a_lone_surrogate_is_refused_politely():
    with pytest.raises(Refusal) as refused:
        message_text("你好\ud800", 100)
    assert (refused.value.status, refused.value.message) == (400, "消息里有无法识别的字符，请重新输入。")


def test_a_message_over_the_limit_is_told_its_length_and_the_limit():
    assert message_text("字" * 100, 100) == "字" * 100
    with pytest.raises(Refusal) as refused:
        message_text("字" * 101, 100)
    assert refused.value.status == 413 and "101字" in refused.value.message and "100字" in refused.value.message


@pytest.mark.parametrize("value", [None, "", "   ", 7, "x" * 129, "a\nb", "web-abc", "wx-openid"])
def test_a_rest_sender_must_be_a_printable_id_of_its_own_channel(value):
    with pytest.raises(Refusal) as refused:
        sender_id(value)
    assert refused.value.status == 400


def test_a_rest_sender_id_is_kept_as_sent():
    assert sender_id("hotline-张-07") == "hotline-张-07"


@pytest.mark.parametrize(
    "address, loopback", [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("192.0.2.2", False), ("", False)]
)
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


def test_the_turn_limiter_counts_a_sliding_minute():
    now = [0.0]
    limiter = TurnLimiter(2, clock=lambda: now[0])
    assert limiter.wait("a") == 0 and limiter.wait("a") == 0
    now[0] = 10.0
    assert limiter.wait("a") == 50  # the first turn leaves the window at 60 s
    assert limiter.wait("b") == 0  # another key has its own turns
    now[0] = 60.0
    assert limiter.wait("a") == 0


def test_the_limiter_forgets_idle_keys(monkeypatch):
    now = [0.0]
    limiter = TurnLimiter(1, clock=lambda: now[0])
    monkeypatch.setattr(TurnLimiter, "MAX_KEYS", 3)
    for key in "abc":
        limiter.wait(key)
    now[0] = 61.0
    limiter.wait("d")
    assert set(limiter.turns) == {"d"}


def test_the_gate_limits_conversations_and_addresses_but_never_loopback():
    settings = replace(settings_module.load({}), sender_turns_per_minute=2, address_turns_per_minute=3)
    gate = Gate(settings, clock=lambda: 0.0)
    gate.admit("web-a", "192.0.2.9")
    gate.admit("web-a", "192.0.2.9")
    with pytest.raises(Refusal) as refused:
        gate.admit("web-a", "192.0.2.9")
    assert refused.value.status == 429 and refused.value.retry_after == 60 and "60秒后再发" in refused.value.message
    with pytest.raises(Refusal):
        gate.admit("web-b", "192.0.2.9")  # the address's fourth turn
    for _ in range(10):
        gate.admit("web-a", "127.0.0.1")


def test_a_session_token_names_its_conversation_only_with_its_signature():
    token = issue_token("secret")
    nonce = token.split(".")[0]
    assert conversation_of(token, "secret") == f"web-{nonce}"
    assert issue_token("secret") != token
    for forged in (nonce, f"{nonce}.", f"{nonce}.AAAA", sign(nonce, "another secret"), token + "x", None, 5, ""):
        assert conversation_of(forged, "secret") is None


@pytest.mark.parametrize(
    "shape, fields, body, wrong",
    [
        ("object", ("text",), {"text": "你好"}, False),
        ("object", ("text",), [1], True),
        ("object", ("text",), {"text": 5}, True),
        ("object", ("text",), {"text": "\ud800"}, True),
        ("object", ("text", "sender"), {"text": "a"}, True),
        ("array", (), [], False),
        ("array", (), {}, True),
        ("events", (), {"event": "resume"}, False),
        ("events", (), [{"event": "resume"}], False),
        ("events", (), [1], True),
        ("events", (), [{"event": "bot", "text": "\udc00"}], True),
    ],
)
def test_api_bodies_are_checked_for_their_shape_and_text(shape, fields, body, wrong):
    assert (problem(shape, fields, body) is not None) is wrong
