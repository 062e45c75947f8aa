"""What a form's fields are, and how a message gives a value for them.

One specification per field (`FIELDS`) says how an answer is recognised: the entity that
carries it, whether the whole message may be the answer when the field is asked, what
不确定 / 跳过 gives (None: the field must be answered), and the response that explains a
miss. The forms (actions/forms.py) read every message with it; nothing else decides what
a message answers.

A message gives values in two ways:
- **anywhere**: the NLU's entities (a country, an IP or dispute type, told by name or by
  a situation, a phone number, an industry), a company name shaped as one (…有限公司),
  a deadline with its cue words (12月5日前). These fill any empty field of the form.
- **when asked**: the whole message read as the answer to the field the form asked (德国,
  不确定, 华瓷, 下周五, a description).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Dict, List, Optional, Text, Tuple

from knowledge.core.dates import parse_deadline
from knowledge.core.requests import EXPERT_VERBS, UNFAIR_WORDS
from knowledge.core.sounds import heard, sound_alike
from knowledge.core.text import normalise
from knowledge.core.validation import (
    MIN_DESCRIPTION_CHARS,
    PHONE_CANDIDATE,
    clean_company_name,
    company_spans,
    description_is_useful,
    meaningful_chars,
    normalise_phone,
)
from knowledge.core.vocabulary import EU, EU_MEMBERS, other_country, vocabulary

UNSURE = re.compile(r"^(不确定|不清楚|不知道|说不好|说不准|不太清楚|都有可能|不好说|还不确定|不懂|跳过|不知)")
# The commonest of them, also heard typed in other characters of the same sound (不确订).
UNSURE_SAID = ("不确定", "不清楚", "不知道")
ANY_VALUE = re.compile(r"^(不限|都可以|都行|无所谓|随便|没有要求|都要)")
OTHER = re.compile(r"^(其他|其它|别的)")
UNSURE_VALUE, ANY_INDUSTRY, OTHER_COUNTRY, NO_DEADLINE = "不确定", "不限", "其他", "无"
# Words that say a date is a deadline (without them a date in a story is just a date).
DEADLINE_CUE = re.compile(
    r"(之前|以前|前(?!天|年|几)|以内|[天日周月][内后]|[天周月]的?时间|截止|期限|最晚|最迟|到期|结束|还有\s*\S{1,3}\s*天)"
)
# Asking for the registration itself says nothing of what happened.
REQUEST_WORDS = re.compile(
    r"(你好|您好|请|麻烦|帮忙|帮我们?|想|要|我们要|需要)?\S{0,2}(登记|立案|报案|上报|反映)(一下|下|吧)?"
)
# What names a value in a list of answers (公司…，电话…), left when the value is taken out:
# no part of an account (巴黎一家公司说… keeps its 公司).
VALUE_LABELS = re.compile(r"(公司名称|企业名称|公司|企业|电话|手机号?|联系方式|号码)[:：]?(?=[，,。；\s]|$)")
# An industry told by what the company makes (做家具的, 生产卫浴的), when it is no known one.
INDUSTRY_PHRASE = re.compile(r"(?:我们|我司|公司)?(?:是)?(?:做|生产|卖|出口)([\u4e00-\u9fff]{1,6}?)(?:的|产品|行业)")
# Any value of a field, said by its name beside other answers (懂德国专利的专家，行业不限;
# 帮我匹配个专家，国家不限; 行业也不限 at another question).
FIELD_NAMES = {"industry": "行业", "country": "国家|地区|国别", "ip_type": "知识产权类型|权利类型|类型"}
ANY_SAID = {
    slot: re.compile(rf"(?:{names})\s*(?:也|都)?\s*(?:不限|都行|都可以|无所谓|随便)|不限(?:{names})")
    for slot, names in FIELD_NAMES.items()
}
CLAUSE = re.compile(r"[，,。；;！!？?\s]+")
# A remark beside a list of answers (先记电话吧, 名字等下给): it names a field or ends as talk.
NOT_A_LISTED_NAME = re.compile(r"电话|手机|号码|名字|名称|全称|等下|稍后|一会|[吧吗呢啊呀]$")
MIN_NAME_CHARS_TOLD = 3


@dataclass(frozen=True)
class Field:
    """How one field is answered."""

    slot: Text
    entity: Optional[Text] = None  # the NLU entity that carries it anywhere
    closed: bool = False  # canonical values only (the gazetteer's)
    open_value: Optional[Text] = None  # what 不确定 / 跳过 gives; None: must be answered
    free_text: bool = False  # any words may be the answer (not a yes or a no)
    invalid: Text = ""  # the response that explains a miss


FIELDS: Dict[Text, Field] = {
    f.slot: f
    for f in [
        Field("company_name", entity="company_name", free_text=True, invalid="utter_invalid_company_name"),
        Field("phone", entity="phone", invalid="utter_invalid_phone"),
        Field("country", entity="country", closed=True, open_value=UNSURE_VALUE, invalid="utter_invalid_country"),
        Field("ip_type", entity="ip_type", closed=True, open_value=UNSURE_VALUE, invalid="utter_invalid_ip_type"),
        Field(
            "dispute_type",
            entity="dispute_type",
            closed=True,
            open_value=UNSURE_VALUE,
            invalid="utter_invalid_dispute_type",
        ),
        Field("deadline", open_value=NO_DEADLINE, invalid="utter_invalid_deadline"),
        Field("description", free_text=True, invalid="utter_description_too_short"),
        Field("industry", entity="industry", open_value=ANY_INDUSTRY, free_text=True, invalid="utter_invalid_industry"),
    ]
}
MAX_INDUSTRY_CHARS = 20
MIN_GUESSED_CHARS = 3
# The answer to the question itself may be a two-character value with one wrong (越楠, 专立).
MIN_GUESSED_WHEN_ASKED = 2
# A clause this short with a deadline's words says only the deadline (“30天内答辩”).
MAX_DEADLINE_CLAUSE_CHARS = 8


# The last question of a form: a choice about everything before it, not a field to edit.
FINAL_CHOICES = {"report_confirmed", "expert_id"}


def form_fields(domain: Dict, form: Text) -> List[Text]:
    """What a form asks, in order: domain.yml's required slots without the final choice."""
    required = ((domain.get("forms") or {}).get(form) or {}).get("required_slots") or []
    return [slot for slot in required if slot not in FINAL_CHOICES]


