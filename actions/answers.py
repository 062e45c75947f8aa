"""Answers from the knowledge base, for the question intents of the NLU contract.

Every question goes through `answer_question`: a question no knowledge base can answer (a
prediction, a guarantee, a ranking, someone else's data) is told so; a short follow-up takes
the topic of the answer before it (actions/followups.py); then the intent's action searches
the items it is about, steered by the entities, and replies with the passages that carry the
fact asked, its source and follow-up buttons (knowledge/library/answers.py). When nothing
carries it, it says so and offers an expert or a person; it never guesses.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.followups import (
    CONTEXT_SLOT,
    TOPICAL,
    Question,
    alone,
    follow_up,
    has_own_topic,
    is_short,
    recalled,
    remember,
    with_context,
)
from actions.handoff import hand_off
from actions.knowledge_base import knowledge_base
from actions.labels import button
from actions.tracker import message_entities, question_text
from knowledge.core.text import normalise
from knowledge.core.vocabulary import vocabulary
from knowledge.library import answer_types, answers
from knowledge.library.answer_types import STRICT
from knowledge.library.answers import Answer
from knowledge.library.limits import REASONS, beyond_reach
from knowledge.library.search import KnowledgeIndex, Suggestion, bigrams, terms

PAGE_SIZE = 3
# Words that say nothing about which general topic is meant: a country question made only
# of them (“怎么申请商标？”) needs a country before it can be answered.
GENERIC_WORDS = frozenset("申请 注册 保护 办理 流程 手续 国外 海外 外国 国际 出口 要求 规定 制度 多久 费用".split())
CASE_PREVIEW_CHARS = 90
# Countries offered as buttons when a question needs one: the markets the city's
# exporters ask about most.
COMMON_COUNTRIES = ["美国", "欧盟", "德国", "日本", "越南", "俄罗斯"]
SEARCH_ENTITIES = ("country", "ip_type", "dispute_type", "industry", "district")
# How much of a message filed under another intent (off-topic, a status check) the library
# must cover to answer it instead.
CONFIDENT_COVERAGE = 0.5
# The intent a library-wide answer is filed under (its 更多细节 button works for any item).
LIBRARY_INTENT = "ask_dispute_guidance"


def repeated_question(tracker: Tracker) -> bool:
    """The user typed the same question twice in a row: the first answer did not help."""
    texts = [normalise(e.get("text") or "").strip() for e in tracker.events if e.get("event") == "user"]
    return len(texts) >= 2 and bool(texts[-1]) and not texts[-1].startswith("/") and texts[-1] == texts[-2]


def follow_up_buttons(intent: Text, item_id: Text, entities: Dict[Text, Text]) -> List[Dict[Text, Text]]:
    """相关案例 / 登记纠纷 / 咨询专家 / 更多细节, carrying what the user already said."""
    topical = {k: v for k, v in entities.items() if k in SEARCH_ENTITIES}
    return [
        button("相关案例", "ask_case", topical),
        button("登记纠纷", "report_dispute", topical),
        button("咨询专家", "request_expert", topical),
        button("更多细节", intent, {"item_id": item_id}),
    ]


class AnswerAction(Action, ABC):
    """Searches the knowledge base for one intent; subclasses set the scope."""

    intent: Text
    kinds: Tuple[Text, ...] = ("article",)
    topics: Tuple[Text, ...] = ()

    @abstractmethod
    def name(self) -> Text:
        """The action's name in domain.yml."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        entities = message_entities(tracker)
        if tracker.active_loop_name is None and repeated_question(tracker):
            dispatcher.utter_message(response="utter_repeated_question")
            return await hand_off(dispatcher, tracker, "repeated_question")
        if entities.get("item_id"):
            return self.details(dispatcher, await knowledge_base.index(), entities["item_id"])
        return await answer_question(dispatcher, tracker, self.intent)

    def search(self, index: KnowledgeIndex, text: Text, entities: Dict[Text, Text], k: int = 1) -> List[Suggestion]:
        scope = {"kinds": self.kinds, "topics": self.topics or None}
        return index.suggest(text, entities, k=k, **scope, min_confidence=answers.SCOPED_MIN_CONFIDENCE)

    def find(
        self, index: KnowledgeIndex, text: Text, entities: Dict[Text, Text], kind: Optional[Text] = None
    ) -> Optional[Answer]:
        """The answer, preferring the items of the intent's scope."""
        return answers.answer(index, text, entities, self.kinds, self.topics or None, kind=kind)

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        index: KnowledgeIndex,
        text: Text,
        entities: Dict[Text, Text],
        kind: Optional[Text] = None,
    ) -> List[Dict[Text, Any]]:
        """Replies with the passages that carry the fact asked, or says the library lacks it."""
        self.utter_answer(dispatcher, self.find(index, text, entities, kind), entities)
        return []

    def utter_answer(
        self, dispatcher: CollectingDispatcher, found: Optional[Answer], entities: Dict[Text, Text]
    ) -> None:
        if found is None:
            dispatcher.utter_message(response="utter_no_answer")
        elif found.missing:
            dispatcher.utter_message(
                response="utter_no_fact",
                title=found.item.title,
                what=STRICT[found.asked or ""],
                buttons=[
                    button("看这一条的全部内容", self.intent, {"item_id": found.item.id}),
                    button("咨询专家", "request_expert", {}),
                    button("转人工", "request_human", {}),
                ],
            )
        else:
            dispatcher.utter_message(
                response="utter_answer",
                title=found.item.title,
                answer=found.text,
                source=found.item.source,
                buttons=follow_up_buttons(self.intent, found.item.id, entities),
            )

    def details(self, dispatcher: CollectingDispatcher, index: KnowledgeIndex, item_id: Text) -> List[Dict[Text, Any]]:
        """The long text of one item (the 更多细节 button)."""
        doc = index.get(item_id)
        if doc is None or not doc.details:
            dispatcher.utter_message(response="utter_no_details")
            return []
        dispatcher.utter_message(
            response="utter_answer_details", title=doc.title, details=doc.details, source=doc.source
        )
        return []


