"""Replies to conversation-control messages that arrive with nothing to control.

Forms consume affirm, deny, stop and inform while they run; these actions answer them
when no form is waiting, so the user is never left without a reply.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import CONFIDENT_COVERAGE, answer_action, answer_from_library, answer_if_question, refused
from actions.followups import CONTEXT_SLOT
from actions.knowledge_base import knowledge_base
from actions.labels import INTENT_LABELS, button, entity_summary
from actions.reports import ActionReportStatus
from actions.subscriptions import ActionSubscribeAlerts
from actions.tracker import entity_list, latest_intent, message_entities, question_text
from knowledge.core.validation import normalise_phone

# Shorter messages are taken as the yes or no they were classified as (“是吗？”, “可以吗”).
MIN_QUESTION_CHARS = 6
ACKNOWLEDGEMENTS = {"affirm": "utter_ack_affirm", "deny": "utter_ack_deny", "stop": "utter_ack_stop"}
# What someone who only names a country, IP type or dispute type most likely wants next.
INFORM_FOLLOW_UPS = ["ask_dispute_guidance", "ask_country_guide", "ask_risk_warning", "ask_case"]


class ActionAcknowledge(Action):
    """Answers a yes, a no or a stop when nothing is pending; a question the NLU took for
    one (“海牙协定是管什么的”) is answered as a question."""

    def name(self) -> Text:
        return "action_acknowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if len(question_text(tracker)) >= MIN_QUESTION_CHARS:
            answered = await answer_if_question(dispatcher, tracker)
            if answered is not None:
                return answered
        intent = latest_intent(tracker)
        dispatcher.utter_message(response=ACKNOWLEDGEMENTS.get(intent, "utter_ack_affirm"))
        return []


class ActionHandleInform(Action):
    """Takes information given out of context: answers the question that was waiting for
    it (“which country?”), or offers the topics it can feed."""

    def name(self) -> Text:
        return "action_handle_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        entities = message_entities(tracker)
        waiting = tracker.get_slot("pending_topic")
        text = question_text(tracker)
        if waiting == "check_report_status" and (
            entities.get("phone") or entities.get("report_id") or normalise_phone(text)
        ):
            return await ActionReportStatus().run(dispatcher, tracker, domain)
        if waiting == "subscribe_alerts" and (entities.get("country") or entities.get("industry")):
            return await ActionSubscribeAlerts().run(dispatcher, tracker, domain)
        pending = answer_action(waiting or "")
        if pending is not None and entities.get("country"):
            index = await knowledge_base.index()
            return [*pending.answer(dispatcher, index, text, entities), SlotSet("pending_topic", None)]
        if (answered := await answer_if_question(dispatcher, tracker)) is not None:
            return answered
        topical = {k: v for k, v in entities.items() if k in ("country", "ip_type", "dispute_type", "industry")}
        if not topical:
            dispatcher.utter_message(response="utter_inform_plain")
            return []
        buttons = [button(INTENT_LABELS[intent], intent, topical) for intent in INFORM_FOLLOW_UPS]
        details = entity_summary(entity_list(tracker))
        dispatcher.utter_message(response="utter_inform_entities", details=details, buttons=buttons)
        return []


class ActionOutOfScope(Action):
    """A message the NLU took for off-topic: a question no knowledge base can answer (a
    prediction, someone else's case) is told so plainly; a question the library answers well
    (the NLU's miss) is answered; the rest gets the service's scope."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        # The rules alone: the classifier knows this service's questions, not the world's.
        if refused(dispatcher, question_text(tracker), learned=False):
            return [SlotSet(CONTEXT_SLOT, None)]
        answered = await answer_from_library(dispatcher, tracker, min_coverage=CONFIDENT_COVERAGE)
        if answered is not None:
            return answered
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
