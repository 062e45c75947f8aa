"""The knowledge library's tables. Every item names its source and when it was reviewed.

These tables hold only what `loader.py` loads from `content/`: they are created here, not
migrated, because every load rewrites them from the YAML.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, String, Text, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import declarative_base, declared_attr, relationship

# Typed as Any: SQLAlchemy 1.4 declares models dynamically, which mypy cannot follow without a plugin.
Base: Any = declarative_base()


def _outdated(connection: Connection) -> bool:
    """Whether an existing library table lacks a column of its model or has one too many."""
    inspector = inspect(connection)
    for table in Base.metadata.sorted_tables:
        if inspector.has_table(table.name):
            found = {column["name"] for column in inspector.get_columns(table.name)}
            if found != {column.name for column in table.columns}:
                return True
    return False


def create_tables(engine: Engine) -> None:
    """Creates the library's tables; tables of an older layout are dropped and created
    again (their rows come back with the next load)."""
    with engine.begin() as connection:
        if _outdated(connection):
            Base.metadata.drop_all(connection)
        Base.metadata.create_all(connection)


class Source(Base):
    """A document the knowledge comes from: a law, a treaty, an office, the city notice."""

    __tablename__ = "kb_sources"

    id = Column(String(80), primary_key=True)
    title = Column(Text, nullable=False)
    issuer = Column(Text, nullable=False)
    url = Column(Text)
    content_file = Column(String(200), nullable=False)

    def __repr__(self) -> str:
        return f"Source({self.id!r}, {self.title!r})"


class ItemMixin:
    """Columns every knowledge item has: id, title, search keywords, source, review date."""

    id = Column(String(80), primary_key=True)
    title = Column(Text, nullable=False)
    keywords = Column(JSON, nullable=False, default=list)
    reviewed = Column(Date, nullable=False)
    content_file = Column(String(200), nullable=False)

    @declared_attr
    def source_id(cls):
        return Column(String(80), ForeignKey("kb_sources.id"), nullable=False)

    @declared_attr
    def source(cls):
        return relationship(Source, lazy="joined")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r}, {self.title!r})"


class Article(ItemMixin, Base):
    """Guidance or an FAQ answer, tagged by topic, countries, IP and dispute types, industries."""

    __tablename__ = "kb_articles"

    topic = Column(String(40), nullable=False)
    answer = Column(Text, nullable=False)
    details = Column(Text, nullable=False)
    countries = Column(JSON, nullable=False, default=list)
    ip_types = Column(JSON, nullable=False, default=list)
    dispute_types = Column(JSON, nullable=False, default=list)
    industries = Column(JSON, nullable=False, default=list)


class CountryGuide(ItemMixin, Base):
    """How IP works in one jurisdiction, for an exporter."""

    __tablename__ = "kb_country_guides"

    country = Column(String(40), nullable=False, unique=True)
    office = Column(Text, nullable=False)
    first_to_file = Column(Boolean)
    summary = Column(Text, nullable=False)
    filing = Column(Text, nullable=False)
    risks = Column(Text, nullable=False)
    enforcement = Column(Text, nullable=False)


class Case(ItemMixin, Base):
    """A typical case; `simulated` ones are illustrations (模拟案例), not real public cases."""

    __tablename__ = "kb_cases"

    simulated = Column(Boolean, nullable=False)
    country = Column(String(40), nullable=False)
    ip_type = Column(String(20), nullable=False)
    dispute_type = Column(String(20), nullable=False)
    industry = Column(String(40))
    what_happened = Column(Text, nullable=False)
    handling = Column(Text, nullable=False)
    outcome = Column(Text, nullable=False)
    lessons = Column(Text, nullable=False)


class RiskAlert(ItemMixin, Base):
    """An export-risk alert for a market and/or an industry."""

    __tablename__ = "kb_risk_alerts"

    country = Column(String(40))
    industry = Column(String(40))
    ip_type = Column(String(20))
    level = Column(String(4), nullable=False)
    date = Column(Date, nullable=False)
    text = Column(Text, nullable=False)


class Institution(ItemMixin, Base):
    """A local body of the notice's service network; its phone, address and hours are
    configuration (see `knowledge.contacts`), never content."""

    __tablename__ = "kb_institutions"

    role = Column(Text, nullable=False)
    district = Column(String(20))


class Expert(ItemMixin, Base):
    """A member of the expert pool. `demo` ones are placeholders (示例) for trying the
    service out, not real people; their `title` says so."""

    __tablename__ = "kb_experts"

    profile = Column(Text, nullable=False)
    demo = Column(Boolean, nullable=False)
    ip_types = Column(JSON, nullable=False, default=list)
    countries = Column(JSON, nullable=False, default=list)
    industries = Column(JSON, nullable=False, default=list)
    languages = Column(JSON, nullable=False, default=list)
    available = Column(Boolean, nullable=False)
