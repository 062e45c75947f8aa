"""Reading a pasted document: what kind it is, what it is about, and the deadlines it sets.

Enterprises paste lawyers' letters, court papers, customs and platform notices because they
do not know what they are. The whole text is read (not only what the classifier sees): its
kind from the words such documents use, the country, IP type and dispute type it names, the
dates and periods it sets, the e-mail addresses it gives for replies, who complains under which
right and for how much, and the user's own question when one follows the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Text, Tuple

from knowledge.core.vocabulary import vocabulary

# Document kinds by the dispute type they start, with the words that betray them and their
# weights; the kind with the highest total wins, ties in this order (the graver first).
KINDS: List[Tuple[Text, Text, List[Tuple[Text, int]]]] = [
    (
        "337调查",
        "美国337调查的通知或申诉书",
        [(r"Section 337|337-TA|International Trade Commission|337调查|337条款", 3), (r"\bITC\b", 2)],
    ),
    (
        "临时禁令",
        "法院临时限制令（TRO）、禁令或资产冻结通知",
        [
            (r"temporary restraining order|\bTRO\b|preliminary injunction|einstweilige Verf[üu]gung|Schedule A", 3),
            (r"asset (freeze|restraint)|frozen|冻结|禁令|injunction|Beschluss", 2),
        ],
    ),
    (
        "海关扣押",
        "海关扣留（扣押）通知",
        [(r"customs|\bCBP\b|608/2013|海关|Zoll", 3), (r"detain|detention|seiz|扣留|扣押|扣货", 2)],
    ),
    (
        "侵权诉讼",
        "法院起诉文件（起诉状或传票，complaint/summons）",
        [
            (r"summons|complaint for|civil action|起诉状|传票|Klageschrift|\bKlage\b", 3),
            (r"district court|plaintiff|defendant|原告|被告|法院|Case No\.?|案号", 1),
        ],
    ),
    (
        "电商平台投诉",
        "电商平台的侵权投诉或下架通知",
        [
            (r"Amazon|亚马逊|AliExpress|速卖通|eBay|Temu|Shopee|Walmart|Seller Central|平台规则|电商平台|卖家平台", 2),
            (r"listing|takedown|removed|下架|account (health|suspension)|店铺|链接", 2),
        ],
    ),
    (
        "警告函",
        "律师函或侵权警告函（cease and desist / Abmahnung）",
        [
            (r"cease and desist|warning letter|Abmahnung|Unterlassungserkl[äa]rung|律师函|警告函|侵权通知", 3),
            # Written by a law firm for its client: a letter, even when it names a platform.
            (r"we represent|on behalf of our client|\bLLP\b|law firm|attorneys at law|Rechtsanw[äa]lt|律师事务所", 2),
            (r"infring|侵权|demand|verlangen|停止(使用|销售|生产)", 1),
        ],
    ),
    ("展会纠纷", "展会上的侵权投诉", [(r"trade fair|exhibition|Messe|booth|stand no|展会|展位|参展", 2)]),
    (
        "商标抢注",
        "商标异议、无效或抢注相关的通知",
        [
            (r"notice of opposition|opposition proceeding|Widerspruch|商标异议|异议申请|无效宣告|抢注", 3),
            (r"bad faith|恶意|trade ?mark application|商标申请|EUIPO|USPTO|TTAB", 1),
        ],
    ),
]
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
MONATE = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
DEADLINES = re.compile(
    rf"\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日(?:前|之前|以前)?|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"(?:{MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{MONTHS})\s+\d{{4}}|"
    rf"\d{{1,2}}\.\s*(?:{MONATE})\s+\d{{4}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|"
    r"within\s+[\w-]+\s+(?:\(\d+\)\s+)?(?:calendar\s+|business\s+|working\s+)?days|"
    r"(?:not later than|no later than)\s+\d+\s+(?:calendar\s+|business\s+|working\s+)?days\s+after|"
    r"(?:\d+|[一二两三四五六七八九十]+)\s*(?:个)?(?:工作日|日|天)(?:内|以内|之内)|innerhalb\s+(?:von\s+)?\w+\s+(?:Tagen|Wochen)|binnen\s+\w+\s+(?:Tagen|Wochen)",
    re.I,
)
# Words near a date that make it a deadline rather than the letter's own date.
DEADLINE_CUES = re.compile(
    r"before|\bby\b(?! order)|no later than|deadline|within|until|respond|reply|answer|hearing|set for|scheduled|"
    r"bis|spätestens|frist|"
    r"前|之前|以前|截止|期限|以内|之内|届满|答复|回复|答辩|听证|开庭|不晚于|最迟",
    re.I,
)
MIN_KIND_SCORE = 3
# A document's head (its first lines) names what it is (律 师 函, NOTICE OF INSTITUTION OF INVESTIGATION,
# Hauptzollamt Hamburg): a kind's own name there counts twice (a platform the user's first line
# names does not).
HEAD_LINES, HEAD_CHARS = 3, 200
# Letters spaced out in a title (律 师 函) are read together.
SPACED = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
# What a document names that its reader is asked about: who complains, under which right,
# for how much. Each is quoted as written, the first ones found.
FACTS: List[Tuple[Text, re.Pattern]] = [
    (
        "权利人",
        re.compile(
            r"(?:rights? owner(?: name)?|complainant|right holder|Rechteinhaber(?:in)?|权利人|投诉人)\s*[:：]\s*"
            r"([^\n,;，；]{2,60})"
            r"|(?:on behalf of|we represent) (?:our client,? )?([A-Z][\w&.'-]*(?: [A-Z&][\w&.'-]*){0,5},? "
            r"(?:Inc|LLC|Ltd|GmbH|Co|Corp|Corporation|S\.r\.l|AG|SA|S\.A|B\.V|Limited)\.?)"
            r"|受([^\n，。（(]{4,40})(?:[（(]以下简称[“\"]?委托人[”\"]?[）)])?委托"
            r"|\n([A-Z][A-Z0-9&.,' -]{2,60}),?\s*\n\s*Plaintiffs?\b",
            re.I,
        ),
    ),
    (
        "权利号",
        re.compile(
            r"(?:Patent\s*(?:No\.?|number)|Registration\s*(?:No\.?|number)|Reg\.\s*No\.?|EUTM\s*No\.?|"
            r"Design\s*(?:No\.?|number)|专利号|注册号|申请号)\s*[:：]?\s*([A-Z]{0,3}\s?\d[\d,. ]{4,14}\d)"
            r"|((?:意匠|商[标標]|特[许許])登[録录記记]第\s*\d{5,10}\s*号)",
            re.I,
        ),
    ),
    (
        "要求赔偿",
        re.compile(
            r"(?:赔偿|damages|compensation|Schadensersatz|pay)\S{0,16}?\s*"
            r"((?:USD|US\$|\$|EUR|€|GBP|£|日元|美元|欧元|英镑|人民币)\s*[\d,]+(?:\.\d+)?\s*(?:元|万元?)?|"
            r"[\d,]+(?:\.\d+)?\s*(?:万)?(?:美元|欧元|日元|英镑|元))",
            re.I,
        ),
    ),
]
MAX_FACT_VALUES = 2
# Addresses a document gives for replies (the rights owner's, the law firm's).
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MAX_EMAILS = 2
QUESTION = re.compile(r"[?？]|怎么办|怎么|如何|咋|吗|要不要|该不该|能不能|是什么|啥|是谁|多少|几天|哪")
MAX_QUESTION_CHARS = 120
MAX_DEADLINES = 3


@dataclass(frozen=True)
class Reading:
    """What a pasted document is: its kind (a dispute type and how to call it), the values
    it names, the deadlines it sets as written, and the user's own question, if any."""

    dispute_type: Optional[Text]
    kind_label: Text
    entities: Dict[Text, Text] = field(default_factory=dict)
    deadlines: Tuple[Text, ...] = ()
    question: Text = ""
    emails: Tuple[Text, ...] = ()
    facts: Tuple[Tuple[Text, Text], ...] = ()


