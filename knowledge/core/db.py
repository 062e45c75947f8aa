"""Database engines for the project's one database (its tables belong to `library` and
`records`, each with its own metadata)."""

from __future__ import annotations

from pathlib import Path
from typing import Text

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

from knowledge.core.files import private_directory, private_file


def make_engine(url: Text) -> Engine:
    """An engine for `url`; a SQLite file (and its directory, when missing) is made
    owner-only first: it holds phone numbers and conversations. SQLite gives its journal
    the database file's mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        if not database.parent.exists():
            private_directory(database.parent)
        private_file(database)
    return create_engine(url, future=True, pool_pre_ping=True)
