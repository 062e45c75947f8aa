"""The action server's access to the knowledge base: one index, rebuilt every few minutes
so that reloaded content shows up without a restart."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Text, TypeVar

from sqlalchemy.engine import Engine

from knowledge import contacts, db, settings
from knowledge.search import KnowledgeIndex

logger = logging.getLogger(__name__)

T = TypeVar("T")

INDEX_MAX_AGE_S = 300


class KnowledgeBase:
    """Lazily built search index and contact details, shared by all actions."""

    def __init__(self, engine: Optional[Engine] = None, contacts_file: Optional[Path] = None) -> None:
        """Defaults come from settings on first use: DATABASE_URL and CONTACTS_FILE."""
        self._engine = engine
        self._contacts_file = contacts_file
        self._index: Optional[KnowledgeIndex] = None
        self._contacts: Dict[Text, contacts.Contact] = {}
        self._built_at = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._refresh: Optional[asyncio.Task] = None

    def engine(self) -> Engine:
        """The database engine (DATABASE_URL unless one was given)."""
        if self._engine is None:
            self._engine = db.make_engine(settings.load().database_url)
        return self._engine

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Runs a blocking database call in a worker thread, so that the action server's
        event loop keeps serving other conversations."""
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    def _build(self) -> None:
        config = settings.load()
        self._index = KnowledgeIndex.from_engine(self.engine())
        self._contacts = contacts.load_contacts(self._contacts_file or config.contacts_file)
        self._built_at = time.monotonic()
        logger.info("knowledge index built: %d documents", len(self._index.docs))

    async def index(self) -> KnowledgeIndex:
        """The search index, built in a worker thread. The first call waits for it; later
        calls get the current one while a stale one is rebuilt in the background."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        if self._index is None:
            async with self._lock:
                if self._index is None:
                    await asyncio.get_running_loop().run_in_executor(None, self._build)
        elif time.monotonic() - self._built_at > INDEX_MAX_AGE_S and not self._lock.locked():
            self._refresh = asyncio.create_task(self._rebuild())
        assert self._index is not None
        return self._index

    async def _rebuild(self) -> None:
        assert self._lock is not None
        async with self._lock:
            try:
                await asyncio.get_running_loop().run_in_executor(None, self._build)
            except Exception:  # the old index keeps serving; the next call tries again
                logger.exception("rebuilding the knowledge index failed")

    def contact(self, institution_id: Text) -> contacts.Contact:
        """Configured contact details (empty when none are configured)."""
        return self._contacts.get(institution_id, contacts.Contact())


knowledge_base = KnowledgeBase()
