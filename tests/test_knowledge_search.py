"""suggest(): ranking, entity steering, filters and the no-answer threshold, on the real content."""

import numpy as np
import pytest

from knowledge.core.text import tokenize
from knowledge.library.search import KnowledgeIndex, bigrams, in_digits


def ids(results):
    return [r.id for r in results]


def test_tokenize_uses_the_domain_dictionary_and_normalises():
    assert tokenize("我們收到337調查的通知") == ["收到", "337调查", "通知"]
    assert "吉尔吉斯斯坦" in tokenize("吉尔吉斯斯坦的商标")


@pytest.mark.parametrize(
    "question, entities, kinds, expected",
    [
        (
            "ITC把我们列为被申请人，20天内要做什么",
            {"dispute_type": "337调查", "country": "美国"},
            ["article"],
            "dispute-337",
        ),
        ("亚马逊店铺被TRO冻结了怎么办", {"dispute_type": "临时禁令"}, ["article"], "dispute-tro-schedule-a"),
        ("货在荷兰海关被扣了", {"dispute_type": "海关扣押", "country": "荷兰"}, ["article"], "dispute-customs-eu"),
        ("在越南注册商标要注意什么", {"country": "越南", "ip_type": "商标"}, ["country_guide"], "country-yuenan"),
        ("优先权期限是多久", {}, ["article"], "basics-paris-priority"),
    ],
)
def test_the_right_item_ranks_first(kb_index, question, entities, kinds, expected):
    results = kb_index.suggest(question, entities, k=3, kinds=kinds)
    assert ids(results)[0] == expected
    assert all(0 < r.confidence <= 1 for r in results)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_entities_keep_answers_about_other_countries_down(kb_index):
    results = kb_index.suggest("商标注册要注意什么", {"country": "日本"}, k=3, kinds=["country_guide"])
    assert ids(results)[0] == "country-riben"
    assert "country-yuenan" not in ids(results)


def test_kinds_and_topics_filter(kb_index):
    cases = kb_index.suggest("美国337调查", {"dispute_type": "337调查"}, k=5, kinds=["case"])
    assert cases and all(r.kind == "case" for r in cases)
    insurance = kb_index.suggest("保险", {}, k=5, topics=["insurance"], kinds=["article"])
    assert insurance and all(r.topic == "insurance" for r in insurance)


@pytest.mark.parametrize("question", ["今天天气怎么样", "帮我订一份外卖", "asdfgh", ""])
def test_below_the_threshold_nothing_is_returned(kb_index, question):
    assert kb_index.suggest(question, {}, k=3) == []


def test_an_empty_index_answers_nothing():
    assert KnowledgeIndex([]).suggest("337调查", {}) == []


@pytest.mark.parametrize(
    "question, digits",
    [
        ("第五六年那会儿要交什么", "第5 6 年"),
        ("二十一天内要答辩吗", "21 天"),
        ("两个月", "2 个月"),
        ("等一下子", "等一下子"),
    ],
)
def test_numbers_written_in_chinese_are_searched_as_digits(question, digits):
    assert digits in in_digits(question)
    assert all(n in KnowledgeIndex.query(question) for n in digits.split() if n.isdigit())


@pytest.mark.parametrize(
    "question", ["华为诉中兴那个标准必要专利案，欧盟法院是哪一年判的", "华为诉中兴案欧盟法院哪年判决的"]
)
def test_a_case_answers_a_question_for_a_date_that_names_it(kb_index, question):
    # The case answers though no case was asked for: the question names its parties. And 哪一年
    # is no “1 year”.
    from knowledge.library.answers import answer

    found = answer(kb_index, question)
    assert found.item.id == "case-real-eu-huawei-zte-sep" and "2015" in found.text


def test_which_one_is_no_number():
    assert in_digits("哪一年判的") == "哪一年判的" and in_digits("二十一天") == "21 天"


@pytest.mark.parametrize(
    "question",
    ["美国TRO冻结了店铺资金怎么办", "德国展会上被投诉外观设计侵权", "商标商标商标", "完全陌生的词语zzqq", ""],
)
def test_the_kept_columns_score_as_rank_bm25_does(kb_index, question):
    for bm25, scorer, query in [
        (kb_index._bm25, kb_index._scores, kb_index.query(question)),
        (kb_index._bm25_grams, kb_index._gram_scores, bigrams(question)),
    ]:
        for _ in range(2):  # computed, then kept
            assert np.array_equal(scorer.scores(query), bm25.get_scores(query))
