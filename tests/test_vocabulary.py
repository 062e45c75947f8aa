"""The one vocabulary object: canonical values and their written forms, as every caller reads them."""

import pytest

from knowledge.core.vocabulary import Vocabulary, other_country, vocabulary

SMALL = Vocabulary({"country": {"美国": ["USA", "美國"], "德国": ["汉诺威"]}, "ip_type": {"商标": ["牌子"]}})


@pytest.mark.parametrize(
    "entity, text, expected",
    [
        ("country", "美国", "美国"),
        ("country", "usa", "美国"),  # case-insensitive
        ("country", " ＵＳＡ ", "美国"),  # full-width and spaces, as people type them
        ("country", "美國", "美国"),
        ("country", "漢諾威", "德国"),  # traditional characters normalised
        ("country", "牌子", None),  # a form of another entity
        ("ip_type", "牌子", "商标"),
        ("country", "法国", None),
    ],
)
def test_canonical_reads_any_written_form_of_one_entity(entity, text, expected):
    assert SMALL.canonical(entity, text) == expected


def test_a_word_maps_to_its_value_whatever_the_entity():
    assert SMALL.canonical_of_word("汉诺威") == "德国"
    assert SMALL.canonical_of_word("牌子") == "商标"
    assert SMALL.canonical_of_word("陶瓷") is None
    assert SMALL.is_form("usa") and not SMALL.is_form("出口")


def test_values_are_the_canonical_ones_only():
    assert SMALL.values("country") == {"美国", "德国"}
    assert SMALL.values("industry") == frozenset()
    assert SMALL.entities() == ["country", "ip_type"]


def test_every_form_is_listed_once_with_its_value():
    forms = [(f.entity, f.text, f.value) for f in SMALL.forms()]
    assert ("country", "USA", "美国") in forms and ("country", "美国", "美国") in forms
    assert len(forms) == len(set(forms)) == 7


def test_the_project_vocabulary_is_read_once_per_process():
    assert vocabulary() is vocabulary()
    assert vocabulary().canonical("country", "Germany") == "德国"


@pytest.mark.parametrize(
    "text, expected",
    [("葡萄牙", "葡萄牙"), ("在Portugal", "葡萄牙"), ("香港", "中国香港"), ("葡萄牙和希腊", None), ("火星", None)],
)
def test_a_country_outside_the_gazetteer_is_read_by_its_standard_name(text, expected):
    assert other_country(text) == expected


def test_no_country_outside_the_gazetteer_is_in_it():
    gazetteer = {form for form in vocabulary().forms() if form.entity == "country"}
    assert not [form.text for form in gazetteer if other_country(form.text)]
