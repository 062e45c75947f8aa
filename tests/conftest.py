"""Shared pytest configuration: markers and the Rasa SDK fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.core import settings
from knowledge.core.settings import Settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: starts the real servers and talks HTTP to them")


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def project_domain() -> Dict[str, Any]:
    """domain.yml as the action server receives it (forms with their required slots)."""
    return yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def domain() -> Dict[str, Any]:
    return project_domain()


def settings_for(**environ: str) -> Settings:
    """The settings a process would read from exactly these environment variables."""
    return settings.load(environ)


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
    from bot.database import create_schema
    from knowledge.library import loader

    engine = create_schema(f"sqlite:///{tmp_path_factory.mktemp('kb') / 'kb.db'}")
    report = loader.load(engine)
    assert report.errors == []
    return engine


@pytest.fixture(scope="session")
def kb_index(kb_engine):
    from knowledge.library.search import KnowledgeIndex

    return KnowledgeIndex.from_engine(kb_engine)
