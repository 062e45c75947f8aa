"""The real action server and Rasa server, on free loopback ports, for the session."""

from __future__ import annotations

import socket
import uuid
from dataclasses import replace

import pytest
import requests

from bot.processes import Servers
from bot.training import newest_model
from knowledge import db, loader
from knowledge import settings as settings_module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(database_url: str) -> settings_module.Settings:
    return replace(
        settings_module.load(),
        database_url=database_url,
        host="127.0.0.1",
        rasa_port=free_port(),
        action_port=free_port(),
        hotline_phone="",
    )


@pytest.fixture(scope="session")
def model():
    found = newest_model()
    if found is None:
        pytest.fail("no trained model: run `make train` (make e2e does it)")
    return found


@pytest.fixture(scope="session")
def servers(model, tmp_path_factory):
    directory = tmp_path_factory.mktemp("e2e")
    settings = make_settings(f"sqlite:///{directory / 'assistant.db'}")
    loader.load(db.init_db(settings.database_url))
    running = Servers(settings, model, directory / "logs")
    running.start()
    yield running
    running.stop()


class Chat:
    """One conversation over the REST channel."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.sender = f"e2e-{uuid.uuid4().hex[:10]}"

    def say(self, message, **extra) -> list:
        body = {"sender": self.sender, "message": message, **extra}
        response = requests.post(f"{self.base_url}/webhooks/rest/webhook", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def tracker(self) -> dict:
        response = requests.get(f"{self.base_url}/conversations/{self.sender}/tracker", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def chat(servers) -> Chat:
    return Chat(servers.settings.rasa_url)
