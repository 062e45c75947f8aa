"""A failed custom action tells the user instead of leaving them in silence: Rasa's own
RemoteAction against a port where nothing answers, or one that never replies."""

import asyncio
import socket
import time

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_outage
from knowledge.core.settings import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(action_name: str, url: str):
    action = RemoteAction(action_name, EndpointConfig(url=url))
    tracker = DialogueStateTracker.from_events("outage-test", [], slots=DOMAIN.slots)
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return asyncio.run(action.run(CollectingOutputChannel(), nlg, tracker, DOMAIN))


def test_an_action_server_that_is_down_is_told_to_the_user_and_its_events_are_not_applied():
    action_outage.install(1, "", "")
    events = run("action_submit_report", f"http://127.0.0.1:{free_port()}/webhook")
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert "系统暂时繁忙" in events[0].text and events[0].metadata["utter_action"] == action_outage.BUSY


def test_a_silent_action_server_is_given_up_after_the_timeout():
    action_outage.install(1, "12345", "工作日 9:00-17:00")
    with socket.socket() as silent:  # accepts connections and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        events = run("action_submit_report", f"http://127.0.0.1:{silent.getsockname()[1]}/webhook")
    assert time.monotonic() - started < 5
    assert "12345" in events[0].text and events[0].metadata["utter_action"] == action_outage.BUSY_WITH_HOTLINE


def test_a_session_that_cannot_start_through_the_action_server_starts_as_rasas_own():
    action_outage.install(1, "", "")
    events = run("action_session_start", f"http://127.0.0.1:{free_port()}/webhook")
    assert isinstance(events[0], SessionStarted) and isinstance(events[-1], ActionExecuted)
    assert not any(isinstance(event, BotUttered) for event in events)
