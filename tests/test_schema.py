"""Schema of the project's database: the case records by migration (SQLite and PostgreSQL),
the library's tables rebuilt when their layout changed. Needs the machine's PostgreSQL
(TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test)."""

import os
import secrets
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.database import create_schema, prepare_database
from knowledge.core.db import make_engine
from knowledge.library import models as library_models
from knowledge.records import models as records_models
from knowledge.records import schema
from knowledge.records.reports import ReportDraft, create_report, get_report

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def empty_postgres():
    """A new, empty PostgreSQL database, dropped afterwards."""
    server = make_url(POSTGRES_URL)
    name = f"schema_{secrets.token_hex(4)}"
    admin = create_engine(server, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def differences(engine):
    """What autogenerate would change to make the database match the records' models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_name": lambda name, kind, parents: (
                    kind != "table" or name in records_models.Base.metadata.tables
                ),
                "compare_type": True,
            },
        )
        return compare_metadata(context, records_models.Base.metadata)


def revision(engine):
    with engine.connect() as connection:
        return schema.current_revision(connection)


def draft(sender="alice"):
    return ReportDraft(
        kind=records_models.DISPUTE,
        company_name="铜川华陶瓷业有限公司",
        phone="13912345678",
        country="德国",
        description="我们在德国展会上被投诉外观设计侵权，展品被要求撤下。",
        channel="rest",
        sender_id=sender,
    )


def test_an_empty_postgres_database_is_migrated_to_head_matching_the_models(empty_postgres):
    engine = make_engine(empty_postgres)
    schema.upgrade(engine)
    assert revision(engine) == schema.head_revision()
    assert differences(engine) == []
    engine.dispose()


def test_an_empty_sqlite_database_is_migrated_to_head_matching_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    schema.upgrade(engine)
    assert revision(engine) == schema.head_revision()
    assert differences(engine) == []


# The case records' tables before migrations existed (revision 0001).
BASELINE_TABLES = ("reports", "report_events", "notifications", "handoffs", "subscriptions", "consultation_requests")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_made_by_create_all_is_stamped_and_keeps_its_reports(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else request.getfixturevalue("empty_postgres")
    engine = make_engine(url)
    with engine.begin() as connection:
        # What every process did before migrations, with the tables of that time.
        baseline = [table for name, table in records_models.Base.metadata.tables.items() if name in BASELINE_TABLES]
        records_models.Base.metadata.create_all(connection, tables=baseline)
    kept = create_report(engine, draft(), date(2026, 11, 24))
    schema.upgrade(engine)
    assert revision(engine) == schema.head_revision()
    assert get_report(engine, kept.id).company_name == "铜川华陶瓷业有限公司"
    assert differences(engine) == []
    engine.dispose()


def test_upgrading_twice_changes_nothing(tmp_path):
    engine = create_schema(f"sqlite:///{tmp_path / 'a.db'}")
    kept = create_report(engine, draft(), date(2026, 11, 24))
    schema.upgrade(engine)
    assert revision(engine) == schema.head_revision()
    assert get_report(engine, kept.id) is not None


def test_library_tables_of_an_older_layout_are_rebuilt_and_reloaded(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE kb_sources (id VARCHAR(80) PRIMARY KEY, title TEXT)"))
    assert prepare_database(url).errors == []
    columns = {c["name"] for c in inspect(engine).get_columns("kb_sources")}
    assert columns == {c.name for c in library_models.Base.metadata.tables["kb_sources"].columns}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM kb_articles")).scalar() > 0


def test_preparing_keeps_the_records_and_reloads_nothing_unchanged(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert prepare_database(url).errors == []
    engine = make_engine(url)
    kept = create_report(engine, draft(), date(2026, 11, 24))
    again = prepare_database(url)
    assert (again.inserted, again.updated, again.deleted) == (0, 0, 0)
    assert get_report(engine, kept.id) is not None
