"""Two instances behind nginx, sharing PostgreSQL and a Redis lock store (`bot/cluster.py`,
`make run-cluster`): one conversation's turns through either Rasa server and through nginx,
turns of one conversation sent to both Rasa servers at the same moment, and many
conversations at once. No turn is lost or taken twice, each turn's events are the reply its
client got, and each conversation's events are in order.

Needs the machine's PostgreSQL (TEST_POSTGRES_URL; a fresh database is made and dropped),
Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379/1) and nginx (installed by
`make install`; skipped only when it is missing and cannot be installed)."""

from __future__ import annotations

import json
import os
import re
import secrets
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from bot.cluster import Cluster, LockStore, find_nginx, instance_of
from bot.database import prepare_database
from knowledge.core.settings import ROOT
from tests.e2e.conftest import ACTION_TOKEN, RASA_TOKEN, free_port, make_settings

pytestmark = pytest.mark.e2e

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
KNOWLEDGE = "337调查的答复期限是多久"
# Five turns of each of the conversations sent at once: a greeting (a new conversation's
# session starts through the action server) and knowledge questions (answered by it).
MANY_TURNS = ["你好", KNOWLEDGE, "在美国被起诉了怎么办", "吉尔吉斯斯坦的商标怎么注册", "谢谢"]
CONVERSATIONS = 16


def nginx_or_skip() -> None:
    """nginx, installed by the install step's script when missing (as root); a skip saying
    so when it cannot be."""
    if find_nginx() is None:
        subprocess.run([str(ROOT / "bot" / "scripts" / "system-packages.sh")], check=False)
    if find_nginx() is None:
        pytest.skip(
            "nginx is not installed and could not be installed (needs root and apt-get): apt-get install -y nginx"
        )


