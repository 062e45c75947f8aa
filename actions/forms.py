"""Validation of the three forms: the dispute report, the unfair-treatment report, the
expert request. One mechanism for all of them, driven by the field specifications of
actions/fields.py; each message the user sends while a form asks something is, in order:

1. left to the rules: 取消 (asks whether to discard), 人工服务;
2. a correction, when it says so (改成, 不是…是…, 写错了): the field it names takes the value
   it gives, or, given none, is asked again; the reply names what changed;
3. a question or a status check, when it gives no value for the question asked: answered,
   then the form asks its question again;
4. an answer, when it gives a value for any empty field of the form (the one asked or any
   other: several at once, out of order) or reads as the answer to the question asked:
   every such value is taken, and the reply says what was recorded;
5. an account of what happened, while the form lacks one: taken as the description;
6. small talk (and, at a question that wants a name or a date, a request for another
   service): a fixed reply, then the question again;
7. otherwise a miss of the question asked: the reply says what is wrong; after two misses
   in a row an IP or dispute type is left 不确定 (staff classify it from the account), any
   other question offers a way out (跳过 where the field may stay open, 人工服务, 取消).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.answers import answer_action
from actions.fields import (
    CLAUSE,
    FIELDS,
    FINAL_CHOICES,
    NO_DEADLINE,
    Answer,
    Message,
    answer_when_asked,
    closest_values,
    form_fields,
    is_open,
    name_in_list,
    none_clause,
    story_of,
    unsure_clause,
    values_anywhere,
)
from actions.labels import FIELD_LABELS, button
from actions.reports import ActionReportStatus
from actions.tracker import entity_list, entity_spans, latest_intent, message_entities, question_text, ranked_intents
from knowledge.core.dates import today_in_china
from knowledge.core.requests import STATUS, requested_report, story_alone
from knowledge.core.text import normalise
from knowledge.core.validation import MIN_DESCRIPTION_CHARS, description_is_useful, meaningful_chars, normalise_phone
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
    "subscribe_alerts": "utter_form_finish_first",
    "request_expert": "utter_form_finish_first",
}
SMALL_TALK = {"greet", "thank", "bot_challenge", "ask_capabilities", "out_of_scope", "goodbye"}
# What a name or an account is never said as (a long account says it, whatever the intent).
NOT_WORDS_OF_AN_ANSWER = SMALL_TALK | {"affirm", "deny"}
MAX_QUESTION_CHARS = 60
# A question, as a message in the middle of a form asks one.
FORM_QUESTION = re.compile(
    # A question clause before the rest (…打通了吗，通知咋说的); A-了-not-A (放了没有); a website.
    r"[吗呢](?=\s*[，,；;])|[了过]没有?\s*[？?]?\s*$|网址|官网(?=是|地址|在哪|多少|链接)|咋说|怎么说|"
    # 怎么 asks (那要怎么申诉), but not as a story's adverb (怎么也联系不上, 不知道怎么回事).
    r"[?？]\s*$|[吗呢么]\s*[。！!]?\s*$|怎么(?!也|都|就|回事)|咋办|咋处理|如何|怎样|怎么样|是否|能否|可否|多久|多长时间|"
    # Saying a question comes (顺便问一下，…); 嘛 alone ends none (这个嘛).
    r"问(一下|下|个事|个问题)|请问|"
    # 几天 asks where it is wanted (要几天, 几天内, 还有几天？), not in passing (几天就放了, 几个字).
    r"多少|(?:要|需要|得|大概|一般|还有|能|等)几[天个年月周次号]|(?<![十百千万好])几[天个年月周次号]\S?[？?]?\s*$|"
    r"(?<![十百千万好])几[天个年月周]内|有没有|能不能|要不要|可以吗|什么意思|哪里|哪个|哪些|哪家|是谁|"
    # What or why, where a clause asks it (“…是啥，为啥…”), not where a story says it in
    # passing (具体是啥权也没说清, 不知道为啥); 有啥后果.
    r"(?:^|[，,。；\s])(什么是|啥是|为什么|为啥)|(?<!知道)(是什么|是啥|叫啥|为啥|为什么)(?=$|[，,。？?！!\s呢啊])|"
    r"有啥(办法|用|区别|后果|风险|要求|条件|影响|程序)|"
    # A last clause asking what a thing is or has (…是啥关系, …有啥说法没).
    r"(?<!知道)(?<!知道是)(是|有)(啥|什么)[\u4e00-\u9fff]{1,4}?(吗|没|呢)?\s*[？?。]?\s*$"
)
# The user saying that something given before is wrong: plainly, or in words that a longer
# account of what happened also uses (不是我们抄的，是他们…).
CHANGE = re.compile(r"改成|改为|改一下|换成|应该是|更正")
CORRECTION = re.compile(r"不是.{1,30}?是|是.{1,20}?不是|写错|弄错|搞错|填错|说错|打错|错了|不对")
MAX_CORRECTION_CHARS = 30
# How the user names a field when correcting it without giving the new value.
FIELD_WORDS = {
    "company_name": re.compile(r"公司名|企业名|名称|全称|公司的名字|公司名字"),
    "phone": re.compile(r"电话|手机|号码"),
    "country": re.compile(r"国家|地区"),
    "ip_type": re.compile(r"知识产权类型|产权类型|知识产权的类型|哪类知识产权"),
    "dispute_type": re.compile(r"纠纷类型|纠纷的类型|哪类纠纷"),
    "deadline": re.compile(r"期限|截止|日期"),
    "description": re.compile(r"经过|描述|情况说明"),
    "industry": re.compile(r"行业"),
}
MISSES_BEFORE_WAY_OUT = 2
# A message naming a field this short says only which field (国家, 改一下电话).
MAX_FIELD_NAME_CHARS = 8
UNSURE_WORDS = re.compile(r"不确定|不清楚|不知道")
SHOWN_CHARS = 30
# The message that starts a form is the account only when it tells this much besides its
# values and its request (most openings say what happened in a line, and are asked more);
# an opening that answers every other question is a whole report, and its story is the
# account when it says as much as an answer to the description question must.
MIN_OPENING_STORY_CHARS = 30
# At the account's question, after a line of it was told: nothing to add.
# Submitting, said at a question (a free-text one too) before the summary.
SUBMIT = re.compile(r"(确认|确定|提交|确认提交)[。！!]?")
ENOUGH_SAID = re.compile(
    r"(就这些|就这样|就是这样|没有了?|没了|没啥了|没什么了|没别的了?|没有别的了?|没有要?补充的?了?|不用补充了?|"
    r"确认|确定|对的?|是的|好的?|可以|行|没问题)[。！!]?"
)


def says_correction(text: Text) -> bool:
    """Whether a message says that something given before is wrong: a short one in any
    words, a longer one only plainly (a long one is an account, whatever it calls wrong)."""
    if len(text) <= MAX_CORRECTION_CHARS:
        return bool(CHANGE.search(text) or CORRECTION.search(text))
    return len(text) <= MAX_QUESTION_CHARS and CHANGE.search(text) is not None


def names_given_value_as_wrong(tracker: Tracker, text: Text, fields: List[Text]) -> bool:
    """Whether a message says a value given before is wrong by quoting it (“电话说错了，不是
    13709196634，是13709196643”), however long it is."""
    quoted = any(tracker.get_slot(slot) and str(tracker.get_slot(slot)) in text for slot in fields)
    return quoted and len(text) <= MAX_QUESTION_CHARS and CORRECTION.search(text) is not None


def is_question(text: Text) -> bool:
    """A short message that asks something: it ends as a question or says what it asks
    (an interruption, not an answer; a story that says 几个 or 啥 in passing is none)."""
    return len(text) <= MAX_QUESTION_CHARS and FORM_QUESTION.search(text) is not None and meaningful_chars(text) >= 2


def awaits_status_phone(tracker: Tracker, text: Text) -> bool:
    """Whether a status check asked for the phone on a report and the message gives one."""
    pending = tracker.get_slot("pending_topic") == "check_report_status" and tracker.get_slot("report_id")
    return bool(pending) and normalise_phone(text) is not None


def field_named(text: Text, fields: List[Text]) -> Optional[Text]:
    """The one field a short message names and says nothing else of (国家, 改电话)."""
    if len(text) > MAX_FIELD_NAME_CHARS:
        return None
    named = [slot for slot in fields if FIELD_WORDS[slot].search(text)]
    return named[0] if len(named) == 1 else None


def unknown_fields(message: Message, fields: List[Text]) -> List[Text]:
    """The fields that can stay open which a clause names and says are not known
    (纠纷类型不确定, 知识产权类型还不清楚)."""
    unknown = []
    for clause in CLAUSE.split(message.text):
        said = UNSURE_WORDS.search(clause)
        named = field_named(UNSURE_WORDS.sub("", clause), fields) if said else None
        if named is not None and FIELDS[named].open_value is not None:
            unknown.append(named)
    return unknown


def say_draft_if_asked_next(
    dispatcher: CollectingDispatcher, tracker: Tracker, events: List[Dict[Text, Any]], fields: List[Text]
) -> None:
    """Before the account is asked, the line of it already told is shown (with how to keep
    it as it is): the form asks the first field still empty."""
    values = {slot: tracker.get_slot(slot) for slot in [*fields, "description_draft"]}
    values.update({e["name"]: e["value"] for e in events if e.get("event") == "slot" and e["name"] in values})
    following = next((slot for slot in fields if values[slot] is None), None)
    if following == "description" and values["description_draft"]:
        dispatcher.utter_message(response="utter_description_draft", draft=shortened(values["description_draft"]))


def user_just_answered(tracker: Tracker) -> bool:
    """Whether the form runs on a message the user just sent, rather than on activation or
    on returning to the form. Rasa sends validation actions a tracker that ends with the
    form's own execution, so the action before it tells."""
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    return len(actions) >= 2 and actions[-2] == "action_listen"