def _kind(text: Text) -> Tuple[Optional[Text], Text]:
    """The document's dispute type and label; a second kind it also clearly is (a summons
    served with a TRO) is named in the label too."""
    head = "\n".join([line for line in text.splitlines() if line.strip()][:HEAD_LINES])[:HEAD_CHARS]

    def total(cues: List[Tuple[Text, int]]) -> int:
        return sum(
            weight * (2 if weight >= MIN_KIND_SCORE and re.search(pattern, head, re.I) else 1)
            for pattern, weight in cues
            if re.search(pattern, text, re.I)
        )

    scores = sorted(
        ((total(cues), -order, value, label) for order, (value, label, cues) in enumerate(KINDS)),
        reverse=True,
    )
    (score, _, value, label), (second, _, _, other) = scores[0], scores[1]
    if score < MIN_KIND_SCORE:
        return None, "文件"
    return value, f"{label}，同时也是{other}" if second >= MIN_KIND_SCORE else label


MONTH_NUMBERS = {name.lower(): n for names in (MONTHS, MONATE) for n, name in enumerate(names.split("|"), start=1)}
WRITTEN_DATES = [
    (re.compile(rf"({MONTHS})\s+(\d{{1,2}}),?\s+(\d{{4}})", re.I), (3, 1, 2)),
    (re.compile(rf"(\d{{1,2}})\.?\s+({MONTHS}|{MONATE})\s+(\d{{4}})", re.I), (3, 2, 1)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), (3, 2, 1)),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), (1, 2, 3)),
]


