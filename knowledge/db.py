"""Database engine and schema creation for the project's one database."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Text

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import declarative_base

logger = logging.getLogger(__name__)

# Typed as Any: SQLAlchemy 1.4 declares models dynamically, which mypy cannot follow without a plugin.
Base: Any = declarative_base()


def make_engine(url: Text) -> Engine:
    """An engine for `url`; for SQLite the file's directory is created first."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)


def init_db(url: Text) -> Engine:
    """Creates the database (a SQLite file if that is the URL) and every table."""
    # Importing the modules registers their tables on Base.metadata.
    import knowledge.experts  # noqa: F401
    import knowledge.handoffs  # noqa: F401
    import knowledge.models  # noqa: F401
    import knowledge.notifications  # noqa: F401
    import knowledge.reports  # noqa: F401
    import knowledge.subscriptions  # noqa: F401

    engine = make_engine(url)
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
    logger.info("database ready: %s", engine.url.render_as_string(hide_password=True))
    return engine
