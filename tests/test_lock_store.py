"""The cluster's lock store (`bot/lock_store.py`) against the machine's Redis
(TEST_REDIS_URL, default redis://127.0.0.1:6379/1): two stores stand for two Rasa servers,
and one of them is held in the middle of a step while the other takes its own. Rasa's
`RedisLockStore` is run through the same cases, to show what the subclass is for."""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import time
from typing import Any, Dict

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.cluster import LockStore as ClusterLockStore
from bot.lock_store import AtomicRedisLockStore

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
# Long enough for the other store's step to have run had nothing stopped it.
OVERLAP_S = 0.3


def endpoint(prefix: str) -> EndpointConfig:
    section: Dict[str, Any] = ClusterLockStore.from_url(REDIS_URL, key_prefix=prefix).endpoint()
    return EndpointConfig.from_dict(section)


def store_of(kind: type, prefix: str) -> RedisLockStore:
    config = endpoint(prefix)
    if issubclass(kind, AtomicRedisLockStore):
        return kind(config)
    return kind(host=config.url, **config.kwargs)


def held_in(kind: type, method: str) -> type:
    """`kind` whose `method` waits for `go` (set on the class) before doing its work."""

    def wait_then(self: Any, *args: Any) -> Any:
        self.entered.set()
        assert self.go.wait(10)
        return getattr(kind, method)(self, *args)

    return type(f"Held{kind.__name__}", (kind,), {method: wait_then, "go": None, "entered": None})


@pytest.fixture
def prefix():
    """A key prefix of the test's own; its keys are deleted afterwards."""
    name = f"test{secrets.token_hex(4)}"
    yield name
    red = store_of(RedisLockStore, name).red
    keys = list(red.scan_iter(f"{name}:*"))
    if keys:
        red.delete(*keys)


def test_the_cluster_endpoint_makes_the_atomic_store_as_rasa_does(prefix):
    store = LockStore.create(endpoint(prefix))
    assert type(store) is AtomicRedisLockStore
    assert store.key_prefix == f"{prefix}:lock:" and store.mutex_prefix == f"{prefix}:lock_mutex:"


def race(kind: type, method: str, prefix: str, first: Any, second: Any) -> None:
    """Runs `first(held)` with `held`'s `method` held open, `second(other)` meanwhile, then
    lets `first` finish."""
    held_kind = held_in(kind, method)
    held_kind.go, held_kind.entered = threading.Event(), threading.Event()
    held, other = store_of(held_kind, prefix), store_of(kind, prefix)
    errors: list = []

    def run(step: Any, store: Any) -> None:
        try:
            step(store)
        except Exception as error:  # reported by the test
            errors.append(error)

    one = threading.Thread(target=run, args=(first, held))
    one.start()
    assert held_kind.entered.wait(10)
    two = threading.Thread(target=run, args=(second, other))
    two.start()
    time.sleep(OVERLAP_S)
    held_kind.go.set()
    one.join(10)
    two.join(10)
    assert errors == []


@pytest.mark.parametrize("kind, distinct", [(AtomicRedisLockStore, True), (RedisLockStore, False)])
def test_two_servers_issuing_tickets_at_once_get_different_ones(kind, distinct, prefix):
    tickets: Dict[str, int] = {}
    race(
        kind,
        "save_lock",
        prefix,
        lambda store: tickets.update(first=store.issue_ticket("c1")),
        lambda store: tickets.update(second=store.issue_ticket("c1")),
    )
    assert (tickets["first"] != tickets["second"]) is distinct, tickets
    lock = store_of(kind, prefix).get_lock("c1")
    assert lock is not None and len(lock.tickets) == (2 if distinct else 1)


@pytest.mark.parametrize("kind, kept", [(AtomicRedisLockStore, True), (RedisLockStore, False)])
def test_a_turn_that_ends_keeps_the_ticket_issued_while_it_ended(kind, kept, prefix):
    serving = store_of(kind, prefix).issue_ticket("c1")
    waiting: Dict[str, int] = {}
    race(
        kind,
        "delete_lock",
        prefix,
        lambda store: store.cleanup("c1", serving),
        lambda store: waiting.update(ticket=store.issue_ticket("c1")),
    )
    lock = store_of(kind, prefix).get_lock("c1")
    numbers = [t.number for t in lock.tickets] if lock else []
    assert (numbers == [waiting["ticket"]]) is kept, numbers


def test_other_conversations_do_not_wait_for_a_held_one(prefix):
    tickets: Dict[str, float] = {}

    def timed(store: Any) -> None:
        began = time.monotonic()
        store.issue_ticket("c2")
        tickets["c2"] = time.monotonic() - began

    race(AtomicRedisLockStore, "save_lock", prefix, lambda store: store.issue_ticket("c1"), timed)
    assert tickets["c2"] < OVERLAP_S / 2


def test_turns_of_one_conversation_on_two_stores_run_one_after_the_other(prefix):
    first, second = store_of(AtomicRedisLockStore, prefix), store_of(AtomicRedisLockStore, prefix)
    order: list = []

    async def turn(store: RedisLockStore, name: str) -> None:
        async with store.lock("c1", wait_time_in_seconds=0.01):
            order.append(f"{name} starts")
            await asyncio.sleep(0.05)
            order.append(f"{name} ends")

    async def both() -> None:
        await asyncio.gather(turn(first, "a"), turn(second, "b"))

    asyncio.run(both())
    assert order == ["a starts", "a ends", "b starts", "b ends"]
    assert first.get_lock("c1") is None  # the last turn cleaned up


def test_without_redis_a_turn_cannot_take_its_lock():
    store = AtomicRedisLockStore(EndpointConfig.from_dict({"type": "x", "url": "127.0.0.1", "port": 1, "db": 1}))
    with pytest.raises(LockError, match="could not reach the lock store"):
        store.issue_ticket("c1")