class ActionDisputeGuidance(AnswerAction):
    intent = "ask_dispute_guidance"
    topics = ("dispute_guidance", "basics", "local_service")

    def name(self) -> Text:
        return "action_dispute_guidance"


class ActionCountryGuide(AnswerAction):
    """Needs a country: asks for one, and says so when the country has no guide yet."""

    intent = "ask_country_guide"
    kinds = ("country_guide", "article")
    topics = ("country_guide", "basics")

    def name(self) -> Text:
        return "action_country_guide"

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        index: KnowledgeIndex,
        text: Text,
        entities: Dict[Text, Text],
        kind: Optional[Text] = None,
    ) -> List[Dict[Text, Any]]:
        country = entities.get("country")
        if not country:
            general = self.general_answer(index, text, entities)
            if general is not None:
                self.utter_answer(dispatcher, general, entities)
                return [SlotSet("pending_topic", None)]
            buttons = [button(c, self.intent, {**entities, "country": c}) for c in COMMON_COUNTRIES]
            dispatcher.utter_message(response="utter_ask_country", buttons=buttons)
            return [SlotSet("pending_topic", self.intent)]
        covered = {next(iter(d.tags["country"])) for d in index.docs if d.kind == "country_guide"}
        if country not in covered:
            dispatcher.utter_message(response="utter_country_not_covered", country=country)
            # General guidance is offered knowingly, so it need not cover the country's name.
            basics = answers.answer(index, text, entities, ("article",), ("basics",), min_coverage=0.0)
            if basics is not None and not basics.missing:
                self.utter_answer(dispatcher, basics, entities)
            return [SlotSet("pending_topic", None)]
        super().answer(dispatcher, index, text, entities, kind)
        return [SlotSet("pending_topic", None)]

    @staticmethod
    def general_answer(index: KnowledgeIndex, text: Text, entities: Dict[Text, Text]) -> Optional[Answer]:
        """An international-basics article (PCT, Madrid, priority...) when the question is
        specific enough to be about one, whatever the country."""
        specific = [w for w in terms(text) if w not in GENERIC_WORDS and not vocabulary().is_form(w)]
        if not specific:
            return None
        return answers.answer(index, text, entities, ("article",), ("basics",))