def answers(tracker: Tracker, slot: Text) -> bool:
    """Whether the user just answered the form's question about `slot`."""
    return tracker.get_slot("requested_slot") == slot and user_just_answered(tracker)


def knowledge_intent(tracker: Tracker) -> Optional[Text]:
    """The question intent of the latest message: its intent, or else the likeliest question
    intent of its ranking (a question that looks like form input, “…期限是多久？”, is often
    classified inform)."""
    return next((name for name in ranked_intents(tracker) if answer_action(name) is not None), None)


def message_of(tracker: Tracker) -> Message:
    entities = [(e["entity"], e["value"]) for e in entity_list(tracker)]
    typed = question_text(tracker)
    stripped = typed.strip()
    # Entity offsets count from the message as sent; the text is stripped of its lead.
    lead = len(typed) - len(typed.lstrip())
    spans = [(start - lead, end - lead) for start, end in entity_spans(tracker)]
    return Message(normalise(stripped), stripped, entities, spans)


def taken_from(
    tracker: Tracker, message: Message, anywhere: Dict[Text, List[Text]], fields: List[Text]
) -> Dict[Text, Text]:
    """The values a message gives for fields still to be told; in a list of answers, a
    clause that is only 不确定 is the answer for the one IP or dispute type left untold, one
    that is only 没有 is the deadline's (none), and
    one that names a field and says it is not known (纠纷类型不确定) leaves that field open."""
    taken = {slot: values[0] for slot, values in anywhere.items() if values and is_open(slot, tracker.get_slot(slot))}
    for slot in unknown_fields(message, fields):
        if slot not in taken and tracker.get_slot(slot) is None:
            taken[slot] = str(FIELDS[slot].open_value)
    untold = [s for s in fields if FIELDS[s].closed and s != "country" and is_open(s, tracker.get_slot(s))]
    untold = [s for s in untold if s not in taken]
    listed = sum(bool(values) for values in anywhere.values()) >= 2
    if len(untold) == 1 and listed and unsure_clause(message):
        taken[untold[0]] = str(FIELDS[untold[0]].open_value)
    if "deadline" in fields and "deadline" not in taken and tracker.get_slot("deadline") is None:
        if listed and none_clause(message):
            taken["deadline"] = NO_DEADLINE
    return taken


