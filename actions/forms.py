"""Validation of the three forms: the dispute report, the unfair-treatment report, the
expert request.

Each question is answered in words; the validators read those words (a phone number, a
country, a date) and, when they cannot, say what is wrong and the form asks again. A
knowledge question asked in the middle of a form is answered and the form asks its question
again; “算了” is left to the rules, which ask whether to discard.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.answers import answer_action
from actions.tracker import latest_intent, message_entities, question_text, ranked_intents
from knowledge.core.dates import parse_deadline, today_in_china
from knowledge.core.text import normalise
from knowledge.core.validation import clean_company_name, description_is_useful, normalise_phone
from knowledge.core.vocabulary import vocabulary
from knowledge.library import answer_types

# Intents that the rules handle while a form runs: the form gives way to them.
FORM_CONTROL_INTENTS = {"stop", "request_human"}
# Replies that need no search; said, then the form asks its question again.
FIXED_REPLIES = {
    "greet": "utter_form_greet",
    "thank": "utter_thank",
    "bot_challenge": "utter_bot_challenge",
    "ask_capabilities": "utter_form_capabilities",
    "out_of_scope": "utter_out_of_scope",
    "goodbye": "utter_form_still_open",
    "report_dispute": "utter_form_finish_first",
    "report_unfair_treatment": "utter_form_finish_first",
    "check_report_status": "utter_form_finish_first",
    "subscribe_alerts": "utter_form_finish_first",
    "request_expert": "utter_form_finish_first",
}
SMALL_TALK = {"greet", "thank", "bot_challenge", "ask_capabilities", "out_of_scope", "goodbye"}
MAX_QUESTION_CHARS = 60
UNSURE = re.compile(r"^(不确定|不清楚|不知道|说不好|说不准|不太清楚|都有可能|不好说|还不确定|不懂)")
ANY_VALUE = re.compile(r"^(不限|都可以|都行|无所谓|随便|没有要求|都要)")
OTHER = re.compile(r"^(其他|其它|别的)")
UNSURE_VALUE, ANY_INDUSTRY, OTHER_COUNTRY = "不确定", "不限", "其他"
# The last question of a form: a choice about everything before it, not a field to edit.
FINAL_CHOICES = {"report_confirmed", "expert_id"}
INVALID_CHOICE = {"ip_type": "utter_invalid_ip_type", "dispute_type": "utter_invalid_dispute_type"}


def form_fields(domain: DomainDict, form: Text) -> List[Text]:
    """What a form asks, in order: domain.yml's required slots without the final choice."""
    required = ((domain.get("forms") or {}).get(form) or {}).get("required_slots") or []
    return [slot for slot in required if slot not in FINAL_CHOICES]


def is_question(text: Text) -> bool:
    """A short message that asks something (an interruption, not an answer)."""
    return len(text) <= MAX_QUESTION_CHARS and answer_types.is_question(text)


def user_just_answered(tracker: Tracker) -> bool:
    """Whether the form runs on a message the user just sent, rather than on activation or
    on returning to the form. Rasa sends validation actions a tracker that ends with the
    form's own execution, so the action before it tells."""
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    return len(actions) >= 2 and actions[-2] == "action_listen"


def answers(tracker: Tracker, slot: Text) -> bool:
    """Whether the user just answered the form's question about `slot`."""
    return tracker.get_slot("requested_slot") == slot and user_just_answered(tracker)


def looks_like_answer(tracker: Tracker, requested: Text) -> bool:
    """Whether the latest message has the shape of an answer about `requested`."""
    text = normalise(question_text(tracker)).strip()
    if requested in message_entities(tracker):
        return True
    if requested == "phone":
        return sum(c.isdigit() for c in text) >= 5
    if requested == "deadline":
        return parse_deadline(text, today_in_china()) is not None
    if requested in ("country", "ip_type", "dispute_type"):
        return vocabulary().canonical(requested, text) is not None or bool(UNSURE.match(text) or OTHER.match(text))
    if requested == "description":
        return len(text) > MAX_QUESTION_CHARS
    return False


