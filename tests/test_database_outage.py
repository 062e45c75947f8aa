"""A conversation that cannot be read is an error, not a new conversation, and a message
that meets it is answered with the busy message (`bot/database_outage.py`)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot import action_outage, database_outage
from knowledge.core.settings import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


class DownStore(InMemoryTrackerStore):
    """A tracker store whose database is gone."""

    async def retrieve(self, sender_id):
        raise ConnectionRefusedError("the database does not answer")


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(FailSafeTrackerStore, "retrieve", database_outage.RASA_RETRIEVE)
    monkeypatch.setattr(MessageProcessor, "handle_message", database_outage.RASA_HANDLE_MESSAGE)
    return lambda phone="", hours="": database_outage.install(phone, hours)


def test_rasas_own_store_takes_a_failed_read_for_a_new_conversation():
    assert asyncio.run(database_outage.RASA_RETRIEVE(FailSafeTrackerStore(DownStore(DOMAIN)), "u1")) is None


def test_a_failed_read_is_an_error_not_a_new_conversation(installed):
    installed()
    with pytest.raises(database_outage.ConversationUnavailable, match="u1"):
        asyncio.run(FailSafeTrackerStore(DownStore(DOMAIN)).retrieve("u1"))


def test_a_conversation_that_can_be_read_is_read_as_before(installed):
    installed()
    store = InMemoryTrackerStore(DOMAIN)
    tracker = DialogueStateTracker.from_events("u2", [SlotSet("company_name", "铜川华陶瓷业有限公司")], DOMAIN.slots)
    asyncio.run(store.save(tracker))
    read = asyncio.run(FailSafeTrackerStore(store).retrieve("u2"))
    assert read.get_slot("company_name") == "铜川华陶瓷业有限公司"
    assert asyncio.run(FailSafeTrackerStore(store).retrieve("nobody")) is None


def handle(monkeypatch, failure, phone=""):
    """The processor's handle_message with Rasa's own raising `failure` (or answering)."""

    async def rasas(self, message):
        if failure is not None:
            raise failure
        return [{"recipient_id": message.sender_id, "text": "Rasa's answer"}]

    monkeypatch.setattr(database_outage, "RASA_HANDLE_MESSAGE", rasas)
    database_outage.install(phone, "工作日 9:00-17:00")
    processor = SimpleNamespace(domain=DOMAIN, nlg=TemplatedNaturalLanguageGenerator(DOMAIN.responses))
    message = UserMessage("确认提交", CollectingOutputChannel(), "u3")
    return asyncio.run(MessageProcessor.handle_message(processor, message))


def test_a_message_whose_conversation_cannot_be_read_is_told_the_system_is_busy(installed, monkeypatch):
    replies = handle(monkeypatch, database_outage.ConversationUnavailable("u3"))
    assert len(replies) == 1 and replies[0]["recipient_id"] == "u3"
    assert replies[0]["text"] == DOMAIN.responses[action_outage.BUSY][0]["text"]


def test_the_busy_message_gives_the_hotline_when_there_is_one(installed, monkeypatch):
    replies = handle(monkeypatch, database_outage.ConversationUnavailable("u3"), phone="0919-12345")
    assert "0919-12345" in replies[0]["text"]


def test_other_messages_and_other_errors_are_rasas(installed, monkeypatch):
    assert handle(monkeypatch, None) == [{"recipient_id": "u3", "text": "Rasa's answer"}]
    with pytest.raises(KeyError):
        handle(monkeypatch, KeyError("not an outage"))
