"""The training data and the held-out set honour the NLU contract and jieba's tokens."""

from collections import Counter

import pytest

from tests.nlu_data import (
    HOLDOUT_PATH,
    ROOT,
    closed_values,
    contract,
    load_nlu,
    token_bounds,
)

MIN_TRAIN_EXAMPLES = 30
MIN_HOLDOUT_EXAMPLES = 8


@pytest.fixture(scope="module")
def train():
    return load_nlu(ROOT / "data" / "nlu")


@pytest.fixture(scope="module")
def holdout():
    return load_nlu(HOLDOUT_PATH)


def _intent_counts(data):
    return Counter(m.get("intent") for m in data.intent_examples)


@pytest.mark.parametrize("name", list(contract()["intents"]))
def test_every_contract_intent_has_enough_examples(train, holdout, name):
    assert _intent_counts(train)[name] >= MIN_TRAIN_EXAMPLES
    assert _intent_counts(holdout)[name] >= MIN_HOLDOUT_EXAMPLES


def test_no_intent_outside_the_contract(train, holdout):
    known = set(contract()["intents"])
    assert set(_intent_counts(train)) <= known
    assert set(_intent_counts(holdout)) <= known


@pytest.mark.parametrize("name", list(contract()["entities"]))
def test_every_entity_type_is_annotated(train, holdout, name):
    def count(data):
        return sum(e["entity"] == name for m in data.training_examples for e in m.get("entities") or [])

    assert count(train) >= 10
    assert count(holdout) >= 3


@pytest.mark.parametrize("which", ["train", "holdout"])
def test_entities_are_contract_names_with_canonical_values(train, holdout, which):
    data = train if which == "train" else holdout
    names = set(contract()["entities"])
    closed = closed_values()
    bad = []
    for m in data.training_examples:
        for e in m.get("entities") or []:
            value = data.entity_synonyms.get(str(e["value"]), e["value"])
            if e["entity"] not in names or (e["entity"] in closed and value not in closed[e["entity"]]):
                bad.append((m.get("text"), e["entity"], e["value"]))
    assert bad == []


@pytest.mark.parametrize("which", ["train", "holdout"])
def test_entity_spans_cover_whole_jieba_tokens(train, holdout, which):
    data = train if which == "train" else holdout
    bad = []
    for m in data.training_examples:
        text = m.get("text")
        starts, ends = token_bounds(text)
        for e in m.get("entities") or []:
            if e["start"] not in starts or e["end"] not in ends:
                bad.append((text, text[e["start"] : e["end"]]))
    assert bad == []


def test_holdout_never_appears_in_training(train, holdout):
    def norm(text):
        return "".join(text.split()).lower()

    trained = {norm(m.get("text")) for m in train.training_examples}
    leaked = [m.get("text") for m in holdout.training_examples if norm(m.get("text")) in trained]
    assert leaked == []


def test_every_canonical_value_has_synonyms(train):
    mapped = set(train.entity_synonyms.values())
    missing = [v for values in closed_values().values() for v in values if v not in mapped]
    assert missing == []