def deadline_date(value: Optional[Text]) -> Optional[date]:
    """The deadline slot as a date (it holds an ISO date or 无)."""
    if not value or value == NO_DEADLINE:
        return None
    return date.fromisoformat(value)


@dataclass(frozen=True)
class Message:
    """The latest user message as the forms read it."""

    text: Text  # what was typed, normalised ("" for a button payload)
    typed: Text = ""  # what was typed, as typed (a description is kept so)
    entities: List[Tuple[Text, Text]] = field(default_factory=list)  # (entity, value) in text order
    spans: List[Tuple[int, int]] = field(default_factory=list)  # where the entities are in the text


@dataclass
class Answer:
    """The value the whole message gives for the field asked, or why it gives none."""

    value: Optional[Text] = None
    miss: Optional[Text] = None  # the response explaining why not
    past_deadline: Optional[date] = None  # a past date, to be confirmed before it is taken


def is_open(slot: Text, value: object) -> bool:
    """Whether a field is still to be told: empty, or left open (不确定) where a later
    value simply fills it (a deadline's 无 is an answer, not an open value)."""
    spec = FIELDS[slot]
    return value is None or (value == spec.open_value and slot != "deadline")


def unsure_clause(message: Message) -> bool:
    """Whether a list of answers has a clause that is only 不确定 (or its kin)."""
    return any(UNSURE.fullmatch(clause) for clause in CLAUSE.split(message.text) if clause)


# A clause that is only a no: in a list of answers, the answer of the one question that
# takes a no (the deadline: “没有明确期限请回复没有”).
NONE_GIVEN = re.compile(r"\s*(没有|没|无|暂无|没有期限|无期限)\s*")


def none_clause(message: Message) -> bool:
    """Whether a list of answers has a clause that is only a no (没有)."""
    return any(NONE_GIVEN.fullmatch(clause) for clause in CLAUSE.split(message.text) if clause)


