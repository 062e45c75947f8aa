"""The expert request: the facts to match on, the best matches and why, the choice."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import ANY_INDUSTRY, ANY_VALUE, UNSURE, ReportFormValidation, answers, is_question
from actions.handoff import hand_off
from actions.knowledge_base import knowledge_base
from actions.labels import button
from actions.tracker import channel_of, message_entities
from knowledge.library import experts
from knowledge.records import consultations

logger = logging.getLogger(__name__)

SHOWN = 3


def wanted(tracker: Tracker, slot: Text) -> Any:
    """A slot's value for matching; 不确定 / 不限 match anything."""
    value = tracker.get_slot(slot)
    return None if value in (None, "不确定", ANY_INDUSTRY, "其他") else value


class ValidateExpertForm(ReportFormValidation):
    def name(self) -> Text:
        return "validate_expert_form"

    def extract_industry(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        text = self.requested_text(tracker, "industry")
        if text is None or tracker.get_slot("industry") or is_question(text):
            return {}
        return {"industry": ANY_INDUSTRY if ANY_VALUE.match(text) or UNSURE.match(text) else text}

    def validate_industry(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if not text or len(text) > 20:
            dispatcher.utter_message(response="utter_invalid_industry")
            return {"industry": None}
        return {"industry": text}

    def extract_expert_id(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        if not answers(tracker, "expert_id"):
            return {}
        chosen = message_entities(tracker).get("expert_id")
        return {"expert_id": chosen or "?"}

    async def validate_expert_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        expert = await knowledge_base.run(experts.get_expert, knowledge_base.engine(), str(value))
        if expert is None or not expert.available:
            dispatcher.utter_message(response="utter_choose_expert_by_button")
            return {"expert_id": None}
        return {"expert_id": expert.id}


class ActionAskExpertId(Action):
    """The best two or three experts for the facts given, each with why it matches."""

    def name(self) -> Text:
        return "action_ask_expert_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        engine = knowledge_base.engine()
        facts = (wanted(tracker, "country"), wanted(tracker, "ip_type"), wanted(tracker, "industry"))
        matches = await knowledge_base.run(experts.best_matches, engine, *facts, limit=SHOWN)
        response = "utter_expert_matches"
        if not matches:
            # Nobody matches a single fact: offer who is available, and say so.
            matches = await knowledge_base.run(experts.available, engine, limit=SHOWN)
            response = "utter_expert_no_close_match"
        lines = [
            f"{n}. {m.expert.title}：{m.expert.profile}"
            + (f"（匹配原因：{'、'.join(m.reasons)}）" if m.reasons else "")
            for n, m in enumerate(matches, start=1)
        ]
        buttons = [button(m.expert.title, "inform", {"expert_id": m.expert.id}) for m in matches]
        buttons.append(button("都不合适，转人工", "request_human", {}))
        dispatcher.utter_message(response=response, experts="\n".join(lines), buttons=buttons)
        return []


class ActionSubmitExpertRequest(Action):
    """Records the consultation request and hands the conversation to staff to arrange it."""

    def name(self) -> Text:
        return "action_submit_expert_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        engine = knowledge_base.engine()
        expert = await knowledge_base.run(experts.get_expert, engine, tracker.get_slot("expert_id"))
        if expert is None:
            dispatcher.utter_message(response="utter_choose_expert_by_button")
            return [SlotSet("expert_id", None)]
        try:
            await knowledge_base.run(
                consultations.request_consultation,
                engine,
                expert.id,
                expert.title,
                channel_of(tracker),
                tracker.sender_id,
                wanted(tracker, "country"),
                wanted(tracker, "ip_type"),
                wanted(tracker, "industry"),
            )
        except Exception:
            logger.exception("saving the consultation request of %s failed", tracker.sender_id)
            dispatcher.utter_message(response="utter_report_not_saved")
            return [SlotSet("expert_id", None)]
        dispatcher.utter_message(response="utter_expert_requested", expert=expert.title)
        return [SlotSet("expert_id", None), *await hand_off(dispatcher, tracker, "expert_consultation")]
