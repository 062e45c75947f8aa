"""Replies to conversation-control messages that arrive with nothing to control, and to
the intents a short question is often mistaken for.

Forms consume affirm, deny, stop and inform while they run; these actions answer them
when no form is waiting, so the user is never left without a reply. A question the NLU
filed under one of them (“英国呢” as a no, “这个期限能延长吗” as “what can you do”, “337调查
是哪个机构负责的” as a request for a person) is answered as the question it is.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import CONFIDENT_COVERAGE, answer_action, answer_from_library, answer_if_question, refused
from actions.followups import CONTEXT_SLOT, REFERS_BACK, TOPICAL, recalled
from actions.handoff import hand_off
from actions.knowledge_base import knowledge_base
from actions.labels import INTENT_LABELS, button, entity_summary
from actions.reports import ActionReportStatus
from actions.subscriptions import ActionSubscribeAlerts
from actions.tracker import entity_list, is_payload, latest_intent, message_entities, question_text
from knowledge.core.validation import normalise_phone
from knowledge.library import answer_types

# Shorter messages are taken as the yes or no they were classified as (“是吗？”, “可以吗”).
MIN_QUESTION_CHARS = 6
ACKNOWLEDGEMENTS = {"affirm": "utter_ack_affirm", "deny": "utter_ack_deny", "stop": "utter_ack_stop"}
# Words of someone who wants a person or asks what the assistant can do: with them the
# intent stands, whatever else the message asks.
WANTS_PERSON = re.compile(
    r"人工|真人|客服|工作人员|转接|转人|找人|个人|跟人|和人|人聊|人来|接线|坐席|值班|热线|专人|human|agent", re.I
)
ASKS_IF_BOT = re.compile(r"机器人|真人|人工智能|智能助手|\bAI\b|程序|自动回复|你是谁|是人吗", re.I)
# A greeting's own words; a follow-up taken for a greeting (这个上面能看到啥信息) lacks them.
GREETS = re.compile(r"你好|您好|在吗|在不在|有人吗|哈喽|嗨|早上好|上午好|下午好|晚上好|\bhi\b|\bhello\b|打扰", re.I)
ASKS_CAPABILITIES = re.compile(r"你(们)?(能|会|可以)|能(做|干)(什么|啥)|(什么|哪些)(功能|服务)|怎么用|用法")
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
        text = question_text(tracker)
        names_topic = any(k in TOPICAL for k in message_entities(tracker))
        if len(text) >= MIN_QUESTION_CHARS or REFERS_BACK.search(text) or names_topic:
            answered = await answer_if_question(dispatcher, tracker)
            if answered is not None:
                return answered
        intent = latest_intent(tracker)
        dispatcher.utter_message(response=ACKNOWLEDGEMENTS.get(intent, "utter_ack_affirm"))
        return []


class ActionHandleInform(Action):
    """Takes information given out of context: answers the question that was waiting for
    it (“which country?”), starts a dispute report for a company name or phone number, or
    offers the topics it can feed."""

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
        if entities.get("company_name") or entities.get("phone"):
            # Who the enterprise is and how to reach it, told out of the blue: the details
            # of a report (most often after telling the dispute); the form takes them.
            dispatcher.utter_message(response="utter_start_dispute_form")
            return [FollowupAction("dispute_form")]
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
        if recalled(tracker) is not None and answer_types.is_question(question_text(tracker)):
            # A follow-up of the answer just given (这个法院在哪个城市) is asked on its topic.
            answered = await answer_if_question(dispatcher, tracker)
            if answered is not None:
                return answered
        answered = await answer_from_library(dispatcher, tracker, min_coverage=CONFIDENT_COVERAGE)
        if answered is not None:
            return answered
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


async def answer_mistaken(
    dispatcher: CollectingDispatcher, tracker: Tracker, intended: re.Pattern
) -> Optional[List[Dict[str, Any]]]:
    """Answers a typed question filed under an intent whose own words (`intended`) it lacks:
    as a question when it names a country, IP or dispute type or follows the answer just
    given, else only when the library covers it well (as off-topic messages are). None when
    it is not answered: the intent stands, so that asking for a person always reaches one."""
    text = question_text(tracker)
    if is_payload(tracker) or not answer_types.is_question(text) or intended.search(text):
        return None
    if any(k in TOPICAL for k in message_entities(tracker)) or recalled(tracker) is not None:
        return await answer_if_question(dispatcher, tracker)
    if refused(dispatcher, text):
        return [SlotSet(CONTEXT_SLOT, None)]
    return await answer_from_library(dispatcher, tracker, min_coverage=CONFIDENT_COVERAGE)


class ReplyUnlessMistaken(Action, ABC):
    """The intent's fixed reply; a question the NLU took for that intent (one without the
    intent's own words, `intended`) is answered instead."""

    intended: re.Pattern
    response: Text

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        answered = await answer_mistaken(dispatcher, tracker, self.intended)
        if answered is not None:
            return answered
        dispatcher.utter_message(response=self.response)
        return []


class ActionGreet(ReplyUnlessMistaken):
    """Greets back; a follow-up taken for a greeting (这个上面能看到啥信息) is answered."""

    intended, response = GREETS, "utter_greet"

    def name(self) -> Text:
        return "action_greet"


class ActionCapabilities(ReplyUnlessMistaken):
    """What the assistant can do; a follow-up taken for that (这个期限能延长吗) is answered."""

    intended, response = ASKS_CAPABILITIES, "utter_capabilities"

    def name(self) -> Text:
        return "action_capabilities"


class ActionBotChallenge(ReplyUnlessMistaken):
    """Says the assistant is a program; a follow-up taken for asking that (这是哪一级的平台)
    is answered."""

    intended, response = ASKS_IF_BOT, "utter_bot_challenge"

    def name(self) -> Text:
        return "action_bot_challenge"


class ActionRequestHuman(Action):
    """The user asked for a person; a question the NLU took for that is answered."""

    def name(self) -> Text:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        answered = await answer_mistaken(dispatcher, tracker, WANTS_PERSON)
        if answered is not None:
            return answered
        return await hand_off(dispatcher, tracker, "user_request", pause=True)
