"""Preparing the project's database: the one place where tables are made."""

from __future__ import annotations

import logging
from typing import Text

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from knowledge.core.db import make_engine
from knowledge.library import loader
from knowledge.library.models import create_tables
from knowledge.records import schema

logger = logging.getLogger(__name__)


def create_database_if_missing(url: Text) -> bool:
    """Creates the PostgreSQL database of `url` when its server has none of that name
    (connecting to the server's `postgres` database); whether it did. Other databases are
    left to `create_schema` (SQLite makes its file)."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql" or not target.database:
        return False
    admin = create_engine(target.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if exists:
                return False
            quoted = connection.dialect.identifier_preparer.quote(target.database)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        admin.dispose()
    logger.info("created the database %s", target.database)
    return True


def create_schema(url: Text) -> Engine:
    """An engine on `url` whose case records are migrated to the newest revision and whose
    library tables exist (empty until loaded)."""
    engine = make_engine(url)
    schema.upgrade(engine)
    create_tables(engine)
    return engine


def prepare_database(url: Text) -> loader.LoadReport:
    """The schema, then the knowledge content (idempotent); content errors are reported and
    leave the rest loaded."""
    engine = create_schema(url)
    try:
        report = loader.load(engine)
    finally:
        engine.dispose()
    if report.errors:
        logger.error("knowledge content has %d errors; fix them and run `make knowledge`", len(report.errors))
    return report
