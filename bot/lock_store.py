"""Rasa's Redis lock store, with each change of a conversation's lock made atomic.

Rasa serialises the turns of one conversation with a ticket lock kept in the lock store.
Its `RedisLockStore` changes that lock by reading it, changing it in the process and writing
it back (GET, then SET) with nothing in between to stop another process doing the same. Two
Rasa servers that take a message of one conversation at the same moment (a double click, a
client retrying on another instance, the cluster test) both read "no lock", both draw
ticket 0, and both run their turn at once: the tracker store then keeps one turn and drops
the other (it appends only the events past the count it finds stored). A turn that ends
while another is being issued its ticket can likewise delete that ticket, and the waiting
turn fails. Known upstream (RasaHQ/rasa#9213; an atomic lock store, #11256, was merged and
reverted in Rasa Open Source).

`AtomicRedisLockStore` keeps Rasa's locks, keys and behaviour and does each of those
read-change-write steps (issuing a ticket, dropping expired ones, finishing a turn) under a
short Redis mutex per conversation (`SET NX` with an expiry, redis-py's `Lock`), so that the
steps of two processes on one conversation never interleave. Its endpoints.yml entry:

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 1
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator, Text

from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# A step holds the mutex for a few Redis round trips (well under a millisecond on one
# network); a process that dies holding it frees it after MUTEX_LIFETIME_S.
MUTEX_LIFETIME_S = 10.0
MUTEX_WAIT_S = 10.0
MUTEX_POLL_S = 0.002
# Beside Rasa's own "lock:" keys, in a namespace no conversation id can reach.
MUTEX_PREFIX = "lock_mutex:"


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose lock changes are atomic across processes."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a lock store named by its module path from the endpoint alone.
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)
        self.mutex_prefix = self.key_prefix.replace(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, MUTEX_PREFIX)

    @contextmanager
    def _mutex(self, conversation_id: Text) -> Iterator[None]:
        """Holds the conversation's mutex; raises Rasa's LockError when it cannot be had."""
        import redis

        mutex = self.red.lock(
            self.mutex_prefix + conversation_id,
            timeout=MUTEX_LIFETIME_S,
            sleep=MUTEX_POLL_S,
            blocking_timeout=MUTEX_WAIT_S,
        )
        try:
            acquired = mutex.acquire()
        except redis.RedisError as error:
            raise LockError(f"could not reach the lock store for conversation '{conversation_id}': {error}") from error
        if not acquired:
            raise LockError(f"the lock of conversation '{conversation_id}' stayed busy for {MUTEX_WAIT_S:.0f} s")
        try:
            yield
        finally:
            try:
                mutex.release()
            except redis.exceptions.LockNotOwnedError:
                # Held past its lifetime: another process may have changed the lock since.
                logger.warning("the lock mutex of conversation '%s' expired while held", conversation_id)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Finishing the ticket, looking for a waiting one and deleting the lock are one step:
        # a ticket issued in between would otherwise be deleted with the lock.
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
