"""Stored events' classes found from a table (`bot/event_types.py`) are the classes Rasa's
own look-up finds, for every name, unknown ones and subclasses defined later included; a
conversation read back is the same conversation."""

from __future__ import annotations

import time

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import event_types


@pytest.fixture
def installed(monkeypatch):
    """The table installed for one test; Rasa's look-up and Event's hook put back after it."""
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types.RASA_RESOLVE))
    monkeypatch.setattr(Event, "__init_subclass__", Event.__init_subclass__)
    event_types.install()
    return Event.resolve_by_type


def every_type_name():
    return [cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)]


def outcome(resolve, name, default=None):
    try:
        return resolve(name, default)
    except ValueError as error:
        return ValueError, str(error)


def test_every_type_name_resolves_to_rasas_class(installed):
    names = every_type_name()
    assert {"user", "bot", "slot", "action", "session_started", "active_loop"} <= set(names)
    for name in names:
        assert installed(name) is event_types.RASA_RESOLVE(name)


@pytest.mark.parametrize("name, default", [("topic", None), ("no_such_event", None), ("no_such_event", SlotSet)])
def test_names_rasa_does_not_know_get_rasas_answer(installed, name, default):
    assert outcome(installed, name, default) == outcome(event_types.RASA_RESOLVE, name, default)


def test_a_subclass_defined_later_is_found_as_rasa_finds_it(installed):
    class Noted(SlotSet):
        type_name = "test_noted"

    assert installed("test_noted") is Noted is event_types.RASA_RESOLVE("test_noted")
    assert installed("slot") is SlotSet


def test_a_conversation_read_back_is_the_same_with_the_table(installed):
    events = [
        ActionExecuted("action_session_start"),
        UserUttered("我要登记纠纷", {"name": "report_dispute", "confidence": 0.9}),
        SlotSet("company_name", "铜川华陶瓷业有限公司"),
        ActionExecuted("action_listen"),
    ]
    stored = [event.as_dict() for event in events]
    ours = DialogueStateTracker.from_dict("t", stored)
    assert [e.as_dict() for e in ours.events] == stored
    assert ours.get_slot("company_name") == "铜川华陶瓷业有限公司"


def test_a_look_up_costs_a_fraction_of_rasas(installed):
    def cost(resolve) -> float:
        started = time.perf_counter()
        for _ in range(200):
            resolve("slot")
        return time.perf_counter() - started

    assert cost(installed) * 20 < cost(event_types.RASA_RESOLVE)
