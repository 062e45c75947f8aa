"""Database engines for the project's one database (its tables belong to `library` and
`records`, each with its own metadata)."""

from __future__ import annotations

from pathlib import Path
from typing import Text

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url


def make_engine(url: Text) -> Engine:
    """An engine for `url`; for SQLite the file's directory is created first, owner-only."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)
