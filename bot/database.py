"""Preparing the project's database: the one place where tables are made."""

from __future__ import annotations

import logging
from typing import Text

from sqlalchemy.engine import Engine

from knowledge.core.db import make_engine
from knowledge.library import loader
from knowledge.library.models import create_tables
from knowledge.records import schema

logger = logging.getLogger(__name__)


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
