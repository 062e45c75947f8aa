"""InputGuard and GuardedFallbackClassifier on real Rasa messages."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.input_guard import (
    GuardedFallbackClassifier,
    InputGuard,
    check,
)
from knowledge.core.text import normalise


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "empty"),
        (None, "empty"),
        ("   \n\t ", "empty"),
        ("😀😀👍", "empty"),
        ("。。。？！", "empty"),
        ("\x00\x07", "empty"),
        ("你好", None),
        ("TRO", None),
        ("337", None),
        ("<script>alert(1)</script>", None),
        ("商" * 500, None),
        ("商" * 501, "too_long"),
    ],
)
def test_check(text, problem):
    result = check(text, max_chars=500)
    assert (result or {}).get("problem") == problem


@pytest.mark.parametrize(
    "text, expected",
    [
        ("你好\x00美国\u200b商标\n第二行\t", "你好 美国 商标\n第二行\t"),
        ("我們的商標在美國被搶註了", "我们的商标在美国被抢注了"),
        ("知識產權保險理賠", "知识产权保险理赔"),
        ("ＴＲＯ　１３９１２３４５６７８", "TRO 13912345678"),
        ("耀州瓷出口，怎么办？", "耀州瓷出口,怎么办?"),
    ],
)
def test_normalise_keeps_every_offset(text, expected):
    assert normalise(text) == expected
    assert len(normalise(text)) == len(text)


def _guarded(text, ranking_confidence=0.9):
    message = Message({"text": text})
    InputGuard({"max_chars": 10}).process([message])
    read_by_classifiers = message.get("text")
    message.set("intent", {"name": "greet", "confidence": ranking_confidence})
    message.set("intent_ranking", [{"name": "greet", "confidence": ranking_confidence}])
    config = {**GuardedFallbackClassifier.get_default_config(), "threshold": 0.5}
    GuardedFallbackClassifier(config).process([message])
    return message, read_by_classifiers


def test_long_message_is_cut_for_the_classifiers_then_restored_whole():
    text = "我们收到一封很长的律师函，内容如下" * 3
    message, read = _guarded(text)
    assert read == text[:10]
    assert message.get("text") == text
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert message.get("input_check") == {"problem": "too_long", "length": len(text), "limit": 10}
    assert "input_check" in message.as_dict(only_output_properties=True)


def test_empty_message_falls_back_even_when_the_classifier_is_sure():
    message, _ = _guarded("👍👍", ranking_confidence=0.99)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"


def test_ordinary_message_keeps_its_intent():
    message, read = _guarded("你好\x07")
    assert read == "你好 "
    assert message.get("text") == "你好\x07"
    assert message.get("intent")["name"] == "greet"
    assert message.get("input_check") is None


def test_low_confidence_still_falls_back():
    message, _ = _guarded("嗯", ranking_confidence=0.2)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("input_check") is None
