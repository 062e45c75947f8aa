"""Shared pytest configuration: markers and the Rasa SDK fixtures."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: starts the real servers and talks HTTP to them")


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def domain() -> Dict[str, Any]:
    return {}


def user_event(text: str, intent: str, confidence: float = 0.9, **parse_data: Any) -> Dict[str, Any]:
    """A user event as Rasa sends it to the action server."""
    data = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    data.update(parse_data)
    return {"event": "user", "text": text, "parse_data": data}


def tracker_from(events: List[Dict[str, Any]], sender: str = "tester") -> Tracker:
    """A tracker whose latest message is the last user event."""
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker(sender, {}, latest, events, False, None, {}, "action_listen")


@pytest.fixture(scope="session")
def kb_engine(tmp_path_factory):
    """A fresh SQLite database with the project's real content loaded."""
    from knowledge import db, loader

    engine = db.init_db(f"sqlite:///{tmp_path_factory.mktemp('kb') / 'kb.db'}")
    report = loader.load(engine)
    assert report.errors == []
    return engine


@pytest.fixture(scope="session")
def kb_index(kb_engine):
    from knowledge.search import KnowledgeIndex

    return KnowledgeIndex.from_engine(kb_engine)
