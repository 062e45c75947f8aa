"""Loading the YAML content under knowledge/library/content/ into the database.

Every file is validated first. A file with any error is reported (file, item, problem)
and nothing from it is loaded; the other files are. Loading is idempotent: rows are
matched by id, updated only when a field changed, and removed when their file no longer
has them. A second load of unchanged content changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple, Type

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.core.vocabulary import HOME_COUNTRY, vocabulary
from knowledge.library.models import Article, Case, CountryGuide, Expert, Institution, RiskAlert, Source

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).parent / "content"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
TOPICS = {
    "dispute_guidance",
    "basics",
    "local_service",
    "exhibition",
    "insurance",
    "funding",
    "mediation",
    "contact",
    "training",
    "law_update",
    "risk",
}
LEVELS = {"高", "中", "低"}
MAX_ANSWER_CHARS = 300

Row = Dict[Text, Any]


class ContentError(Exception):
    """A problem with one item of a content file."""


@dataclass
class FileResult:
    """One content file: its valid rows, or the errors that keep it out."""

    path: Path
    name: Text
    model: Type
    rows: List[Row] = field(default_factory=list)
    errors: List[Text] = field(default_factory=list)


@dataclass
class LoadReport:
    """What a load did."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: List[Text] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted

    def __str__(self) -> str:
        return (
            f"{self.inserted} inserted, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged, {len(self.errors)} errors"
        )


# -- field checks -------------------------------------------------------------------------


def _text(item: Row, key: Text, max_chars: Optional[int] = None) -> Text:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"'{key}' must be non-empty text")
    if max_chars is not None and len(value) > max_chars:
        raise ContentError(f"'{key}' has {len(value)} characters, more than {max_chars}")
    return value.strip()


def _optional_text(item: Row, key: Text) -> Optional[Text]:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ContentError(f"'{key}' must be text or null")
    return value.strip() or None


def _date(item: Row, key: Text) -> dt.date:
    value = item.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"'{key}' must be a date such as 2026-11-24, not {value!r}") from None


def _strings(item: Row, key: Text) -> List[Text]:
    value = item.get(key) or []
    # YAML reads a bare 337 as a number; it is still a word here.
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
        raise ContentError(f"'{key}' must be a list of words")
    return [str(v).strip() for v in value]


