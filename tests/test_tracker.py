"""Reading the conversation: one rule for entities, payloads and intents for every action."""

from actions.tracker import (
    entity_list,
    entity_values,
    input_problem,
    is_payload,
    latest_intent,
    message_entities,
    question_text,
    ranked_intents,
)
from tests.conftest import tracker_from, user_event


def entity(name, value, start):
    return {"entity": name, "value": value, "start": start, "end": start + len(str(value))}


def tracker(text="美国和德国的商标", entities=(), **parse):
    return tracker_from([user_event(text, "ask_country_guide", entities=list(entities), **parse)])


def test_an_entity_given_twice_is_read_as_the_first_in_the_text():
    # Extractors may list entities in any order; the text order decides.
    found = tracker(entities=[entity("country", "德国", 3), entity("country", "美国", 0), entity("ip_type", "商标", 6)])
    assert message_entities(found) == {"country": "美国", "ip_type": "商标"}
    assert entity_values(found, "country") == ["美国", "德国"]
    assert entity_list(found) == [
        {"entity": "country", "value": "美国"},
        {"entity": "country", "value": "德国"},
        {"entity": "ip_type", "value": "商标"},
    ]


def test_payload_entities_without_offsets_keep_their_order_and_become_text():
    found = tracker(
        '/report_dispute{"country": "美国", "page": 2}',
        [{"entity": "country", "value": "美国"}, {"entity": "page", "value": 2}],
    )
    assert message_entities(found) == {"country": "美国", "page": "2"}
    assert is_payload(found) and question_text(found) == ""


def test_typed_text_is_the_question():
    found = tracker("在美国被起诉了怎么办")
    assert not is_payload(found) and question_text(found) == "在美国被起诉了怎么办"


def test_intents_are_read_likeliest_first_without_repeats():
    ranking = [{"name": "ask_country_guide", "confidence": 0.6}, {"name": "ask_case", "confidence": 0.3}]
    found = tracker(intent_ranking=ranking)
    assert latest_intent(found) == "ask_country_guide"
    assert ranked_intents(found) == ["ask_country_guide", "ask_case"]
    assert latest_intent(tracker_from([])) == "" and ranked_intents(tracker_from([])) == []


def test_the_input_guards_finding_is_read_or_nothing():
    assert input_problem(tracker()) == {}
    problem = {"problem": "too_long", "length": 800, "limit": 500}
    assert input_problem(tracker(input_check=problem)) == problem