class ActionRiskWarning(AnswerAction):
    intent = "ask_risk_warning"
    kinds = ("alert", "article")
    topics = ("risk", "basics")

    def name(self) -> Text:
        return "action_risk_warning"


class ActionCaseSearch(AnswerAction):
    """The most similar cases, a page of three at a time, with a button for more. The
    question is remembered, so that the next page continues the same ranking."""

    intent = "ask_case"
    kinds = ("case",)

    def name(self) -> Text:
        return "action_case_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        entities = message_entities(tracker)
        if entities.get("item_id"):
            return await super().run(dispatcher, tracker, domain)
        if refused(dispatcher, question_text(tracker)):
            return [SlotSet(CONTEXT_SLOT, None)]
        index = await knowledge_base.index()
        first_page = not entities.get("page", "").isdigit() or int(entities["page"]) <= 1
        text = question_text(tracker) if first_page else tracker.get_slot("case_query") or ""
        if first_page and not self.search(index, text, entities):
            # No case is like it: the question may be about cases (“市里的案例库收哪些案例”).
            return await answer_from_library(dispatcher, tracker) or []
        self.answer(dispatcher, index, text, entities)
        # The first page is the topic a follow-up (“那一般结果都怎么样”) refers to.
        topic = [remember(tracker, Question(self.intent, text, entities, None))] if first_page else []
        return [SlotSet("case_query", text), *topic]

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        index: KnowledgeIndex,
        text: Text,
        entities: Dict[Text, Text],
        kind: Optional[Text] = None,
    ) -> List[Dict[Text, Any]]:
        page = max(1, int(entities["page"])) if entities.get("page", "").isdigit() else 1
        found = self.search(index, text, entities, k=page * PAGE_SIZE + 1)
        shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if not shown:
            dispatcher.utter_message(response="utter_no_more_cases" if page > 1 else "utter_no_answer")
            return []
        lines = [
            f"{n}. {c.title}：{c.answer.split('：', 1)[-1][:CASE_PREVIEW_CHARS]}…（来源：{c.source}）"
            for n, c in enumerate(shown, start=(page - 1) * PAGE_SIZE + 1)
        ]
        buttons = [
            button(f"看第{n}个详情", self.intent, {"item_id": c.id})
            for n, c in enumerate(shown, start=(page - 1) * PAGE_SIZE + 1)
        ]
        if len(found) > page * PAGE_SIZE:
            more = {k: v for k, v in entities.items() if k in SEARCH_ENTITIES}
            buttons.append(button("更多案例", self.intent, {**more, "page": str(page + 1)}))
        dispatcher.utter_message(response="utter_cases", cases="\n".join(lines), buttons=buttons)
        return []


class ActionExhibition(AnswerAction):
    intent = "ask_exhibition"
    topics = ("exhibition",)

    def name(self) -> Text:
        return "action_exhibition"


class ActionInsurance(AnswerAction):
    intent = "ask_insurance"
    topics = ("insurance",)

    def name(self) -> Text:
        return "action_insurance"


class ActionFunding(AnswerAction):
    intent = "ask_funding"
    topics = ("funding", "insurance")

    def name(self) -> Text:
        return "action_funding"


class ActionMediation(AnswerAction):
    intent = "ask_mediation"
    topics = ("mediation",)

    def name(self) -> Text:
        return "action_mediation"


class ActionTraining(AnswerAction):
    intent = "ask_training"
    topics = ("training", "exhibition")

    def name(self) -> Text:
        return "action_training"


class ActionLawUpdate(AnswerAction):
    intent = "ask_law_update"
    kinds = ("article", "country_guide")
    topics = ("law_update", "basics", "country_guide")

    def name(self) -> Text:
        return "action_law_update"