def _canonical(item: Row, key: Text, entity: Text, many: bool, required: bool = True) -> Any:
    # Content may be about the home country, which the NLU never names (vocabulary.HOME_COUNTRY).
    allowed = vocabulary().values(entity) | ({HOME_COUNTRY} if entity == "country" else set())
    values = _strings(item, key) if many else [v for v in [_optional_text(item, key)] if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ContentError(f"'{key}' has {bad}: not canonical {entity} values")
    if many:
        return values
    if required and not values:
        raise ContentError(f"'{key}' is required")
    return values[0] if values else None


def _choice(item: Row, key: Text, allowed: Set[Text]) -> Text:
    value = _text(item, key)
    if value not in allowed:
        raise ContentError(f"'{key}' is {value!r}, not one of {sorted(allowed)}")
    return value


def _common(item: Row, sources: Set[Text], item_id: Optional[Text] = None) -> Row:
    item_id = item_id or _text(item, "id")
    if not ID_PATTERN.match(item_id):
        raise ContentError(f"id {item_id!r}: use lowercase letters, digits and hyphens")
    source = _text(item, "source")
    for ref in [source, *_strings(item, "extra_sources")]:
        if ref not in sources:
            raise ContentError(f"source {ref!r} is not in any valid sources file")
    return {
        "id": item_id,
        "title": _text(item, "title"),
        "keywords": _strings(item, "keywords"),
        "source_id": source,
        "reviewed": _date(item, "reviewed"),
    }


# -- one parser per kind of file ------------------------------------------------------------


def _source(item: Row, sources: Set[Text], stem: Text) -> Row:
    item_id = _text(item, "id")
    if not ID_PATTERN.match(item_id):
        raise ContentError(f"id {item_id!r}: use lowercase letters, digits and hyphens")
    return {
        "id": item_id,
        "title": _text(item, "title"),
        "issuer": _text(item, "issuer"),
        "url": _optional_text(item, "url"),
    }


def _article(item: Row, sources: Set[Text], stem: Text) -> Row:
    return {
        **_common(item, sources),
        "topic": _choice(item, "topic", TOPICS),
        "answer": _text(item, "answer", MAX_ANSWER_CHARS),
        "details": _text(item, "details"),
        "countries": _canonical(item, "countries", "country", many=True),
        "ip_types": _canonical(item, "ip_types", "ip_type", many=True),
        "dispute_types": _canonical(item, "dispute_types", "dispute_type", many=True),
        "industries": _strings(item, "industries"),
    }


def _country_guide(item: Row, sources: Set[Text], stem: Text) -> Row:
    country = _canonical(item, "country", "country", many=False)
    first_to_file = item.get("first_to_file")
    if first_to_file not in (True, False, None):
        raise ContentError("'first_to_file' must be true, false or null")
    return {
        **_common(
            {**item, "title": item.get("title") or f"{country}知识产权国别指南"}, sources, item_id=f"country-{stem}"
        ),
        "country": country,
        "office": _text(item, "office"),
        "first_to_file": first_to_file,
        "summary": _text(item, "summary", MAX_ANSWER_CHARS),
        "filing": _text(item, "filing"),
        "risks": _text(item, "risks"),
        "enforcement": _text(item, "enforcement"),
    }


def _case(item: Row, sources: Set[Text], stem: Text) -> Row:
    simulated = item.get("simulated")
    if not isinstance(simulated, bool):
        raise ContentError("'simulated' must be true or false")
    title = _text(item, "title")
    if simulated and "模拟案例" not in title:
        raise ContentError("a simulated case's title must say 模拟案例")
    return {
        **_common(item, sources),
        "simulated": simulated,
        "country": _canonical(item, "country", "country", many=False),
        "ip_type": _canonical(item, "ip_type", "ip_type", many=False),
        "dispute_type": _canonical(item, "dispute_type", "dispute_type", many=False),
        "industry": _optional_text(item, "industry"),
        "what_happened": _text(item, "what_happened"),
        "handling": _text(item, "handling"),
        "outcome": _text(item, "outcome"),
        "lessons": _text(item, "lessons"),
    }


def _alert(item: Row, sources: Set[Text], stem: Text) -> Row:
    return {
        **_common(item, sources),
        "country": _canonical(item, "country", "country", many=False, required=False),
        "industry": _optional_text(item, "industry"),
        "ip_type": _canonical(item, "ip_type", "ip_type", many=False, required=False),
        "level": _choice(item, "level", LEVELS),
        "date": _date(item, "date"),
        "text": _text(item, "text"),
    }


def _institution(item: Row, sources: Set[Text], stem: Text) -> Row:
    return {
        **_common(item, sources),
        "role": _text(item, "role"),
        "district": _canonical(item, "district", "district", many=False, required=False),
    }


def _expert(item: Row, sources: Set[Text], stem: Text) -> Row:
    demo = item.get("demo")
    available = item.get("available")
    if not isinstance(demo, bool) or not isinstance(available, bool):
        raise ContentError("'demo' and 'available' must be true or false")
    title = _text(item, "title")
    if demo and "示例" not in title:
        raise ContentError("a demo expert's title must say 示例")
    return {
        **_common(item, sources),
        "profile": _text(item, "profile"),
        "demo": demo,
        "ip_types": _canonical(item, "ip_types", "ip_type", many=True),
        "countries": _canonical(item, "countries", "country", many=True),
        "industries": _strings(item, "industries"),
        "languages": _strings(item, "languages"),
        "available": available,
    }


# Every parser gets the file name without extension; a country guide takes its id from it.
Parser = Callable[[Row, Set[Text], Text], Row]
# directory or file under content/ -> (top-level key, model, parser); `None` key: one item per file
LAYOUT: List[Tuple[Text, Optional[Text], Type, Parser]] = [
    ("sources/*.yml", "sources", Source, _source),
    ("articles/*.yml", "articles", Article, _article),
    ("countries/*.yml", None, CountryGuide, _country_guide),
    ("cases/*.yml", "cases", Case, _case),
    ("alerts/*.yml", "alerts", RiskAlert, _alert),
    ("institutions.yml", "institutions", Institution, _institution),
    ("experts.yml", "experts", Expert, _expert),
]


def _read_file(
    path: Path, key: Optional[Text], model: Type, parser: Parser, sources: Set[Text], root: Path
) -> FileResult:
    name = path.relative_to(root).as_posix()
    result = FileResult(path, name, model)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        result.errors.append(f"{name}: not valid YAML: {error}")
        return result
    items = [data] if key is None else (data or {}).get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        result.errors.append(
            f"{name}: expected a mapping with a list '{key}'" if key else f"{name}: expected a mapping"
        )
        return result
    for index, item in enumerate(items):
        label = item.get("id") or f"item {index + 1}"
        try:
            row = parser(item, sources, path.stem)
        except ContentError as error:
            result.errors.append(f"{name}: {label}: {error}")
            continue
        result.rows.append({**row, "content_file": name})
    seen: Set[Text] = set()
    for row in result.rows:
        if row["id"] in seen:
            result.errors.append(f"{name}: {row['id']}: id used twice")
        seen.add(row["id"])
    if result.errors:
        result.rows = []
    return result


def read_content(root: Path = CONTENT_DIR) -> List[FileResult]:
    """Every content file, validated; sources first, since items refer to them."""
    results: List[FileResult] = []
    sources: Set[Text] = set()
    for pattern, key, model, parser in LAYOUT:
        for path in sorted(root.glob(pattern)):
            result = _read_file(path, key, model, parser, sources, root)
            results.append(result)
            if model is Source:
                sources.update(row["id"] for row in result.rows)
    _reject_duplicate_ids(results)
    return results


def _reject_duplicate_ids(results: Iterable[FileResult]) -> None:
    owner: Dict[Tuple[Type, Text], Text] = {}
    for result in results:
        for row in result.rows:
            key = (Source if result.model is Source else object, row["id"])
            if key in owner and owner[key] != row["content_file"]:
                result.errors.append(f"{row['content_file']}: {row['id']}: id also used in {owner[key]}")
            owner.setdefault(key, row["content_file"])
    for result in results:
        if result.errors:
            result.rows = []


def load(engine: Engine, root: Path = CONTENT_DIR) -> LoadReport:
    """Validates every file and loads the valid ones in one transaction."""
    report = LoadReport()
    results = read_content(root)
    stale: List[Any] = []
    with Session(engine, future=True) as session, session.begin():
        for result in results:
            report.errors.extend(result.errors)
            if not result.errors:
                stale.extend(_sync_file(session, result, report))
        # Items go before the sources they may refer to.
        for row in sorted(stale, key=lambda r: isinstance(r, Source)):
            session.delete(row)
            session.flush()
        report.deleted = len(stale)
    for error in report.errors:
        logger.error("content error: %s", error)
    logger.info("knowledge load: %s", report)
    return report


def _sync_file(session: Session, result: FileResult, report: LoadReport) -> List[Any]:
    """Inserts and updates the file's rows; returns the rows its file no longer has."""
    model = result.model
    wanted = {row["id"]: row for row in result.rows}
    for row in result.rows:
        existing = session.get(model, row["id"])
        if existing is None:
            session.add(model(**row))
            report.inserted += 1
        elif any(getattr(existing, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(existing, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    rows = session.scalars(select(model).where(model.content_file == result.name)).all()
    return [row for row in rows if row.id not in wanted]
