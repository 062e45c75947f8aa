"""The action server's actions, on trackers built from events."""

import asyncio
import json

import pytest

from actions.conversation import ActionAcknowledge, ActionHandleInform
from actions.fallback import ActionClarify, consecutive_misses
from actions.knowledge_base import knowledge_base
from bot.database import create_schema
from tests.conftest import settings_for, tracker_from, user_event

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.55},
    {"name": "greet", "confidence": 0.3},
    {"name": "ask_country_guide", "confidence": 0.25},
    {"name": "ask_risk_warning", "confidence": 0.2},
    {"name": "ask_case", "confidence": 0.1},
]
US = [{"entity": "country", "value": "美国", "start": 0, "end": 2}]


def fallback(text="嗯那个", **parse_data):
    return user_event(text, "nlu_fallback", 0.55, **parse_data)


def test_first_miss_offers_the_two_likeliest_topics_with_entities_and_a_person(dispatcher, domain):
    tracker = tracker_from([fallback(intent_ranking=RANKING, entities=US)])
    assert asyncio.run(ActionClarify().run(dispatcher, tracker, domain)) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarify"
    entities = json.dumps({"country": "美国"}, ensure_ascii=False)
    assert message["buttons"] == [
        {"title": "国别指南", "payload": f"/ask_country_guide{entities}"},
        {"title": "风险预警", "payload": f"/ask_risk_warning{entities}"},
        {"title": "人工服务", "payload": "/request_human"},
    ]


def test_a_miss_with_no_topic_in_view_offers_the_menu(dispatcher, domain):
    ranking = [{"name": "greet", "confidence": 0.4}, {"name": "thank", "confidence": 0.3}]
    asyncio.run(ActionClarify().run(dispatcher, tracker_from([fallback(intent_ranking=ranking)]), domain))
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["我能做什么", "人工服务"]


def test_second_miss_in_a_row_hands_off_to_a_person(dispatcher, domain, monkeypatch, tmp_path):
    monkeypatch.setattr(knowledge_base, "_engine", create_schema(f"sqlite:///{tmp_path / 't.db'}"))
    monkeypatch.setattr(knowledge_base, "settings", settings_for(OFFICE_DAYS="1-7", OFFICE_HOURS="00:00-24:00"))
    events = [fallback(intent_ranking=RANKING), {"event": "bot", "text": "?"}, fallback("还是那个")]
    assert consecutive_misses(tracker_from(events)) == 2
    returned = asyncio.run(ActionClarify().run(dispatcher, tracker_from(events), domain))
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_clarify_again",
        "utter_handoff_in_hours",
        "utter_handoff_queued",
    ]
    assert {"event": "pause", "timestamp": None} not in returned


def test_a_miss_after_an_understood_message_is_a_first_miss(dispatcher, domain):
    events = [fallback(), user_event("你好", "greet"), fallback(intent_ranking=RANKING)]
    assert consecutive_misses(tracker_from(events)) == 1
    asyncio.run(ActionClarify().run(dispatcher, tracker_from(events), domain))
    assert dispatcher.messages[0]["response"] == "utter_clarify"


def test_a_message_without_letters_is_told_what_is_wrong(dispatcher, domain):
    check = {"problem": "empty", "length": 3}
    asyncio.run(ActionClarify().run(dispatcher, tracker_from([fallback(input_check=check)]), domain))
    assert [m["response"] for m in dispatcher.messages] == ["utter_empty_input"]


@pytest.mark.parametrize(
    "intent, response",
    [("affirm", "utter_ack_affirm"), ("deny", "utter_ack_deny"), ("stop", "utter_ack_stop")],
)
def test_acknowledgements(dispatcher, domain, intent, response):
    asyncio.run(ActionAcknowledge().run(dispatcher, tracker_from([user_event("x", intent)]), domain))
    assert [m["response"] for m in dispatcher.messages] == [response]


def test_inform_with_a_country_offers_topics_about_it(dispatcher, domain):
    asyncio.run(ActionHandleInform().run(dispatcher, tracker_from([user_event("美国", "inform", entities=US)]), domain))
    [message] = dispatcher.messages
    assert message["response"] == "utter_inform_entities"
    assert message["details"] == "（国家/地区：美国）"
    assert all(b["payload"].endswith('{"country": "美国"}') for b in message["buttons"])
    assert len(message["buttons"]) == 4


def test_inform_without_entities_asks_what_is_wanted(dispatcher, domain):
    asyncio.run(ActionHandleInform().run(dispatcher, tracker_from([user_event("嗯", "inform")]), domain))
    assert [m["response"] for m in dispatcher.messages] == ["utter_inform_plain"]