class ActionContact(AnswerAction):
    """A district's workstation when a district is named; otherwise the network's contacts."""

    intent = "ask_contact"
    kinds = ("institution", "article")
    topics = ("contact", "local_service")

    def name(self) -> Text:
        return "action_contact"

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        index: KnowledgeIndex,
        text: Text,
        entities: Dict[Text, Text],
        kind: Optional[Text] = None,
    ) -> List[Dict[Text, Any]]:
        district = entities.get("district")
        station = (
            next((d for d in index.docs if d.kind == "institution" and district in d.tags.get("district", ())), None)
            if district
            else None
        )
        if station is None:
            return super().answer(dispatcher, index, text, entities, kind)
        contact = knowledge_base.contact(station.id)
        fields = [("电话", contact.phone), ("地址", contact.address), ("办公时间", contact.hours)]
        known = "；".join(f"{label}：{value}" for label, value in fields if value)
        if known:
            dispatcher.utter_message(
                response="utter_institution",
                title=station.title,
                role=station.answer,
                contact=known,
                source=station.source,
            )
        else:
            dispatcher.utter_message(
                response="utter_institution_no_contact", title=station.title, role=station.answer, source=station.source
            )
        return []


def refused(dispatcher: CollectingDispatcher, text: Text, learned: bool = True) -> bool:
    """Says so when no knowledge base can answer `text` (knowledge/library/limits.py);
    without `learned`, by the rules alone (for messages that are not questions)."""
    reason = beyond_reach(text, learned)
    if reason is None:
        return False
    dispatcher.utter_message(
        response="utter_cannot_answer",
        reason=REASONS[reason],
        buttons=[button("咨询专家", "request_expert", {}), button("转人工", "request_human", {})],
    )
    return True


async def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, intent: Text) -> List[Dict[Text, Any]]:
    """Answers the latest message as a question of `intent` (or of the topic it follows up)."""
    text, entities = question_text(tracker), message_entities(tracker)
    if refused(dispatcher, text):
        return [SlotSet(CONTEXT_SLOT, None)]
    index = await knowledge_base.index()
    question = follow_up(tracker, text, entities)
    if question is not None:
        question = new_question_alone(index, tracker, question, Question(intent, text, entities, None))
    if question is None:
        question = alone(recalled(tracker), text, entities, intent)
        better = better_with_context(index, tracker, question, entities)
        if better is not None:
            found, question = better
            action = answer_action(question.intent)
            assert action is not None
            action.utter_answer(dispatcher, found, question.entities)
            return [remember(tracker, question)]
    action = answer_action(question.intent) or answer_action(intent)
    assert action is not None, f"{intent} has no answer action"
    events = action.answer(dispatcher, index, question.text, question.entities, question.kind)
    return [*events, remember(tracker, question)]


def new_question_alone(index: KnowledgeIndex, tracker: Tracker, joined: Question, own: Question) -> Question:
    """A short question that names a country, IP or dispute type the answer before had none
    of (“美国版权保护多长时间” after the hotline's number) may be a new question: it is read
    alone when that answer says more of its own words than the follow-up's reading does."""
    remembered = (recalled(tracker) or {}).get("entities") or {}
    if not any(k in TOPICAL and k not in remembered for k in own.entities):
        return joined
    single = alone(recalled(tracker), own.text, own.entities, own.intent)
    by_itself = found_for(index, single)
    if by_itself is None or by_itself.missing:
        return joined
    together = found_for(index, joined)
    return single if together is None or says(by_itself, own.text) > says(together, own.text) else joined


def found_for(index: KnowledgeIndex, question: Question) -> Optional[Answer]:
    """What the answer action of the question's intent finds for it (None: no action, or nothing)."""
    action = answer_action(question.intent)
    return None if action is None else action.find(index, question.text, question.entities, question.kind)