def described(values: Dict[Text, Text]) -> Text:
    """“国家/地区 德国，知识产权类型 外观设计”."""
    return "，".join(f"{FIELD_LABELS[slot]} {value}" for slot, value in values.items())


def has_digits(text: Text) -> bool:
    """Whether a message has digits: an attempt at a number or a date, whatever its intent."""
    return any(c.isdigit() for c in text)


def shortened(value: Text) -> Text:
    """A value as a reply repeats it: a description by its beginning."""
    return value if len(value) <= SHOWN_CHARS else f"{value[:SHOWN_CHARS]}…"


def misses_of(tracker: Tracker, slot: Text) -> int:
    """How many times in a row the question about `slot` was missed."""
    misses = tracker.get_slot("form_misses") or {}
    return int(misses.get("count", 0)) if misses.get("slot") == slot else 0


def way_out(slot: Text) -> List[Dict[Text, Text]]:
    """What the user may do instead of answering: leave the field open, a person, cancel."""
    spec = FIELDS[slot]
    buttons = [{"title": "跳过", "payload": "跳过"}] if spec.open_value is not None else []
    if slot == "country":
        buttons.append({"title": "其他国家", "payload": "其他"})
    return [*buttons, button("人工服务", "request_human", {}), button("取消填写", "stop", {})]