@pytest.fixture(scope="module")
def database_url():
    """A new PostgreSQL database for the cluster, dropped afterwards."""
    server = make_url(POSTGRES_URL)
    name = f"cluster_{secrets.token_hex(4)}"
    admin = create_engine(server, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster(model, tmp_path_factory, database_url):
    nginx_or_skip()
    settings = make_settings(database_url)
    prepare_database(settings.database_url)
    instances = [instance_of(settings, free_port(), free_port()) for _ in range(2)]
    # A key prefix of its own: a cluster running on the same Redis takes other locks.
    lock_store = LockStore.from_url(REDIS_URL, key_prefix=f"e2e{secrets.token_hex(4)}")
    running = Cluster(settings, model, lock_store, instances, directory=tmp_path_factory.mktemp("cluster"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def engine(database_url):
    made = create_engine(database_url, future=True)
    yield made
    made.dispose()


def routes(cluster: Cluster) -> Dict[str, str]:
    """Where a client may send a turn: either Rasa server directly, or nginx."""
    found = {f"rasa-{s.label}": s.settings.rasa_url for s in cluster.instances}
    return {**found, "nginx": cluster.settings.rasa_url}


def say(base_url: str, sender: str, message: str) -> List[Optional[str]]:
    """The texts of the bot's messages in answer to `message` over the REST channel."""
    body = {"sender": sender, "message": message}
    response = requests.post(f"{base_url}/webhooks/rest/webhook", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return [m.get("text") for m in response.json()]


def say_when_both_are_ready(together: threading.Barrier, base_url: str, sender: str, message: str) -> list:
    together.wait()
    return say(base_url, sender, message)


@dataclass
class Turn:
    user: str
    bot: List[Optional[str]] = field(default_factory=list)
    actions: List[str] = field(default_factory=list)


def stored_events(engine: Engine, sender: str) -> List[dict]:
    """The conversation's events in the shared tracker store, in the order they were stored."""
    query = text("SELECT id, data FROM events WHERE sender_id = :sender ORDER BY id")
    with engine.connect() as connection:
        return [json.loads(data) for _id, data in connection.execute(query, {"sender": sender})]


def turns_in_order(events: List[dict]) -> List[Turn]:
    """The turns of a conversation's events, asserting that they are in order: the session
    starts before the first message, each turn ends listening before the next message, and
    no event is stored before one that happened earlier."""
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps), "events stored out of order"
    first = next(i for i, e in enumerate(events) if e["event"] == "user")
    start = [e.get("name") or e["event"] for e in events[:first] if e["event"] in ("action", "session_started")]
    assert start == ["action_session_start", "session_started", "action_listen"], start
    turns: List[Turn] = []
    for event in events[first:]:
        if event["event"] == "user":
            assert not turns or turns[-1].actions[-1:] == ["action_listen"], "a message came in mid-turn"
            turns.append(Turn(event["text"]))
        elif event["event"] == "bot":
            turns[-1].bot.append(event.get("text"))
        elif event["event"] == "action":
            turns[-1].actions.append(event["name"])
    assert turns[-1].actions[-1:] == ["action_listen"], "the last turn did not end"
    return turns


def custom_actions(cluster: Cluster) -> set:
    """The actions the action servers run (asked through nginx)."""
    url = f"http://{cluster.settings.action_host}:{cluster.settings.action_port}/actions"
    response = requests.get(url, headers={"Authorization": f"Bearer {ACTION_TOKEN}"}, timeout=10)
    assert response.status_code == 200, response.text
    return {a["name"] for a in response.json()} - {"action_session_start"}


def upstreams(cluster: Cluster, path: str) -> Dict[str, int]:
    """How many requests for `path` nginx passed to each server, from its access log."""
    log = (cluster.directory / "logs" / "nginx-access.log").read_text()
    counts: Dict[str, int] = {}
    for address in re.findall(rf'"\w+ {re.escape(path)}" 200 \S+ upstream=(\S+)', log):
        counts[address] = counts.get(address, 0) + 1
    return counts


def test_a_conversation_goes_on_whichever_instance_takes_its_turn(cluster, engine):
    ways = routes(cluster)
    sender = f"cluster-{secrets.token_hex(5)}"
    script = [
        ("rasa-1", "你好"),
        ("rasa-2", KNOWLEDGE),
        ("nginx", "我要登记一起海外知识产权纠纷"),
        ("rasa-1", "铜川华陶瓷业有限公司"),
        ("rasa-2", "13912345678"),
        ("nginx", "美国"),
        ("rasa-1", KNOWLEDGE),
    ]
    replies = [say(ways[route], sender, message) for route, message in script]
    # Each answer of the form was taken where the previous one was not: the form went on
    # from the shared tracker store.
    assert "哪个国家" in " ".join(filter(None, replies[4]))
    assert "哪类知识产权" in " ".join(filter(None, replies[5]))

    turns = turns_in_order(stored_events(engine, sender))
    assert [t.user for t in turns] == [message for _, message in script]
    assert [t.bot for t in turns] == replies
    # The question before the form was answered by an action server (the one asked in the
    # form is the form's to take).
    assert set(turns[1].actions) & custom_actions(cluster), turns[1].actions
    # Every route reads the same conversation through Rasa's HTTP API.
    for base_url in ways.values():
        tracker = requests.get(f"{base_url}/conversations/{sender}/tracker", params={"token": RASA_TOKEN}, timeout=30)
        assert [e["text"] for e in tracker.json()["events"] if e["event"] == "user"] == [t.user for t in turns]
        slots = tracker.json()["slots"]
        assert (slots["company_name"], slots["phone"], slots["country"]) == (
            "铜川华陶瓷业有限公司",
            "13912345678",
            "美国",
        )


def test_turns_of_one_conversation_sent_to_both_instances_at_once_are_taken_one_after_the_other(cluster, engine):
    rasa_1, rasa_2 = routes(cluster)["rasa-1"], routes(cluster)["rasa-2"]
    sender = f"cluster-{secrets.token_hex(5)}"
    # Distinct messages, so that each stored turn is known by its text.
    rounds = [
        ("你好", KNOWLEDGE),
        ("谢谢", "337调查的应诉期限是多久"),
        ("您好", "在美国被起诉了怎么办"),
        ("再见", "/nlu_fallback"),
    ]
    replies: Dict[str, List[Optional[str]]] = {}
    with ThreadPoolExecutor(2) as pool:
        for first, second in rounds:
            together = threading.Barrier(2)
            both = {
                message: pool.submit(say_when_both_are_ready, together, url, sender, message)
                for url, message in ((rasa_1, first), (rasa_2, second))
            }
            replies.update({message: future.result() for message, future in both.items()})

    turns = turns_in_order(stored_events(engine, sender))
    sent = [message for pair in rounds for message in pair]
    assert sorted(t.user for t in turns) == sorted(sent)  # each once: none lost, none doubled
    assert {t.user: t.bot for t in turns} == replies


def test_many_conversations_at_once_through_all_routes(cluster, engine, database_url):
    ways = list(routes(cluster).values())
    senders = [f"cluster-many-{i}-{secrets.token_hex(4)}" for i in range(CONVERSATIONS)]
    latencies: List[float] = []
    connections: List[int] = []
    done = threading.Event()

    def conversation(number: int) -> List[List[Optional[str]]]:
        answers = []
        for turn, message in enumerate(MANY_TURNS):
            began = time.monotonic()
            answers.append(say(ways[(number + turn) % len(ways)], senders[number], message))
            latencies.append(time.monotonic() - began)
        return answers

    def count_connections() -> None:
        query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name")
        with engine.connect() as connection:
            while not done.wait(0.2):
                connections.append(connection.execute(query, {"name": make_url(database_url).database}).scalar_one())

    counter = threading.Thread(target=count_connections)
    counter.start()
    began = time.monotonic()
    try:
        with ThreadPoolExecutor(CONVERSATIONS) as pool:
            answers = list(pool.map(conversation, range(CONVERSATIONS)))
    finally:
        elapsed = time.monotonic() - began
        done.set()
        counter.join()
    turns_total = CONVERSATIONS * len(MANY_TURNS)
    latencies.sort()
    print(
        f"\n{turns_total} turns in {elapsed:.1f} s ({turns_total / elapsed:.1f} turns/s), "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {latencies[int(0.95 * len(latencies))] * 1000:.0f} ms; "
        f"PostgreSQL connections to the cluster's database: at most {max(connections, default=0)}"
    )

    actions = custom_actions(cluster)
    for sender, replies in zip(senders, answers, strict=True):
        turns = turns_in_order(stored_events(engine, sender))
        assert [t.user for t in turns] == MANY_TURNS, sender
        assert [t.bot for t in turns] == replies, sender
        assert set(turns[MANY_TURNS.index(KNOWLEDGE)].actions) & actions, sender
    # nginx spread the turns it was given over both Rasa servers, and every Rasa server's
    # actions over both action servers.
    rasa_ports = {f"127.0.0.1:{s.settings.rasa_port}" for s in cluster.instances}
    action_ports = {f"127.0.0.1:{s.settings.action_port}" for s in cluster.instances}
    assert set(upstreams(cluster, "/webhooks/rest/webhook")) == rasa_ports
    assert set(upstreams(cluster, "/webhook")) == action_ports