PERIOD_DAYS = re.compile(r"(\d+)\)?\s+(business\s+|working\s+)?(days|Tagen)", re.I)


def in_chinese(phrase: Text) -> Text:
    """A date or period written in English, German or ISO form, with its Chinese reading after
    it (2025年4月30日, 21天内); a Chinese one as it is."""
    for pattern, (year, month, day) in WRITTEN_DATES:
        match = pattern.fullmatch(phrase)
        if match:
            raw_month = match[month]
            number = int(raw_month) if raw_month.isdigit() else MONTH_NUMBERS[raw_month.lower()]
            return f"{phrase}（{int(match[year])}年{number}月{int(match[day])}日）"
    period = PERIOD_DAYS.search(phrase) if phrase.isascii() or "Tagen" in phrase else None
    if period and period[1]:
        return f"{phrase}（{period[1]}{'个工作日' if period[2] else '天'}内）"
    return phrase


def _deadlines(text: Text) -> Tuple[Text, ...]:
    found: List[Text] = []
    for match in DEADLINES.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        phrase = re.sub(r"\s+", " ", match.group()).strip()
        is_period = not re.search(r"\d{4}", phrase)
        if (is_period or DEADLINE_CUES.search(before) or DEADLINE_CUES.search(phrase)) and phrase not in found:
            found.append(phrase)
    return tuple(in_chinese(phrase) for phrase in found[:MAX_DEADLINES])


def _question(text: Text) -> Text:
    """The user's own words after the document: its last line, when short and asking."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= MAX_QUESTION_CHARS and QUESTION.search(last) and len(lines) > 1 else ""


def _facts(text: Text) -> Tuple[Tuple[Text, Text], ...]:
    """Who complains, the rights numbers and the damages asked, as the document writes them."""
    found = []
    for name, pattern in FACTS:
        values: List[Text] = []
        for match in pattern.finditer(text):
            value = re.sub(r"\s+", " ", next(g for g in match.groups() if g)).strip(" ,.")
            if value not in values:
                values.append(value)
        if values:
            found.append((name, "、".join(values[:MAX_FACT_VALUES])))
    return tuple(found)


def read(text: Text) -> Reading:
    """Reads a pasted document of any length."""
    question = _question(text)
    text = SPACED.sub("", text)
    dispute_type, label = _kind(text)
    words = vocabulary()
    entities = {}
    for entity in ("country", "ip_type"):
        named = words.mentions(text, entity)
        if named:
            entities[entity] = named[0]
    if dispute_type is None:
        named = words.mentions(text, "dispute_type")
        dispute_type = named[0] if named else None
    if dispute_type is not None:
        entities["dispute_type"] = dispute_type
    emails = tuple(dict.fromkeys(EMAIL.findall(text)))[:MAX_EMAILS]
    return Reading(dispute_type, label, entities, _deadlines(text), question, emails, _facts(text))
