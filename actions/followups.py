"""Follow-up questions: “那德国呢”, “要多久”, “费用呢”, “可以续展吗” refer to the answer just given.

After every knowledge answer the topic is remembered (intent, question, entities). A short
message within the next two turns that has no topic words of its own keeps the remembered
question, intent and entities, with its own entities and kind of question (“那德国呢” asks the
same about Germany; “费用呢” after “多久” asks for an amount about the same thing). One with
a topic of its own is read both alone (keeping the place it does not name: “可以续展吗” is
still about the US) and with the question before (“有没有例外”, “换成英国一样吗”), and the
reading answered better wins (actions/answers.py); one that refers back (“那欧洲专利局呢”,
“要是败诉了呢”) adds to the question before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from knowledge.core.text import normalise
from knowledge.core.vocabulary import HOME_COUNTRY, HOME_FORMS, vocabulary
from knowledge.library import answer_types
from knowledge.library.search import terms

CONTEXT_SLOT = "answer_context"
TOPICAL = ("country", "ip_type", "dispute_type", "industry", "district")
PLACES = ("country", "district")
MAX_AGE_TURNS = 2
MAX_FOLLOW_UP_CHARS = 25
# Words that carry no topic: what a follow-up asks (多久, 费用), how it refers back (这个, 那).
NO_TOPIC = frozenset(
    "申请 注册 保护 办理 流程 手续 步骤 程序 材料 条件 要求 规定 制度 多久 多长 时间 几天 几年 几个 月 天 年 "
    "费用 多少 多少钱 钱 收费 价格 期限 时限 有效期 哪里 哪儿 哪个 哪些 机构 部门 谁 找 怎么样 怎样 "
    "如果 的话 情况 那么 这个 那个 它 这 那 此 该 还有 另外 再 又 一样 同样 也 呢 啊 是不是 是否 能 可以 "
    "需要 要 会 有 没有 吗 地方 国家 地区 具体 详细 说说 讲讲 介绍 去 到 在 做 办 弄 搞 交 提交 准备 处理 "
    "应对 回应 回复 理会 不理 管 等 后果 结果 影响 时候 之后 以后 后 前 之前 先 然后 下一步 接下来 怎么办 "
    "办理 多 长 久 不 了 吧 什么 啥".split()
)


# How a message with a topic of its own still says it continues the answer before it:
# “那欧洲专利局呢” asks the same about the European Patent Office, “要是败诉了会怎样” asks
# about the same proceedings.
REFERS_BACK = re.compile(r"^(那|那么|那如果|如果|要是|假如|万一|这个|那个|它|这|该|还有)|呢[?？。!！]?$")


# Words that point at the answer before (“区县一级有没有类似的”): what they point at is in the
# question before; searched as words, 类似 would find the 类似商品 of trademark classes.
REFERENCE_WORDS = re.compile(r"类似的|相似的|一样的|同样的|这样的|那样的|这种的|类似")


@dataclass(frozen=True)
class Question:
    """What to answer: the intent, the words to search with, the entities, the kind of fact."""

    intent: Text
    text: Text
    entities: Dict[Text, Text]
    kind: Optional[Text]


def user_turns(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


def remember(tracker: Tracker, question: Question) -> SlotSet:
    """The event that keeps this question as the topic of the next turns."""
    value = {
        "intent": question.intent,
        "text": question.text,
        "entities": question.entities,
        "kind": question.kind,
        "turn": user_turns(tracker),
    }
    return SlotSet(CONTEXT_SLOT, value)


def has_own_topic(text: Text) -> bool:
    """Whether the message names something to answer about, beyond entities and question
    words. Those are removed from the text itself (jieba may glue “那要” into one word)."""
    rest = normalise(text).lower()
    forms = {f.text.lower() for f in vocabulary().forms()}
    for word in sorted(NO_TOPIC | forms, key=len, reverse=True):
        rest = rest.replace(word, " ")
    return bool(terms(rest))


def recalled(tracker: Tracker) -> Optional[Dict[Text, Any]]:
    """The topic of a recent answer, if the conversation has one."""
    context = tracker.get_slot(CONTEXT_SLOT)
    if not isinstance(context, dict) or user_turns(tracker) - int(context.get("turn") or 0) > MAX_AGE_TURNS:
        return None
    return context


def follow_up(tracker: Tracker, text: Text, entities: Dict[Text, Text]) -> Optional[Question]:
    """The question a short message without a topic of its own (or one that refers back)
    asks in the light of the answer before it; None when it is not such a follow-up (it is
    long, names its own topic, or no answer came just before)."""
    context = recalled(tracker)
    if context is None or not is_short(text) or (has_own_topic(text) and not REFERS_BACK.search(text)):
        return None
    return with_context(context, text, {k: v for k, v in entities.items() if k in TOPICAL})


def alone(context: Optional[Dict[Text, Any]], text: Text, entities: Dict[Text, Text], intent: Text) -> Question:
    """A message with a topic of its own read by itself, about the place of the answer
    before when it names none (“可以续展吗” after the US trademark term is still about the US)."""
    remembered = dict((context or {}).get("entities") or {})
    topical = {k: v for k, v in entities.items() if k in TOPICAL}
    place = {k: v for k, v in remembered.items() if k in PLACES and k not in topical} if is_short(text) else {}
    return Question(intent, text, {**entities, **place}, answer_types.asked(text))


def is_short(text: Text) -> bool:
    return bool(text.strip()) and len(normalise(text).strip()) <= MAX_FOLLOW_UP_CHARS


def with_context(context: Dict[Text, Any], text: Text, topical: Dict[Text, Text]) -> Question:
    """The question before, asked again with this message's words and entities: a country
    it names replaces the one before (naming China too, which the NLU does not tag)."""
    remembered = dict(context.get("entities") or {})
    merged = {**remembered, **topical}
    earlier = str(context.get("text") or "")
    for name, value in topical.items():
        old = remembered.get(name)
        if old and old != value:
            earlier = _replace_value(earlier, name, old, value)
        elif name == "country" and not old:
            earlier = _replace_home(earlier, value)
    if "country" not in topical and any(form in text for form in HOME_FORMS):
        old = merged.pop("country", None)
        if old:
            earlier = _replace_value(earlier, "country", old, HOME_COUNTRY)
    kind = answer_types.asked(text) or context.get("kind")
    own = REFERENCE_WORDS.sub(" ", text)
    return Question(str(context["intent"]), f"{earlier} {own}".strip(), merged, kind)


def _replace_home(text: Text, new: Text) -> Text:
    for form in sorted(HOME_FORMS, key=len, reverse=True):
        text = text.replace(form, new)
    return text


def _replace_value(text: Text, entity: Text, old: Text, new: Text) -> Text:
    """`text` with every written form of `old` replaced by `new` (美国的商标 -> 德国的商标)."""
    for form in sorted(vocabulary().forms(), key=lambda f: -len(f.text)):
        if form.entity == entity and form.value == old:
            text = re.sub(re.escape(form.text), new, text, flags=re.I)
    return text