class ReportFormValidation(FormValidationAction, ABC):
    """Reading and checking every message a form gets."""

    @abstractmethod
    def name(self) -> Text:
        """validate_<form name>."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        fields = form_fields(domain, self.form_name())
        requested = tracker.get_slot("requested_slot")
        if not user_just_answered(tracker):
            if requested is not None:
                return []
            events = self.start(dispatcher, tracker, fields)
            say_draft_if_asked_next(dispatcher, tracker, events, fields)
            return events
        if latest_intent(tracker) in FORM_CONTROL_INTENTS:
            return []  # rejected: the rules ask whether to discard, or hand off
        if requested in FINAL_CHOICES:
            return await self.final_choice(dispatcher, tracker, domain, requested, fields)
        events = await self.read_answer(dispatcher, tracker, domain, requested, fields)
        say_draft_if_asked_next(dispatcher, tracker, events, fields)
        return events

    @staticmethod
    def start(dispatcher: CollectingDispatcher, tracker: Tracker, fields: List[Text]) -> List[Dict[Text, Any]]:
        """On starting, the message that started the form is read like an answer (a long one
        may tell the whole story), and what the conversation already told is said: it is not
        asked."""
        message = message_of(tracker)
        anywhere = {slot: values_anywhere(message, slot, today_in_china()) for slot in fields}
        taken = taken_from(tracker, message, anywhere, fields)
        others = [slot for slot in fields if slot != "description"]
        whole = all(tracker.get_slot(slot) or taken.get(slot) for slot in others)
        min_chars = MIN_DESCRIPTION_CHARS if whole else MIN_OPENING_STORY_CHARS
        asking = is_question(message.text)
        story = story_of(message, min_chars) if not asking else None
        if "description" in fields and not tracker.get_slot("description") and story:
            taken["description"] = story
        elif "description" in fields and not asking and (line := story_of(message)) is not None:
            taken["description_draft"] = line  # a line of story: the account is still asked, with it
        known = {slot: tracker.get_slot(slot) or taken.get(slot) for slot in fields}
        known["description"] = known.get("description") or taken.get("description_draft")
        shown = {slot: shortened(value) for slot, value in known.items() if value and slot in fields}
        if shown:
            dispatcher.utter_message(response="utter_form_known", known=described(shown))
        return [SlotSet(slot, value) for slot, value in taken.items()]

    async def read_answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        requested: Text,
        fields: List[Text],
    ) -> List[Dict[Text, Any]]:
        today, message, intent = today_in_china(), message_of(tracker), latest_intent(tracker)
        if requested == "deadline" and tracker.get_slot("deadline_candidate") and intent in ("affirm", "deny"):
            # The answer to “that date has passed, is it right?”: kept, or asked again.
            kept = tracker.get_slot("deadline_candidate") if intent == "affirm" else None
            return [SlotSet("deadline", kept), SlotSet("deadline_candidate", None)]
        anywhere = {slot: values_anywhere(message, slot, today) for slot in fields}
        wrong = says_correction(message.text) or names_given_value_as_wrong(tracker, message.text, fields)
        if wrong and (changes := self.corrections(tracker, message, anywhere, fields)):
            # What the correction also tells of fields still to be told is taken too.
            told = taken_from(tracker, message, anywhere, fields)
            return self.apply_changes(dispatcher, tracker, requested, {**told, **changes})
        # A question of what a value is (TRO是什么意思) names it without giving it.
        defines = answer_types.asked(message.text) == answer_types.DEFINITION
        if awaits_status_phone(tracker, message.text):
            # The phone a status check asked for in the middle of the form answers that check
            # (and the form's phone question, when that is the one asked).
            phone = anywhere.get("phone") if requested == "phone" else None
            asked_again = SlotSet(requested, phone[0] if phone else None)
            return [*await ActionReportStatus().run(dispatcher, tracker, domain), asked_again]
        if (defines or not anywhere.get(requested)) and self.asks_something(tracker, message.text):
            return [*await self.interrupt(dispatcher, tracker, domain), SlotSet(requested, None)]
        taken = taken_from(tracker, message, anywhere, fields)
        if requested == "company_name" and taken and "company_name" not in taken:
            if name := name_in_list(message, anywhere):
                taken = {"company_name": name, **taken}
        if requested != "description" and "description" in fields and not tracker.get_slot("description"):
            if (story := story_of(message)) is not None:
                taken["description"] = story
        draft = tracker.get_slot("description_draft")
        added: Optional[Text] = None  # what a message adds to an account already given
        if requested not in taken and (not FIELDS[requested].free_text or requested == "description" or not taken):
            spec, typed = FIELDS[requested], message.typed
            kept = requested == "description" and bool(draft) and ENOUGH_SAID.fullmatch(message.text) is not None
            if requested == "description" and draft:
                # The account asked after a line of it was told: that line, and what is added.
                typed = draft if kept else f"{draft}；{message.typed}"
            answer = answer_when_asked(requested, typed, today)
            if spec.free_text and intent in NOT_WORDS_OF_AN_ANSWER and answer.value != spec.open_value and not kept:
                answer = Answer(miss=spec.invalid)  # a yes, a no or a greeting is no name
            if answer.past_deadline is not None and not taken:
                return self.question_past_deadline(dispatcher, answer.past_deadline.isoformat())
            if answer.value is not None:
                taken = {requested: answer.value, **taken}
            elif taken:
                pass  # other questions answered: this one is asked again
            elif story := self.told_story(tracker, message, fields):
                taken = {"description": story}  # plainly meant for the account: used there
                added = message.typed
            elif intent == "affirm" and (not spec.free_text or SUBMIT.fullmatch(message.text)):
                # 确认 before the summary: the user thinks the form is done. What is left, when
                # it may all stay open, is left open and the summary follows; else it is not done.
                return self.confirmed_early(dispatcher, tracker, requested, message.text, fields)
            elif intent == "out_of_scope" and not is_question(message.text):
                # Not a request of its own (啊啊啊, qwerty): a miss of the question asked.
                return self.miss(dispatcher, tracker, requested, message.text, answer.miss or spec.invalid)
            elif (
                intent in FIXED_REPLIES
                and (intent in SMALL_TALK or not spec.free_text)
                and not has_digits(message.text)
            ):
                dispatcher.utter_message(response=FIXED_REPLIES[intent])
                return [SlotSet(requested, None)]
            else:
                return self.miss(dispatcher, tracker, requested, message.text, answer.miss or "")
        shown_line = {"description": added or taken["description"]} if "description" in taken else {}
        if requested != "description" and "description" in taken and draft:
            # A line of story told at another question after the opening's line: both are the account.
            taken["description"] = f"{draft}；{taken['description']}"
        # What was taken, and what the message repeated of what was known, is said back.
        repeated = {s: v[0] for s, v in anywhere.items() if v and s not in taken and tracker.get_slot(s) == v[0]}
        said = {s: v for s, v in {**taken, **repeated}.items() if s in fields}
        shown = {slot: shortened(value) for slot, value in {**said, **shown_line}.items()}
        dispatcher.utter_message(response="utter_form_recorded", recorded=described(shown))
        events = [SlotSet(slot, value) for slot, value in taken.items()]
        if "description" in taken and draft:
            events.append(SlotSet("description_draft", None))  # the draft is in the account now
        if requested not in taken:
            # Answers to other questions are no answer to this one: its misses still count.
            return [*events, SlotSet(requested, None), SlotSet("deadline_candidate", None)]
        return [*events, SlotSet("form_misses", None), SlotSet("deadline_candidate", None)]

    def confirmed_early(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: Text, text: Text, fields: List[Text]
    ) -> List[Dict[Text, Any]]:
        left = [slot for slot in fields if tracker.get_slot(slot) is None]
        if not all(FIELDS[slot].open_value is not None for slot in left):
            return self.miss(dispatcher, tracker, requested, text, "utter_form_not_done")
        for slot in left:
            value = FIELDS[slot].open_value
            dispatcher.utter_message(response="utter_form_left_open", field=FIELD_LABELS[slot], value=value)
        return [*[SlotSet(slot, FIELDS[slot].open_value) for slot in left], SlotSet("form_misses", None)]

    @staticmethod
    def told_story(tracker: Tracker, message: Message, fields: List[Text]) -> Optional[Text]:
        """The account, from a message that answers nothing asked but tells what happened:
        the message while the form lacks an account; once it has one, the account with the
        message added when it tells the dispute again (鹿特丹海关扣了我们两个柜的电机), which
        is more of it, not a second report."""
        if "description" not in fields or is_question(message.text):
            return None
        account = tracker.get_slot("description")
        if not account:
            return message.typed if description_is_useful(message.text) else None
        return f"{account}；{message.typed}" if story_alone(message.text) else None

    @staticmethod
    def corrections(
        tracker: Tracker, message: Message, anywhere: Dict[Text, List[Text]], fields: List[Text]
    ) -> Dict[Text, Optional[Text]]:
        """What a message that says something is wrong changes: a filled field it gives
        another value for (the last other one), else a filled field it names without any
        value (asked again; 改成不确定 leaves it open)."""
        changes: Dict[Text, Optional[Text]] = {}
        for slot in fields:
            current, values = tracker.get_slot(slot), anywhere.get(slot) or []
            new = [value for value in values if value != current]
            if current and new:
                changes[slot] = new[-1]  # 不是德国是法国, 是外观设计不是专利
        if not changes:
            named = [
                slot
                for slot in fields
                if tracker.get_slot(slot) and FIELD_WORDS[slot].search(message.text) and not anywhere.get(slot)
            ]
            # What follows the change word is the field's new answer (期限改成没有, 改成不确定);
            # when it gives none, the field is asked again.
            said = CHANGE.split(message.text)[-1] if CHANGE.search(message.text) else ""
            unsure = UNSURE_WORDS.search(message.text) is not None
            for slot in named[:1]:
                told = answer_when_asked(slot, said, today_in_china()).value if said.strip() else None
                changes[slot] = told or (FIELDS[slot].open_value if unsure else None)
        return changes

    @staticmethod
    def apply_changes(
        dispatcher: CollectingDispatcher, tracker: Tracker, requested: Text, changes: Dict[Text, Optional[Text]]
    ) -> List[Dict[Text, Any]]:
        new_values = {slot: value for slot, value in changes.items() if value is not None}
        if new_values:
            lines = "，".join(
                f"{FIELD_LABELS[slot]} {tracker.get_slot(slot)} → {value}"
                if tracker.get_slot(slot)
                else f"{FIELD_LABELS[slot]} {value}"
                for slot, value in new_values.items()
            )
            dispatcher.utter_message(response="utter_form_changed", changes=lines)
        events: List[EventType] = [SlotSet(slot, value) for slot, value in changes.items()]
        if requested not in changes:
            events.append(SlotSet(requested, tracker.get_slot(requested) if requested in FINAL_CHOICES else None))
        return [*events, SlotSet("form_misses", None)]

    @staticmethod
    def asks_something(tracker: Tracker, text: Text) -> bool:
        """Whether a message that gives no value for the question asked asks something of
        its own: a knowledge question, a report's status."""
        intent = latest_intent(tracker)
        if is_question(text) and (knowledge_intent(tracker) or intent == "check_report_status"):
            return True
        # A status check in so many words (刚才那个登记现在到哪一步了), whatever its shape.
        said = requested_report(text) == STATUS
        return intent == "check_report_status" and (said or bool(message_entities(tracker).get("report_id")))

    @staticmethod
    async def interrupt(
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        """Answers the question or status check; the form then asks its question again."""
        if latest_intent(tracker) == "check_report_status":
            action: Optional[Action] = ActionReportStatus()
        else:
            action = answer_action(knowledge_intent(tracker) or "")
        assert action is not None  # asks_something found the question's intent
        return [e for e in await action.run(dispatcher, tracker, domain) if e.get("name") != "requested_slot"]

    @staticmethod
    def question_past_deadline(dispatcher: CollectingDispatcher, day: Text) -> List[Dict[Text, Any]]:
        year, month, day_of_month = day.split("-")
        dispatcher.utter_message(
            response="utter_deadline_in_past",
            day=f"{int(year)}年{int(month)}月{int(day_of_month)}日",
            buttons=[{"title": "是的，已过期", "payload": "/affirm"}, {"title": "重新输入", "payload": "/deny"}],
        )
        return [SlotSet("deadline", None), SlotSet("deadline_candidate", day)]

    @staticmethod
    def miss(
        dispatcher: CollectingDispatcher, tracker: Tracker, slot: Text, text: Text, response: Text
    ) -> List[Dict[Text, Any]]:
        """Says why the answer cannot be used; the second miss in a row offers a way out.
        A closed field's question lists its values, closest to what was typed first
        (`ActionAskChoice`)."""
        count = misses_of(tracker, slot) + 1
        dispatcher.utter_message(response=response, value=text)
        spec = FIELDS[slot]
        if count >= MISSES_BEFORE_WAY_OUT and spec.closed and spec.open_value is not None and slot != "country":
            # A kind the user cannot name blocks nothing: staff classify it from the account.
            dispatcher.utter_message(response="utter_form_left_open", field=FIELD_LABELS[slot], value=spec.open_value)
            return [SlotSet(slot, spec.open_value), SlotSet("form_misses", None)]
        if count >= MISSES_BEFORE_WAY_OUT:
            skip = "回复“跳过”先空着，" if FIELDS[slot].open_value is not None else ""
            dispatcher.utter_message(response="utter_form_way_out", skip=skip, buttons=way_out(slot))
        return [SlotSet(slot, None), SlotSet("form_misses", {"slot": slot, "count": count, "typed": text})]

    async def final_choice(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        requested: Text,
        fields: List[Text],
    ) -> List[Dict[Text, Any]]:
        """The confirmation of a report's summary: 确认, a field to change (a button, or a
        correction in words), or a question; anything else shows the summary again."""
        field = message_entities(tracker).get("field")
        if field in fields:
            return [SlotSet("report_confirmed", None), SlotSet(field, None)]
        if latest_intent(tracker) == "affirm":
            return [SlotSet("report_confirmed", True)]
        message = message_of(tracker)
        wrong = says_correction(message.text) or names_given_value_as_wrong(tracker, message.text, fields)
        if wrong or latest_intent(tracker) == "deny":
            anywhere = {slot: values_anywhere(message, slot, today_in_china()) for slot in fields}
            if changes := self.corrections(tracker, message, anywhere, fields):
                return self.apply_changes(dispatcher, tracker, requested, changes)
        if named := field_named(message.text, fields):  # 国家, after 修改: that field is asked again
            return [SlotSet("report_confirmed", None), SlotSet(named, None)]
        if self.asks_something(tracker, message.text):
            return [*await self.interrupt(dispatcher, tracker, domain), SlotSet("report_confirmed", None)]
        return [SlotSet("report_confirmed", None)]


class ValidateDisputeForm(ReportFormValidation):
    def name(self) -> Text:
        return "validate_dispute_form"


class ValidateUnfairForm(ReportFormValidation):
    def name(self) -> Text:
        return "validate_unfair_form"


class ActionAskChoice(Action, ABC):
    """Asks for a closed field (IP type, dispute type) with one button per value. After a
    miss the values closest to what was typed come first, with 不确定; after two misses in
    a row also 人工服务 and 取消."""

    slot: Text

    @abstractmethod
    def name(self) -> Text:
        """action_ask_<slot>."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        misses = tracker.get_slot("form_misses") or {}
        typed = misses.get("typed", "") if misses.get("slot") == self.slot else ""
        values = closest_values(self.slot, typed)
        buttons = [{"title": v, "payload": v} for v in values] + [{"title": "不确定", "payload": "不确定"}]
        if misses_of(tracker, self.slot) >= MISSES_BEFORE_WAY_OUT:
            buttons += [button("人工服务", "request_human", {}), button("取消填写", "stop", {})]
        dispatcher.utter_message(response=f"utter_ask_{self.slot}", buttons=buttons)
        return []


class ActionAskIpType(ActionAskChoice):
    slot = "ip_type"

    def name(self) -> Text:
        return "action_ask_ip_type"


class ActionAskDisputeType(ActionAskChoice):
    slot = "dispute_type"

    def name(self) -> Text:
        return "action_ask_dispute_type"