def values_anywhere(message: Message, slot: Text, today: date) -> List[Text]:
    """The values of `slot` the message gives wherever they are, in text order."""
    spec = FIELDS[slot]
    found = [value for entity, value in message.entities if entity == spec.entity]
    if slot == "phone":
        candidates = [*found, *PHONE_CANDIDATE.findall(message.text)]
        found = [p for p in (normalise_phone(c) for c in candidates) if p]
    elif slot == "company_name":
        # Told among other things, a name is more than a word the classifier took for one
        # (送达 in 法院给我们送达了传票).
        names = (clean_company_name(v) for v in found)
        found = [name for name in names if name and meaningful_chars(name) >= MIN_NAME_CHARS_TOLD]
    elif slot == "deadline":
        found = [d for d in (clause_deadline(c, today) for c in CLAUSE.split(message.text)) if d][:1]
    elif slot == "industry":
        # The request's own verb (匹配 in 帮我匹配个专家), taken by the classifier, is no industry.
        found = [v for v in found if not re.fullmatch(EXPERT_VERBS, v)]
        if not found:
            found = (
                [ANY_INDUSTRY] if ANY_SAID["industry"].search(message.text) else INDUSTRY_PHRASE.findall(message.text)
            )
    elif slot in ("ip_type", "dispute_type", "country"):
        # A message that is one value with a character wrong (律师涵 typed at the country
        # question) answers that value's field.
        typo = misspelt(slot, normalise(message.text).strip())
        found = [v for v in found if v in vocabulary().values(slot)] or ([typo] if typo else [])
        # A value typed in characters of its sound (类型是著做权), before what a shorter form
        # inside it names (标志 in 地里标志).
        gazetteer = vocabulary().gazetteer.get(slot, {})
        forms = [(value, form) for value, names in gazetteer.items() for form in [value, *names]]
        found = [*heard(forms, message.text), *found]
        if slot == "country" and EU in found and EU_MEMBERS & set(found):
            found.remove(EU)  # 欧盟那边，具体是荷兰: the member state is the place
        if slot == "country" and not found:
            found = [elsewhere] if (elsewhere := country_elsewhere(message.text)) else []
        if not found and slot in ANY_SAID and ANY_SAID[slot].search(message.text):
            found = [spec.open_value] if spec.open_value else []
    return list(dict.fromkeys(found))


def name_in_list(message: Message, anywhere: Dict[Text, List[Text]]) -> Optional[Text]:
    """In a list of answers given at the company question (铜川华瓷，电话13912345678), the one
    clause that gives no other value and is shaped as a name: the company's name."""
    given = [v for values in anywhere.values() for v in values]
    clauses = [c for c in CLAUSE.split(message.typed) if c]
    rest = [c for c in clauses if not any(ch.isdigit() for ch in c) and not any(v in c for v in given)]
    if rest and NOT_A_LISTED_NAME.search(rest[0]):
        return None  # 先记电话吧: a remark, not a name
    if len(clauses) < 2 or len(rest) != 1:
        return None
    return clean_company_name(rest[0])


def clause_deadline(clause: Text, today: date) -> Optional[Text]:
    """The deadline a clause with a deadline's words sets (下周五前答复, 没有期限), if any;
    a past date is asked about only when the deadline itself is asked."""
    if not DEADLINE_CUE.search(clause):
        return None
    deadline = parse_deadline(clause, today)
    if deadline is None:
        return None
    if deadline.none_given:
        return NO_DEADLINE
    assert deadline.day is not None
    return None if deadline.is_past(today) else deadline.day.isoformat()


def story_of(message: Message, min_chars: int = MIN_DESCRIPTION_CHARS) -> Optional[Text]:
    """The message as the account of what happened, when it tells one (as much as a
    description must) besides the values it names (a company, a phone, a country, the
    types, a deadline): a list of answers is no account."""
    text = message.text
    for start, end in message.spans:
        if vocabulary().is_form(text[start:end]):  # a value named, not a situation told
            text = text[:start] + " " * (end - start) + text[end:]
    clauses = CLAUSE.split(PHONE_CANDIDATE.sub(" ", text))
    told = [c for c in clauses if not (DEADLINE_CUE.search(c) and len(c) <= MAX_DEADLINE_CLAUSE_CHARS)]
    rest = REQUEST_WORDS.sub("", "，".join(told))
    for _, _, name in company_spans(rest):
        rest = rest.replace(name, "")
    rest = UNFAIR_WORDS.sub("", VALUE_LABELS.sub("", rest))
    return message.typed if meaningful_chars(rest) >= min_chars else None


