"""The case records' schema, kept at the newest migration.

`upgrade` brings any database to the head revision: an empty one gets every table, one
created by `create_all` before migrations existed (it has the records' tables but no
version) is stamped with the baseline first, so its rows are kept.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional, Text

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"
# A table of the baseline: its presence without a version means `create_all` made the schema.
BASELINE_TABLE = "reports"


def config(connection: Connection) -> Config:
    """Alembic's configuration for this project, on an open connection."""
    alembic_config = Config()
    alembic_config.set_main_option("script_location", str(MIGRATIONS))
    alembic_config.attributes["connection"] = connection
    return alembic_config


def current_revision(connection: Connection) -> Optional[Text]:
    """The revision the database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> Text:
    """The newest revision of `migrations/versions/`."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine) -> None:
    """Migrates the records' tables to the head revision (stamping a pre-migration schema)."""
    with engine.begin() as connection:
        alembic_config = config(connection)
        if current_revision(connection) is None and inspect(connection).has_table(BASELINE_TABLE):
            logger.info("records schema made before migrations: stamping it as revision %s", BASELINE)
            command.stamp(alembic_config, BASELINE)
        command.upgrade(alembic_config, "head")
    logger.info("records schema at revision %s", head_revision())