def knowledge_intent(tracker: Tracker) -> Optional[Text]:
    """The question intent of the latest message: its intent, or else the likeliest question
    intent of its ranking (a question that looks like form input, “…期限是多久？”, is often
    classified inform)."""
    return next((name for name in ranked_intents(tracker) if answer_action(name) is not None), None)


def button_options(entity: Text) -> List[Dict[Text, Text]]:
    """One button per canonical value, plus 不确定, for the closed IP and dispute types."""
    values = sorted(vocabulary().values(entity))
    return [{"title": v, "payload": v} for v in values] + [{"title": UNSURE_VALUE, "payload": UNSURE_VALUE}]


class ReportFormValidation(FormValidationAction, ABC):
    """Extraction and validation shared by the forms."""

    @abstractmethod
    def name(self) -> Text:
        """validate_<form name>."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        requested = tracker.get_slot("requested_slot")
        if requested and user_just_answered(tracker):
            intent = latest_intent(tracker)
            if intent in FORM_CONTROL_INTENTS:
                return []  # rejected: the rules ask whether to discard, or hand off
            if self.is_interruption(tracker, requested):
                events = await self.interrupt(dispatcher, tracker, domain, intent)
                return [*events, SlotSet(requested, None)]
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def is_interruption(tracker: Tracker, requested: Text) -> bool:
        """Whether the latest message is not an answer to the form's question. What reads as
        an answer to it (digits for a phone number, a date, a country) is one, whatever the
        NLU made of a message that short."""
        intent, text = latest_intent(tracker), question_text(tracker)
        if looks_like_answer(tracker, requested):
            return False
        if intent in ("affirm", "deny"):
            # A yes or no answers the confirmation, or “that date has passed, right?”;
            # to a question that wants a fact it says nothing: the question is asked again.
            past_date_asked = requested == "deadline" and tracker.get_slot("deadline_candidate")
            return not (requested == "report_confirmed" or past_date_asked)
        if intent in FIXED_REPLIES:
            # At the description, a statement is the description (too short or not), whatever
            # topic the NLU heard in it; only questions and small talk interrupt.
            statement = requested == "description" and not is_question(text)
            return not (statement and (intent not in SMALL_TALK or description_is_useful(text)))
        return is_question(text) and knowledge_intent(tracker) is not None

    @staticmethod
    async def interrupt(
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, intent: Text
    ) -> List[Dict[Text, Any]]:
        """Answers the interrupting message; the form then repeats its question."""
        action = answer_action(knowledge_intent(tracker) or "") if intent not in FIXED_REPLIES else None
        if action is not None:
            return [e for e in await action.run(dispatcher, tracker, domain) if e.get("name") != "requested_slot"]
        if intent in FIXED_REPLIES:
            dispatcher.utter_message(response=FIXED_REPLIES[intent])
        return []

    @staticmethod
    def requested_text(tracker: Tracker, slot: Text) -> Optional[Text]:
        """The latest message's words when they answer the question about `slot`."""
        if not answers(tracker, slot):
            return None
        text = question_text(tracker).strip()
        return text or None

    # -- company name ------------------------------------------------------------------

    def extract_company_name(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        text = self.requested_text(tracker, "company_name")
        if text is None or tracker.get_slot("company_name"):
            return {}
        return {"company_name": text}

    def validate_company_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"company_name": None}
        name = clean_company_name(str(value))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_company_name")
            return {"company_name": None}
        return {"company_name": name}

    # -- phone ---------------------------------------------------------------------------

    def extract_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        text = self.requested_text(tracker, "phone")
        if text is None or sum(c.isdigit() for c in text) < 5:
            return {}
        return {"phone": normalise_phone(text) or text}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"phone": None}
        phone = normalise_phone(normalise(str(value)))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone", value=str(value))
        return {"phone": phone}

    # -- country -------------------------------------------------------------------------

    def extract_country(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        text = self.requested_text(tracker, "country")
        if text is None or tracker.get_slot("country") or is_question(text):
            return {}
        return {"country": text}

    def validate_country(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"country": None}
        text = normalise(str(value)).strip()
        country = OTHER_COUNTRY if OTHER.match(text) else vocabulary().canonical("country", text)
        if country is None:
            dispatcher.utter_message(response="utter_invalid_country", value=text)
        return {"country": country}

    # -- IP type and dispute type ----------------------------------------------------------

    def _closed_choice(self, tracker: Tracker, slot: Text) -> Dict[Text, Any]:
        text = self.requested_text(tracker, slot)
        if text is None or tracker.get_slot(slot):
            return {}
        if UNSURE.match(normalise(text)):
            return {slot: UNSURE_VALUE}
        return {slot: text}

    def _validate_closed(self, slot: Text, value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        if value is None:
            return {slot: None}
        text = normalise(str(value)).strip()
        found = UNSURE_VALUE if text == UNSURE_VALUE else vocabulary().canonical(slot, text)
        if found is None:
            dispatcher.utter_message(response=INVALID_CHOICE[slot], value=text, buttons=button_options(slot))
        return {slot: found}

    def extract_ip_type(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        return self._closed_choice(tracker, "ip_type")

    def validate_ip_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._validate_closed("ip_type", value, dispatcher)

    def extract_dispute_type(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        return self._closed_choice(tracker, "dispute_type")

    def validate_dispute_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._validate_closed("dispute_type", value, dispatcher)

    # -- description and confirmation ------------------------------------------------------

    def extract_description(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        # The whole message, even one too long to classify: a pasted letter is kept.
        text = self.requested_text(tracker, "description")
        return {"description": text} if text else {}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"description": None}
        if not description_is_useful(str(value)):
            dispatcher.utter_message(response="utter_description_too_short")
            return {"description": None}
        return {"description": str(value).strip()}

    def extract_report_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "report_confirmed"):
            return {}
        field = message_entities(tracker).get("field")
        if field in form_fields(domain, self.form_name()):
            return {"report_confirmed": None, field: None}
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {"report_confirmed": True}
        # Anything else asks again: a no gets the menu of what can be changed, other
        # messages the summary (action_ask_report_confirmed decides).
        return {"report_confirmed": None}

    def validate_report_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # Extraction already decided (True, or None to ask again); without this method
        # rasa-sdk logs a warning on every confirmation.
        return {"report_confirmed": value}


class ValidateDisputeForm(ReportFormValidation):
    def name(self) -> Text:
        return "validate_dispute_form"

    def extract_deadline(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        if not answers(tracker, "deadline"):
            return {}
        candidate, intent = tracker.get_slot("deadline_candidate"), latest_intent(tracker)
        if candidate and intent in ("affirm", "deny"):
            # The answer to “that date has passed, is it right?”; validation keeps or clears it.
            return {"deadline": candidate if intent == "affirm" else intent}
        text = question_text(tracker).strip()
        return {"deadline": text} if text else {}

    def validate_deadline(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"deadline": None}
        text = str(value)
        today = today_in_china()
        candidate = tracker.get_slot("deadline_candidate")
        if candidate and text == candidate:
            return {"deadline": text, "deadline_candidate": None}  # a past date the user confirmed
        if candidate and latest_intent(tracker) == "deny":
            return {"deadline": None, "deadline_candidate": None}  # asked again
        deadline = parse_deadline(normalise(text), today)
        if deadline is None:
            dispatcher.utter_message(response="utter_invalid_deadline", value=text)
            return {"deadline": None, "deadline_candidate": None}
        if deadline.none_given:
            return {"deadline": "无", "deadline_candidate": None}
        assert deadline.day is not None
        if deadline.is_past(today):
            dispatcher.utter_message(
                response="utter_deadline_in_past",
                day=f"{deadline.day.year}年{deadline.day.month}月{deadline.day.day}日",
                buttons=[
                    {"title": "是的，已过期", "payload": "/affirm"},
                    {"title": "重新输入", "payload": "/deny"},
                ],
            )
            return {"deadline": None, "deadline_candidate": deadline.day.isoformat()}
        return {"deadline": deadline.day.isoformat(), "deadline_candidate": None}


class ValidateUnfairForm(ReportFormValidation):
    def name(self) -> Text:
        return "validate_unfair_form"


def deadline_date(value: Optional[Text]) -> Optional[date]:
    """The deadline slot as a date (it holds an ISO date or 无)."""
    if not value or value == "无":
        return None
    return date.fromisoformat(value)
