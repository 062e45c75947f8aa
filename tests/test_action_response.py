"""Action-server responses checked against a schema validated once (`bot/action_response.py`)
are accepted and refused exactly as Rasa's own function does, and the Rasa server's start
installs it."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest
import rasa.__main__
import rasa.server
from jsonschema import ValidationError
from rasa.core.actions import action as rasa_action
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import Event

from bot import action_response, database_outage, event_types, rasa_server

SLOT = {"event": "slot", "name": "company_name", "value": "铜川华陶瓷业有限公司", "timestamp": None}
LISTEN = {"event": "action", "name": "action_listen", "policy": None, "confidence": None, "timestamp": None}
TEXT = {"text": "请核对", "buttons": [{"title": "确认提交", "payload": "/affirm"}]}

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [SLOT, LISTEN], "responses": [TEXT]},
    {"events": [{"event": "session_started"}, {"event": "pause"}, LISTEN]},
    {"events": [{"event": "active_loop", "name": "report_dispute_form"}], "responses": [{"response": "utter_x"}]},
    {"events": [{"event": "slot", "name": "x", "value": None, "metadata": {"k": 1}}]},
    {"events": [SLOT], "responses": [TEXT], "extra": "keys Rasa ignores"},
]
INVALID = [
    None,
    [],
    "events",
    {"events": {}},
    {"events": [SLOT], "responses": {}},
    {"responses": ["not an object"]},
    {"events": ["slot"]},
    {"events": [{"name": "company_name", "value": "x"}]},  # no event type
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": "company_name"}]},  # no value
    {"events": [{"event": "slot", "name": 7, "value": "x"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "now"}]},
    {"events": [{"event": "action", "name": "action_listen", "confidence": "high"}]},
    {"events": [{"event": "entities"}]},
    {"events": [SLOT, {"event": "slot", "name": "x", "value": 1, "metadata": "m"}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": 3}}}]},
]


def outcome(validate: Any, response: Any) -> Any:
    """What `validate` made of `response`: its result, or its exception's type and message."""
    try:
        return validate(RemoteAction("action_submit_report", None), response)
    except Exception as error:
        return type(error), getattr(error, "message", str(error))


@pytest.fixture
def installed(monkeypatch):
    """The checked-once validation installed for one test, Rasa's own put back after it."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_response.RASA_VALIDATE)
    action_response.install()
    return RemoteAction._validate_action_result


def test_installing_replaces_rasas_function_and_the_original_is_kept(installed):
    assert installed is not action_response.RASA_VALIDATE
    assert action_response.RASA_VALIDATE.__qualname__ == "RemoteAction._validate_action_result"


@pytest.mark.parametrize("response", VALID)
def test_a_valid_response_passes_as_with_rasas_function(installed, response):
    assert outcome(installed, response) is True
    assert outcome(action_response.RASA_VALIDATE, response) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_response_is_refused_with_rasas_exception_and_message(installed, response):
    ours, rasas = outcome(installed, response), outcome(action_response.RASA_VALIDATE, response)
    assert ours == rasas
    assert ours[0] is ValidationError and "Failed to validate Action server response" in ours[1]


def test_the_schema_is_checked_once_not_per_response(installed, monkeypatch):
    checks = []
    cls = type(action_response.checked_validator(RemoteAction.action_response_format_spec()))
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, schema, **kw: checks.append(schema)))
    for _ in range(5):
        assert outcome(installed, VALID[2]) is True
    assert checks == []


def test_validating_a_response_costs_a_fraction_of_rasas(installed):
    def cost(validate: Any) -> float:
        started = time.perf_counter()
        for _ in range(20):
            validate(RemoteAction("action_submit_report", None), VALID[2])
        return time.perf_counter() - started

    assert cost(installed) * 5 < cost(action_response.RASA_VALIDATE)


def test_an_action_with_a_schema_of_its_own_is_validated_by_rasas_function(installed):
    class Strict(RemoteAction):
        @staticmethod
        def action_response_format_spec():
            return {"type": "object", "required": ["events"]}

    with pytest.raises(ValidationError, match="'events' is a required property"):
        installed(Strict("x", None), {})


def test_the_rasa_server_installs_it_before_rasa_starts(monkeypatch):
    """`python -m bot.rasa_server` up to Rasa's own main, which records what it would run."""
    for name in ("RASA_TOKEN", "ACTION_TOKEN", "CHANNEL_TOKEN", "STAFF_TOKEN", "SESSION_SECRET"):
        monkeypatch.setenv(name, "test")
    for name in ("SANIC_REQUEST_MAX_SIZE", "SANIC_FALLBACK_ERROR_FORMAT"):
        monkeypatch.setenv(name, "")
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_response.RASA_VALIDATE)
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    monkeypatch.setattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", rasa_action.DEFAULT_REQUEST_TIMEOUT)
    monkeypatch.setattr(rasa.server, "create_app", rasa.server.create_app)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types.RASA_RESOLVE))
    monkeypatch.setattr(Event, "__init_subclass__", Event.__init_subclass__)
    monkeypatch.setattr(FailSafeTrackerStore, "retrieve", database_outage.RASA_RETRIEVE)
    monkeypatch.setattr(MessageProcessor, "handle_message", database_outage.RASA_HANDLE_MESSAGE)
    seen = {}

    def rasas_main() -> None:
        seen.update(validate=RemoteAction._validate_action_result, resolve=Event.resolve_by_type)

    monkeypatch.setattr(rasa.__main__, "main", rasas_main)
    monkeypatch.setattr(sys, "argv", ["bot.rasa_server", "models/x.tar.gz"])
    assert rasa_server.main() == 0
    assert seen["validate"] is not action_response.RASA_VALIDATE
    assert seen["validate"].__module__ == action_response.__name__
    assert outcome(seen["validate"], VALID[2]) is True
    assert seen["resolve"].__module__ == event_types.__name__  # and stored events' classes by table
