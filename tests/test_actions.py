"""The action server's actions, on trackers built from events."""

import asyncio
import json

import pytest

from actions.conversation import ActionAcknowledge, ActionHandleInform
from actions.fallback import ActionClarify, consecutive_misses
from actions.topics import ActionReportDispute, ActionRequestHuman, TopicAction
from tests.conftest import tracker_from, user_event

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
    assert ActionClarify().run(dispatcher, tracker, domain) == []
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
    ActionClarify().run(dispatcher, tracker_from([fallback(intent_ranking=ranking)]), domain)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["我能做什么", "人工服务"]


def test_second_miss_in_a_row_offers_a_person(dispatcher, domain):
    events = [fallback(intent_ranking=RANKING), {"event": "bot", "text": "?"}, fallback("还是那个")]
    assert consecutive_misses(tracker_from(events)) == 2
    ActionClarify().run(dispatcher, tracker_from(events), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify_again"]


def test_a_miss_after_an_understood_message_is_a_first_miss(dispatcher, domain):
    events = [fallback(), user_event("你好", "greet"), fallback(intent_ranking=RANKING)]
    assert consecutive_misses(tracker_from(events)) == 1
    ActionClarify().run(dispatcher, tracker_from(events), domain)
    assert dispatcher.messages[0]["response"] == "utter_clarify"


@pytest.mark.parametrize(
    "check, response, kwargs",
    [
        ({"problem": "empty", "length": 3}, "utter_empty_input", {}),
        ({"problem": "too_long", "length": 5000, "limit": 500}, "utter_too_long", {"length": 5000, "limit": 500}),
    ],
)
def test_marked_input_is_told_what_is_wrong(dispatcher, domain, check, response, kwargs):
    ActionClarify().run(dispatcher, tracker_from([fallback(input_check=check)]), domain)
    [message] = dispatcher.messages
    assert message["response"] == response
    assert {k: message[k] for k in kwargs} == kwargs


def test_topic_action_names_the_topic_and_what_it_heard_and_states_no_fact(dispatcher, domain):
    entities = US + [{"entity": "ip_type", "value": "商标", "start": 5, "end": 7}]
    tracker = tracker_from([user_event("在美国商标被抢注了想登记", "report_dispute", entities=entities)])
    ActionReportDispute().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_topic_pending"
    assert message["topic"] == "登记纠纷"
    assert message["details"] == "（国家/地区：美国；知识产权类型：商标）"


def test_every_topic_action_has_a_label():
    from actions.labels import INTENT_LABELS

    for cls in TopicAction.__subclasses__():
        assert cls.intent in INTENT_LABELS, cls


def test_request_human_gives_the_configured_hotline(dispatcher, domain, monkeypatch):
    monkeypatch.setenv("HOTLINE_PHONE", "0919-0000000")
    ActionRequestHuman().run(dispatcher, tracker_from([user_event("转人工", "request_human")]), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_human_with_hotline"
    assert message["hotline_phone"] == "0919-0000000"


def test_request_human_without_a_hotline_invents_no_number(dispatcher, domain, monkeypatch):
    monkeypatch.setenv("HOTLINE_PHONE", "")
    ActionRequestHuman().run(dispatcher, tracker_from([user_event("转人工", "request_human")]), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_human_without_hotline"]


@pytest.mark.parametrize(
    "intent, response",
    [("affirm", "utter_ack_affirm"), ("deny", "utter_ack_deny"), ("stop", "utter_ack_stop")],
)
def test_acknowledgements(dispatcher, domain, intent, response):
    ActionAcknowledge().run(dispatcher, tracker_from([user_event("x", intent)]), domain)
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
