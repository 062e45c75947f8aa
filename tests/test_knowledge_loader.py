"""Loading content files: validation per file, idempotent reloads, removals."""

import shutil
import textwrap

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.database import create_schema
from knowledge.library import loader
from knowledge.library.models import Article, Case, CountryGuide, Institution, RiskAlert, Source

SOURCES = """
sources:
  - id: src-a
    title: 保护工业产权巴黎公约
    issuer: WIPO
    url: null
"""
ARTICLES = """
articles:
  - id: art-one
    title: 第一条
    topic: basics
    countries: [美国]
    ip_types: [商标]
    dispute_types: []
    industries: []
    keywords: [优先权, 337]
    answer: 简短回答。
    details: 详细说明。
    source: src-a
    reviewed: 2026-11-24
"""


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def engine(tmp_path):
    return create_schema(f"sqlite:///{tmp_path / 'kb.db'}")


@pytest.fixture
def root(tmp_path):
    content = tmp_path / "content"
    write(content, "sources/a.yml", SOURCES)
    write(content, "articles/a.yml", ARTICLES)
    return content


def count(engine, model):
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_good_file_loads_and_a_second_load_changes_nothing(engine, root):
    first = loader.load(engine, root)
    assert (first.inserted, first.errors) == (2, [])
    second = loader.load(engine, root)
    assert (second.changed, second.unchanged, second.errors) == (0, 2, [])
    with Session(engine) as session:
        article = session.get(Article, "art-one")
        assert article.keywords == ["优先权", "337"]
        assert article.source.title == "保护工业产权巴黎公约"


def test_an_edit_updates_and_a_removed_item_is_deleted(engine, root):
    loader.load(engine, root)
    write(root, "articles/a.yml", ARTICLES.replace("简短回答。", "新的回答。"))
    assert loader.load(engine, root).updated == 1
    write(root, "articles/a.yml", "articles: []\n")
    report = loader.load(engine, root)
    assert report.deleted == 1
    assert count(engine, Article) == 0


@pytest.mark.parametrize(
    "broken, message",
    [
        (ARTICLES.replace("topic: basics", "topic: gossip"), "art-one: 'topic' is 'gossip'"),
        (ARTICLES.replace("countries: [美国]", "countries: [美利坚合众国]"), "not canonical country"),
        (ARTICLES.replace("source: src-a", "source: nowhere"), "source 'nowhere'"),
        (ARTICLES.replace("reviewed: 2026-11-24", "reviewed: yesterday"), "'reviewed' must be a date"),
        (ARTICLES.replace("answer: 简短回答。", "answer: ''"), "'answer' must be non-empty"),
        (ARTICLES + "  - {id: art-two}\n", "art-two: 'source' must be non-empty"),
        ("articles: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_broken_file_is_reported_with_file_and_item_and_nothing_of_it_loads(engine, root, broken, message):
    write(root, "articles/b.yml", ARTICLES.replace("art-one", "art-b1") + "  - {id: art-b2, title: x}\n")
    write(root, "articles/a.yml", broken)
    report = loader.load(engine, root)
    assert any(e.startswith("articles/a.yml") and message in e for e in report.errors), report.errors
    with Session(engine) as session:
        assert session.get(Article, "art-one") is None
        # The other file's error is its own: its good item is not loaded either.
        assert session.get(Article, "art-b1") is None
    assert count(engine, Source) == 1


def test_a_broken_file_keeps_what_was_loaded_before(engine, root):
    loader.load(engine, root)
    write(root, "articles/a.yml", ARTICLES.replace("topic: basics", "topic: gossip"))
    assert loader.load(engine, root).errors
    with Session(engine) as session:
        assert session.get(Article, "art-one").topic == "basics"


def test_an_id_used_in_two_files_is_refused(engine, root):
    write(root, "articles/b.yml", ARTICLES)
    report = loader.load(engine, root)
    assert any("art-one: id also used in articles/a.yml" in e for e in report.errors)


def test_a_simulated_case_must_say_so(engine, root, tmp_path):
    case = """
    cases:
      - id: case-x
        title: 某企业被诉
        simulated: true
        country: 美国
        ip_type: 专利
        dispute_type: 侵权诉讼
        industry: 陶瓷
        what_happened: a
        handling: b
        outcome: c
        lessons: d
        source: src-a
        reviewed: 2026-11-24
    """
    write(root, "cases/a.yml", case)
    assert any("must say 模拟案例" in e for e in loader.load(engine, root).errors)


def test_the_projects_content_loads_without_error_and_covers_the_issue(kb_engine):
    assert count(kb_engine, CountryGuide) >= 20
    assert count(kb_engine, Case) >= 30
    assert count(kb_engine, RiskAlert) >= 7
    assert count(kb_engine, Institution) >= 6
    with Session(kb_engine) as session:
        countries = set(session.scalars(select(CountryGuide.country)))
        dispute_types = set(session.scalars(select(Case.dispute_type)))
        guided = {t for a in session.scalars(select(Article)) for t in a.dispute_types}
    assert {"美国", "欧盟", "德国", "越南", "俄罗斯", "巴西", "阿联酋"} <= countries
    every_type = {"侵权诉讼", "临时禁令", "警告函", "展会纠纷", "海关扣押", "电商平台投诉", "337调查", "商标抢注"}
    assert dispute_types == every_type
    assert guided >= every_type


def test_the_content_directory_can_be_copied_and_reloaded(tmp_path, engine):
    copy = tmp_path / "copy"
    shutil.copytree(loader.CONTENT_DIR, copy)
    assert loader.load(engine, copy).errors == []
    assert loader.load(engine, copy).changed == 0