def says(found: Answer, text: Text) -> float:
    """How much of what a question says about its subject (its character pairs, without the
    words that only ask: 多长时间) an answer's title and passages say."""
    subject = text
    for word in answer_types.asking_words(text):
        subject = subject.replace(word, " ")
    pairs = set(bigrams(subject))
    said = normalise(f"{found.item.title} {found.text}").lower()
    return sum(pair in said for pair in pairs) / len(pairs) if pairs else 0.0


def better_with_context(
    index: KnowledgeIndex, tracker: Tracker, question: Question, own: Dict[Text, Text]
) -> Optional[Tuple[Answer, Question]]:
    """A short question with a topic of its own just after an answer (“有没有例外”, “从什么时候
    开始”, “换成英国一样吗”) is most often still about that answer: it is read with the question
    before when that reading is answered. One that names a country, IP or dispute type of its
    own (`own`: its entities) is read with it only when that covers more than the message alone."""
    context = recalled(tracker)
    topical = {k: v for k, v in own.items() if k in TOPICAL}
    if context is None or not is_short(question.text):
        return None
    together = with_context(context, question.text, topical)
    joined = found_for(index, together)
    if joined is None or joined.missing:
        return None
    if topical:
        by_itself = found_for(index, question)
        if by_itself is not None and not by_itself.missing and by_itself.coverage >= joined.coverage:
            return None
    return joined, together


async def answer_if_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """For a message the NLU did not file under a question's topic: a question no knowledge
    base can answer is told so, a follow-up is answered on the topic before it, another
    question with a topic of its own from the whole library. None when the message is not
    such a question (“那德国呢” with nothing before it only names a country)."""
    text, entities = question_text(tracker), message_entities(tracker)
    if refused(dispatcher, text):
        return [SlotSet(CONTEXT_SLOT, None)]
    if (question := follow_up(tracker, text, entities)) is not None:
        return await answer_question(dispatcher, tracker, question.intent)
    context = recalled(tracker)
    if context is not None and is_short(text) and answer_types.is_question(text):
        # Alone or with the question before, whichever answers it better.
        return await answer_question(dispatcher, tracker, str(context["intent"]))
    if answer_types.is_question(text) and (has_own_topic(text) or asks_about_entity(text, entities)):
        return await answer_from_library(dispatcher, tracker) or []
    return None


def asks_about_entity(text: Text, entities: Dict[Text, Text]) -> bool:
    """“TRO是啥”, “地理标志保护多久”: the thing named is the topic, and the question asks a
    kind of fact about it (what it is, how long, who decides). “那德国呢” with nothing before
    it asks no kind of fact: it only names a country."""
    return answer_types.asked(text) is not None and any(k in TOPICAL for k in entities)


async def answer_from_library(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    min_coverage: Optional[float] = None,
    kinds: Optional[Tuple[Text, ...]] = None,
) -> Optional[List[Dict[Text, Any]]]:
    """Answers a question whose topic the NLU could not tell from the whole library (or only
    its `kinds` of items), at the stricter unscoped threshold; says plainly when nothing there
    answers it. With `min_coverage`, only a good answer is given, and None says there was none."""
    text, entities = question_text(tracker), message_entities(tracker)
    kind = answer_types.asked(text)
    found = answers.answer(
        await knowledge_base.index(),
        text,
        entities,
        kinds=kinds,
        kind=kind,
        min_coverage=min_coverage or answers.MIN_COVERAGE,
        neighbours=kinds is None,
    )
    if min_coverage is not None and (found is None or found.missing):
        return None
    action = answer_action(LIBRARY_INTENT)
    assert action is not None
    action.utter_answer(dispatcher, found, entities)
    return [remember(tracker, Question(LIBRARY_INTENT, text, entities, kind))] if found else []


ANSWER_ACTIONS: Dict[Text, AnswerAction] = {}


def answer_action(intent: Text) -> Optional[AnswerAction]:
    """The answer action of an intent, for actions that resume a pending question."""
    if not ANSWER_ACTIONS:
        for cls in AnswerAction.__subclasses__():
            ANSWER_ACTIONS[cls.intent] = cls()
    return ANSWER_ACTIONS.get(intent)
