"""What the assistant does when it did not understand: it never guesses."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import answer_if_question
from actions.documents import answer_document
from actions.handoff import hand_off
from actions.labels import INTENT_LABELS, button
from actions.tracker import FALLBACK_INTENT, input_problem, message_entities, ranked_intents

TOPICS_OFFERED = 2


def consecutive_misses(tracker: Tracker) -> int:
    """How many user messages in a row, up to the latest, the NLU fell back on."""
    misses = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        misses += 1
    return misses


def topic_buttons(tracker: Tracker, count: int = TOPICS_OFFERED) -> List[Dict[Text, Text]]:
    """Buttons for the `count` most likely topics, carrying the message's entities."""
    entities = message_entities(tracker)
    topics = [name for name in ranked_intents(tracker) if name in INTENT_LABELS and name != "request_human"]
    topics = (topics or ["ask_capabilities"])[:count]
    return [button(INTENT_LABELS[t], t, entities) for t in topics]


class ActionClarify(Action):
    """When the NLU was not sure: a pasted document is read; a question no knowledge base can
    answer is told so; a short follow-up is answered on the topic before it; another question
    is answered from the whole library, or told plainly that the library has nothing on it;
    anything else is asked what was meant (two likely topics and a person), and the second
    miss in a row hands the conversation to a person. An empty message is told what is wrong."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        problem = input_problem(tracker)
        if problem.get("problem") == "empty":
            dispatcher.utter_message(response="utter_empty_input")
        elif problem.get("problem") == "too_long":
            return await answer_document(dispatcher, tracker)
        elif (answered := await answer_if_question(dispatcher, tracker)) is not None:
            return answered
        elif consecutive_misses(tracker) >= 2:
            dispatcher.utter_message(response="utter_clarify_again")
            return await hand_off(dispatcher, tracker, "repeated_fallback")
        else:
            human = button(INTENT_LABELS["request_human"], "request_human", {})
            dispatcher.utter_message(response="utter_clarify", buttons=[*topic_buttons(tracker), human])
        return []
