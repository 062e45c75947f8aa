"""Matching questions to the expert pool, and consultation requests."""

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.database import create_schema
from knowledge.library import loader
from knowledge.library.experts import best_matches, get_expert, score
from knowledge.library.models import Expert
from knowledge.records.consultations import request_consultation
from knowledge.records.models import ConsultationRequest

EXPERTS_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "library" / "content" / "experts.yml"


def expert(expert_id, countries=(), ip_types=(), industries=()):
    return Expert(
        id=expert_id,
        title=f"示例专家{expert_id}",
        countries=list(countries),
        ip_types=list(ip_types),
        industries=list(industries),
        available=True,
        demo=True,
    )


def ids(matches):
    return [m.expert.id for m in matches]


# --- score on hand-made experts --------------------------------------------------------


def test_a_country_outranks_an_ip_type_which_outranks_an_industry():
    by_country = score(expert("x", countries=["美国"]), "美国", "专利", "陶瓷")
    by_ip_type = score(expert("y", ip_types=["专利"]), "美国", "专利", "陶瓷")
    by_industry = score(expert("z", industries=["陶瓷"]), "美国", "专利", "陶瓷")
    assert (by_country.score, by_ip_type.score, by_industry.score) == (3, 2, 1)


def test_score_adds_up_with_reasons():
    match = score(expert("x", ["美国", "加拿大"], ["专利"], ["电子电器"]), "美国", "专利", "电子电器")
    assert match.score == 6
    assert match.reasons == ["熟悉美国", "擅长专利", "有电子电器行业经验"]
    assert match.expert.id == "x"


def test_an_eu_member_question_matches_an_eu_expert():
    match = score(expert("x", countries=["欧盟"]), "荷兰", None, None)
    assert match.score == 2
    assert match.reasons == ["熟悉欧盟规则（适用于荷兰）"]
    assert "欧盟" in match.reasons[0]


def test_knowing_the_member_state_itself_counts_in_full():
    match = score(expert("x", countries=["欧盟", "德国"]), "德国", None, None)
    assert (match.score, match.reasons) == (3, ["熟悉德国"])


def test_the_eu_does_not_cover_a_non_member():
    assert score(expert("x", countries=["欧盟"]), "英国", None, None).score == 0


@pytest.mark.parametrize("industry", ["陶瓷", "日用陶瓷", "陶瓷卫浴"])
def test_industries_match_by_containment(industry):
    match = score(expert("x", industries=["陶瓷"]), None, None, industry)
    assert (match.score, match.reasons) == (1, [f"有{industry}行业经验"])


def test_nothing_in_common_scores_zero():
    match = score(expert("x", ["美国"], ["专利"], ["陶瓷"]), "日本", "商标", "医药")
    assert (match.score, match.reasons) == (0, [])
    assert score(expert("x", ["美国"], ["专利"], ["陶瓷"]), None, None, None).score == 0


# --- best_matches on the real pool ----------------------------------------------------


def test_best_matches_ranks_by_score(kb_engine):
    matches = best_matches(kb_engine, "日本", "专利", None)
    assert ids(matches) == ["demo-expert-f", "demo-expert-a", "demo-expert-e"]
    assert [m.score for m in matches] == [5, 2, 2]
    assert matches[0].reasons == ["熟悉日本", "擅长专利"]


def test_the_country_outranks_the_ip_type_in_the_pool(kb_engine):
    matches = best_matches(kb_engine, "日本", "商标", None)
    assert ids(matches)[0] == "demo-expert-f"
    assert matches[0].reasons == ["熟悉日本"]


def test_an_eu_member_question_finds_the_eu_expert(kb_engine):
    matches = best_matches(kb_engine, "荷兰", None, None)
    assert ids(matches) == ["demo-expert-b"]
    assert matches[0].reasons == ["熟悉欧盟规则（适用于荷兰）"]


def test_unavailable_experts_are_never_offered(kb_engine):
    assert get_expert(kb_engine, "demo-expert-h").available is False
    assert best_matches(kb_engine, "巴西", None, None) == []
    matches = best_matches(kb_engine, "巴西", "商标", "食品农产品", limit=20)
    assert matches
    assert "demo-expert-h" not in ids(matches)
    assert all(m.expert.available for m in matches)
    assert all("拉美" not in m.expert.title for m in matches)


@pytest.mark.parametrize(
    "country, ip_type, industry",
    [(None, None, None), ("冰岛", "植物新品种", "航天"), ("巴西", None, None)],
)
def test_nothing_matched_gives_no_experts(kb_engine, country, ip_type, industry):
    assert best_matches(kb_engine, country, ip_type, industry) == []


def test_at_most_limit_experts_best_first(kb_engine):
    every = best_matches(kb_engine, "美国", "商标", "陶瓷", limit=20)
    assert ids(every) == [
        "demo-expert-c",
        "demo-expert-a",
        "demo-expert-b",
        "demo-expert-d",
        "demo-expert-g",
        "demo-expert-e",
    ]
    assert [m.score for m in every] == [6, 3, 3, 3, 3, 2]
    assert every[0].reasons == ["熟悉美国", "擅长商标", "有陶瓷行业经验"]
    assert ids(best_matches(kb_engine, "美国", "商标", "陶瓷")) == ids(every)[:3]
    assert ids(best_matches(kb_engine, "美国", "商标", "陶瓷", limit=1)) == ["demo-expert-c"]


def test_a_tie_goes_to_the_expert_who_knows_the_country(kb_engine):
    assert ids(best_matches(kb_engine, "日本", "商标", "陶瓷"))[0] == "demo-expert-f"


# --- the content -----------------------------------------------------------------------


def test_every_expert_in_the_content_file_is_a_labelled_demo():
    experts = yaml.safe_load(EXPERTS_FILE.read_text(encoding="utf-8"))["experts"]
    assert len(experts) == 8
    for item in experts:
        assert item["demo"] is True, item["id"]
        assert "示例" in item["title"], item["id"]


def test_every_loaded_expert_is_a_labelled_demo(kb_engine):
    with Session(kb_engine) as session:
        experts = session.scalars(select(Expert)).all()
    assert len(experts) == 8
    assert all(e.demo and "示例" in e.title for e in experts)


# --- consultation requests -------------------------------------------------------------


def test_request_consultation_is_saved(tmp_path):
    engine = create_schema(f"sqlite:///{tmp_path / 't.db'}")
    assert loader.load(engine).errors == []
    chosen = get_expert(engine, "demo-expert-c")

    first = request_consultation(engine, chosen.id, chosen.title, "rest", "alice", "美国", "商标", "陶瓷")
    second = request_consultation(engine, chosen.id, chosen.title, "telegram", "bob", None, None, None)

    assert isinstance(first.id, int)
    assert first.id != second.id
    with Session(engine) as session:
        stored = session.get(ConsultationRequest, first.id)
        assert (stored.expert_id, stored.expert_title) == ("demo-expert-c", "示例专家C（跨境电商与临时禁令方向）")
        assert (stored.channel, stored.sender_id) == ("rest", "alice")
        assert (stored.country, stored.ip_type, stored.industry) == ("美国", "商标", "陶瓷")
        assert stored.created_at is not None
        other = session.get(ConsultationRequest, second.id)
        assert (other.sender_id, other.country, other.ip_type, other.industry) == ("bob", None, None, None)
        assert session.query(ConsultationRequest).count() == 2
