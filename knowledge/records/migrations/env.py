"""Alembic environment of the case records. Run through `knowledge.records.schema`, which
passes the connection in; only the records' own tables are compared and migrated (the
database also holds the library's tables and Rasa's tracker store)."""

from __future__ import annotations

from alembic import context

from knowledge.records.models import Base

TABLES = set(Base.metadata.tables)


def include_name(name, type_, parent_names) -> bool:
    """Only the records' tables (and what belongs to them) are Alembic's business."""
    return type_ != "table" or name in TABLES


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    include_name=include_name,
    compare_type=True,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