def answer_when_asked(slot: Text, typed: Text, today: date) -> Answer:
    """The whole message read as the answer to the question about `slot`."""
    spec, text = FIELDS[slot], normalise(typed).strip()
    # 不限 (any country, any type) leaves the field open as 不确定 does.
    unsure = UNSURE.match(text) or any(sound_alike(word, text[: len(word)]) for word in UNSURE_SAID)
    if spec.open_value is not None and (unsure or ANY_VALUE.match(text)):
        return Answer(spec.open_value)
    if slot == "company_name":
        name = clean_company_name(text)
        return Answer(name) if name else Answer(miss=spec.invalid)
    if slot == "phone":
        phone = normalise_phone(text)
        return Answer(phone) if phone else Answer(miss=spec.invalid)
    if slot == "country" and OTHER.match(text):  # a country the list lacks
        return Answer(OTHER_COUNTRY)
    if slot == "country" and (elsewhere := country_elsewhere(text)):
        return Answer(elsewhere)
    if spec.closed:
        value = vocabulary().canonical(slot, text) or misspelt(slot, text, min_chars=MIN_GUESSED_WHEN_ASKED)
        return Answer(value) if value else Answer(miss=spec.invalid)
    if slot == "deadline":
        return deadline_answer(text, today)
    if slot == "description":
        return Answer(typed.strip()) if description_is_useful(text) else Answer(miss=spec.invalid)
    if slot == "industry":
        if ANY_VALUE.match(text) or UNSURE.match(text):
            return Answer(ANY_INDUSTRY)
        value = vocabulary().canonical("industry", text) or text
        return Answer(value) if 0 < len(value) <= MAX_INDUSTRY_CHARS else Answer(miss=spec.invalid)
    return Answer(miss=spec.invalid)


def country_elsewhere(text: Text) -> Optional[Text]:
    """The country the gazetteer lacks (葡萄牙) that a text names, by its standard name, when
    it names no country the gazetteer has."""
    return None if vocabulary().mentions(text, "country") else other_country(text)


def misspelt(slot: Text, text: Text, min_chars: int = MIN_GUESSED_CHARS) -> Optional[Text]:
    """The value a closed answer names with one character wrong (律师涵, 外观设记) or with
    characters of the same sound (外观涉及, 专立), when exactly one value is that close; forms
    shorter than `min_chars` are not guessed, and shorter than three characters only a
    value's own name with a character replaced."""
    close = {
        value
        for value, forms in vocabulary().gazetteer.get(slot, {}).items()
        for form in [value, *forms]
        if len(form) >= min_chars
        # A short form only as the value itself, a character replaced (越楠; 那边 is no 金边).
        and (len(form) >= MIN_GUESSED_CHARS or (form == value and len(text) == len(form)))
        and (one_edit_apart(form.lower(), text.lower()) or sound_alike(form, text))
    }
    return next(iter(close)) if len(close) == 1 else None


def one_edit_apart(a: Text, b: Text) -> bool:
    """Whether one character replaced, added or removed makes `a` into `b`."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def deadline_answer(text: Text, today: date) -> Answer:
    deadline = parse_deadline(text, today)
    if deadline is None:
        return Answer(miss=FIELDS["deadline"].invalid)
    if deadline.none_given:
        return Answer(NO_DEADLINE)
    assert deadline.day is not None
    if deadline.is_past(today):
        return Answer(past_deadline=deadline.day)
    return Answer(deadline.day.isoformat())


def closest_values(slot: Text, text: Text) -> List[Text]:
    """The canonical values of a closed field in the gazetteer's order, the ones sharing
    most characters with what was typed (in any of their forms) first."""
    typed = set(normalise(text))

    def overlap(value: Text) -> int:
        forms = [value, *vocabulary().gazetteer.get(slot, {}).get(value, [])]
        return max(len(typed & set(form)) for form in forms)

    return sorted(vocabulary().gazetteer.get(slot, {}), key=lambda v: -overlap(v))
