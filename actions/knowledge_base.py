"""What every action shares: the settings, the database engine, and the knowledge index
(rebuilt every few minutes so that reloaded content shows up without a restart)."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Any, Callable, Dict, Optional, Text, TypeVar

from sqlalchemy.engine import Engine

from knowledge.core import settings as settings_module
from knowledge.core.db import make_engine
from knowledge.library import contacts, limits
from knowledge.library.search import KnowledgeIndex

logger = logging.getLogger(__name__)

T = TypeVar("T")

INDEX_MAX_AGE_S = 300


class KnowledgeBase:
    """The settings, an engine made on first use, and a lazily built search index with the
    institutions' contact details."""

    def __init__(self, settings: settings_module.Settings, engine: Optional[Engine] = None) -> None:
        self.settings = settings
        self._engine = engine
        self._index: Optional[KnowledgeIndex] = None
        self._contacts: Dict[Text, contacts.Contact] = {}
        self._built_at = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._refresh: Optional[asyncio.Task] = None

    def engine(self) -> Engine:
        """The database engine (DATABASE_URL unless one was given)."""
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Runs a blocking database call in a worker thread, so that the action server's
        event loop keeps serving other conversations."""
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    def _build(self) -> None:
        # The limits' classifier is trained here too, off the event loop, not on a question.
        limits.learned_probability("")
        self._index = KnowledgeIndex.from_engine(self.engine())
        self._contacts = contacts.load_contacts(self.settings.contacts_file)
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


# The action server's only start-up hook is importing the actions: the settings are read
# here, once per process, so that a setting that cannot be used stops the server at once
# (SettingsError names it) instead of failing in the middle of a conversation.
knowledge_base = KnowledgeBase(settings_module.load())
