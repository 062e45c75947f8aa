"""The expert request: the facts to match on, the best matches and why, the choice."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fields import ANY_INDUSTRY, OTHER_COUNTRY, UNSURE_VALUE
from actions.forms import ReportFormValidation
from actions.handoff import hand_off
from actions.knowledge_base import knowledge_base
from actions.labels import button
from actions.tracker import channel_of, message_entities, question_text
from knowledge.library import experts
from knowledge.records import consultations

logger = logging.getLogger(__name__)

SHOWN = 3
MAX_CHOICE_CHARS = 10


def wanted(tracker: Tracker, slot: Text) -> Any:
    """A slot's value for matching; 不确定 / 不限 match anything."""
    value = tracker.get_slot(slot)
    return None if value in (None, UNSURE_VALUE, ANY_INDUSTRY, OTHER_COUNTRY) else value


async def shown_experts(tracker: Tracker) -> Tuple[List[experts.Match], bool]:
    """The experts offered for the facts given, and whether they match any of them; when
    nobody matches a single fact, who is available."""
    engine = knowledge_base.engine()
    facts = (wanted(tracker, "country"), wanted(tracker, "ip_type"), wanted(tracker, "industry"))
    matches = await knowledge_base.run(experts.best_matches, engine, *facts, limit=SHOWN)
    if matches:
        return matches, True
    return await knowledge_base.run(experts.available, engine, limit=SHOWN), False


# “第一个”, “选2号”, “第二位吧”: the place in the list shown.
ORDINAL = re.compile(r"(?:第|选)?\s*([1-9一二三两])\s*(?:个|位|号)?")
ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3}


def chosen_place(text: Text) -> Optional[int]:
    """The place (1-based) a short typed choice names, if any."""
    match = ORDINAL.search(text) if len(text) <= MAX_CHOICE_CHARS else None
    if match is None:
        return None
    return ORDINALS.get(match[1]) or int(match[1])


class ValidateExpertForm(ReportFormValidation):
    def name(self) -> Text:
        return "validate_expert_form"

    async def final_choice(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        requested: Text,
        fields: List[Text],
    ) -> List[Dict[Text, Any]]:
        """The expert chosen: a button of an available expert, or the place of one in the
        list (“第一个”); anything else asks again."""
        chosen = message_entities(tracker).get("expert_id")
        place = chosen_place(question_text(tracker)) if not chosen else None
        if place is not None:
            shown, _ = await shown_experts(tracker)
            chosen = shown[place - 1].expert.id if place <= len(shown) else None
        expert = await knowledge_base.run(experts.get_expert, knowledge_base.engine(), chosen) if chosen else None
        if expert is None or not expert.available:
            dispatcher.utter_message(response="utter_choose_expert_by_button")
            return [SlotSet("expert_id", None)]
        return [SlotSet("expert_id", expert.id)]


class ActionAskExpertId(Action):
    """The best two or three experts for the facts given, each with why it matches."""

    def name(self) -> Text:
        return "action_ask_expert_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        matches, close = await shown_experts(tracker)
        response = "utter_expert_matches" if close else "utter_expert_no_close_match"
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
