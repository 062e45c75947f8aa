"""The real action server, Rasa server and console, on free loopback ports, for the
session, with a local receiver standing in for the on-duty staff's webhook."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import socketio

from bot.database import prepare_database
from bot.processes import Servers
from bot.training import newest_model
from knowledge.core import settings as settings_module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STAFF_TOKEN = "e2e-staff-token"
RASA_TOKEN = "e2e-rasa-token"
ACTION_TOKEN = "e2e-action-token"
CHANNEL_TOKEN = "e2e-channel-token"
WIDGET_ORIGIN = "https://widget.test"
# A site embedding the widget: the browser tests answer it themselves (nothing listens there).
SITE_ORIGIN = "http://localhost:5999"


def make_settings(database_url: str, webhook_url: str = "") -> settings_module.Settings:
    # Office hours around the clock, so that handoffs answer the same whenever CI runs.
    return replace(
        settings_module.load(),
        database_url=database_url,
        host="127.0.0.1",
        rasa_port=free_port(),
        action_port=free_port(),
        console_port=free_port(),
        hotline_phone="",
        staff_token=STAFF_TOKEN,
        rasa_token=RASA_TOKEN,
        action_token=ACTION_TOKEN,
        channel_token=CHANNEL_TOKEN,
        session_secret="e2e-session-secret",
        allowed_origins=(WIDGET_ORIGIN, SITE_ORIGIN),
        staff_webhook_url=webhook_url,
        office_hours="00:00-24:00",
        office_days="1-7",
        report_reply_days=2,
    )


class Receiver:
    """A local HTTP server that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append(json.loads(self.rfile.read(length).decode("utf-8")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                """No access log: the tests look at what was received."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/duty"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [b for b in self.bodies if predicate(b)]
            if found:
                return found
            time.sleep(0.2)
        return []

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def model():
    found = newest_model()
    if found is None:
        pytest.fail("no trained model: run `make train` (make e2e does it)")
    return found


@pytest.fixture(scope="session")
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(scope="session")
def servers(model, tmp_path_factory, receiver):
    directory = tmp_path_factory.mktemp("e2e")
    settings = make_settings(f"sqlite:///{directory / 'assistant.db'}", receiver.url)
    prepare_database(settings.database_url)
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

    def texts(self, message, **extra) -> str:
        """Everything the bot answered to `message`, as one string."""
        return " ".join(r.get("text", "") for r in self.say(message, **extra))

    def tracker(self) -> dict:
        """The conversation's tracker, through Rasa's HTTP API (with the Rasa token)."""
        url = f"{self.base_url}/conversations/{self.sender}/tracker"
        response = requests.get(url, params={"token": RASA_TOKEN}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def chat(servers) -> Chat:
    return Chat(servers.settings.rasa_url)


class Staff:
    """The staff API of the console, with the staff token."""

    def __init__(self, console_url: str) -> None:
        self.base_url = console_url
        self.headers = {"Authorization": f"Bearer {STAFF_TOKEN}"}

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(f"{self.base_url}{path}", headers=self.headers, params=params, timeout=30)

    def post(self, path: str, body=None) -> requests.Response:
        return requests.post(f"{self.base_url}{path}", headers=self.headers, json=body or {}, timeout=30)

    def handoff_of(self, sender: str) -> dict:
        queue = self.get("/api/handoffs").json()["handoffs"]
        return next(h for h in queue if h["sender_id"] == sender)


@pytest.fixture
def staff(servers) -> Staff:
    return Staff(servers.settings.console_url)


class Widget:
    """A web widget's socket: session_request, then user_uttered, collecting bot_uttered."""

    def __init__(self, url, origin=None):
        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient()
        self.received: list = []
        self.tokens: list = []
        self.client.on("bot_uttered", self.received.append)
        self.client.on("session_confirm", self.tokens.append)

    async def open(self, token=None):
        headers = {"Origin": self.origin} if self.origin else {}
        await self.client.connect(self.url, transports=["polling"], socketio_path="/socket.io", headers=headers)
        return await self.request(token)

    async def request(self, token=None):
        """A session_request (with a token kept from before, or none); the token confirmed."""
        before = len(self.tokens)
        await self.client.emit("session_request", {"session_id": token})
        await until(lambda: len(self.tokens) > before)
        return self.tokens[-1]

    async def say(self, text, session_id=None, wait_for=None):
        before = len(self.received)
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.tokens[-1]})
        await until(lambda: len(self.received) > before and (wait_for is None or wait_for(self.texts())))
        return self.texts()

    def texts(self):
        return " ".join(m.get("text") or "" for m in self.received)

    async def close(self):
        await self.client.disconnect()


async def until(condition, timeout=20.0):
    for _ in range(int(timeout / 0.1)):
        if condition():
            return
        await asyncio.sleep(0.1)
