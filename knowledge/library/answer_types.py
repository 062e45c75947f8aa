"""What kind of fact a question asks for, and whether a passage states one.

A “how long” question is answered with a passage that has a duration, a “how much” question
with one that has an amount, a “who / which office” question with one that names a body.
The other kinds (yes/no, procedure, definition) constrain nothing: any passage on the topic
can answer them.
"""

from __future__ import annotations

import re
from typing import List, Optional, Text

from knowledge.core.text import tokenize

DURATION, AMOUNT, ORGANISATION = "duration", "amount", "organisation"
DATE, WEBSITE, WHEN, PHONE, PLACE = "date", "website", "when", "phone", "place"
YES_NO, PROCEDURE, DEFINITION = "yes_no", "procedure", "definition"
# The kinds a passage must state to answer the question; the Chinese says what was missing.
STRICT = {
    DURATION: "期限或时长",
    AMOUNT: "金额或费用",
    ORGANISATION: "负责的机构",
    DATE: "日期",
    WHEN: "时间或期限",
    WEBSITE: "网址",
    PHONE: "电话号码",
    PLACE: "所在地",
}

NUMBER = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万半]+)"
# In the order they are tried: a duration question often also says 吗 or 怎么.
ASKED = [
    (WEBSITE, re.compile(r"网址|官网|官方网站|网页地址")),
    (PHONE, re.compile(r"(电话|热线|号码)\S{0,2}多少|多少号|(电话|热线)号码|打哪个(电话|号)|(电话|热线)是(啥|什么)")),
    # “多少年，从哪天开始算” asks for a term and where it starts: a duration.
    (DURATION, re.compile(r"多久|多长时间|多长|几天|几年|几个月|几周|多少天|多少年|多少个月|多少周")),
    (
        DATE,
        re.compile(
            r"哪天|哪一天|哪年|哪一年|(什么时候|啥时候|何时|哪年)(开始|起)?(施行|实施|生效|发布|印发|出台|发的|颁布|加入|成为|改)|"
            r"(施行|生效|发布|印发)(日期|时间)"
        ),
    ),
    # “什么时候” is answered by a date (到2025年) or a period (送达后21天).
    (WHEN, re.compile(r"什么时候|啥时候|何时")),
    # Where a body sits or a fair is held (WIPO总部在哪个城市, 欧盟知识产权局在哪), not where a
    # difference lies (区别在哪), in which country something happened (在哪个国家被抢注的) or
    # where to file (在哪申请: a body).
    (
        PLACE,
        re.compile(
            r"(?<!区别)(?<!差别)(?<!不同)(?<!问题)(?<!关键)(?<!原因)(?<!好处)(?<!优势)(?<!难点)(?<!意义)"
            r"(在哪(里|儿|个城市)?[？?吗呢啊]*\s*$|在哪(办|开|举办|举行)|位于哪|在什么地方)|"
            r"(设|位|总部|坐落|办公|举办|举行)\S{0,2}在哪"
        ),
    ),
    (
        DURATION,
        re.compile(r"期限|时限|有效期|保护期|答辩期|异议期|优先权期|截止|过期|到期|时效|续展|期间多"),
    ),
    # Whether something bears the costs (“有保险能管维权的费用吗”, “有没有什么保险能覆盖打官司的
    # 费用”) asks yes or no, not an amount.
    (
        YES_NO,
        re.compile(
            r"(管|报销|承担|覆盖|分担|赔付|支付|出|补)\S{0,6}(费用|律师费|维权费|诉讼费)\S{0,4}(吗|不)|"
            r"(有没有|能不能|能否|是否|可不可以)\S{0,12}(管|报销|承担|覆盖|分担|赔付|支付|补)\S{0,8}(费用|律师费|维权费|诉讼费)"
        ),
    ),
    (
        AMOUNT,
        re.compile(
            r"多少钱|费用|收费|花费|花多少|要钱|收钱|付钱|花钱|价格|官费|多少费|金额|赔多少|罚多少|几倍|多少倍|补贴多少|资助多少"
        ),
    ),
    (
        ORGANISATION,
        re.compile(
            r"哪个(机构|部门|单位|法院|机关|组织|局|网站|平台)|哪家|哪些(机构|部门|单位)|什么(机构|部门|单位|法院|组织)|"
            r"谁(负责|管|审|受理|来|主管|办)|由谁|找谁|向谁|交给谁|交给哪|向哪|去哪|在哪(里)?(申请|提交|办理|注册|起诉|投诉|查)|主管部门|受理机构|"
            r"(局|机构|部门|组织|法院|机关)(的名字|全称)?叫(什么|啥)"
        ),
    ),
    (
        DEFINITION,
        re.compile(
            r"什么是|是什么|是个什么|是种什么|是一种什么|指什么|啥是|是啥|是个啥|是一个啥|啥意思|什么意思|含义|定义|管什么|管啥|(干|做)什么的|干嘛的|是干嘛"
        ),
    ),
    (
        YES_NO,
        re.compile(r"能不能|可不可以|可以不|是否|是不是|有没有|会不会|要不要|需不需要|用不用|吗[?？]?$|吗[，,。]"),
    ),
    (PROCEDURE, re.compile(r"怎么|如何|怎样|流程|步骤|程序|手续|办法")),
]

STATED = {
    # A number to dial: five digits or more, as written (12330, 0919-3185678).
    PHONE: re.compile(r"(?<![\d.])\d{3,4}-?\d{4,8}(?![\d.年月日])|(?<![\d.])\d{5}(?![\d.年月日])"),
    DATE: re.compile(r"\d{4}\s*年(\s*\d{1,2}\s*月)?|\d{4}-\d{1,2}-\d{1,2}|\b(19|20)\d{2}\b"),
    PLACE: re.compile(r"所在地|设在|总部|位于|坐落|举办地|办公地点|办事处|设有"),
    WEBSITE: re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(gov|com|org|net|int|eu|cn)\b", re.I),
    # Not a date's parts: 2019年, 8月 and 3日 in “2019年8月3日”.
    DURATION: re.compile(
        r"(?<![\d.年月])(?!(?:19|20)\d\d\s*年)" + NUMBER + r"\s*(?:个)?\s*(?:年|个?月|天|日|周|星期|工作日|小时)|"
        r"\d+\s*(?:days?|months?|years?|weeks?)",
        re.I,
    ),
    AMOUNT: re.compile(
        NUMBER + r"\s*(?:元|美元|欧元|英镑|日元|卢布|万|%|％|倍)|免费|不收费|无偿|公益|费用(?:由|因|视|差异|各)|"
        r"(?:US)?\$\s*\d|€\s*\d|CHF\s*\d",
        re.I,
    ),
    ORGANISATION: re.compile(
        r"[\u4e00-\u9fff]{1,12}(?:局|署|厅|院|部|委员会|中心|办公室|组织|协会|商会|联合会|法庭|海关|工作站|接待站|服务站|仲裁|平台)|"
        r"\b(?:[A-Z]{2,8}|WIPO|Office|Court|Commission)\b"
    ),
}

# “什么时候” is also answered by a month or a season (每年4月, 春、秋两届).
SEASON = re.compile(r"(?<![\d.])\d{1,2}\s*月(?![\d日])|[一二三四五六七八九十]{1,2}月(?!\d)|[春夏秋冬]季|春、秋|春秋两")

# Words that end like a body's name but are none (布局, 全部, 签署, 中心打击).
NOT_BODIES = re.compile(r"布局|格局|结局|出局|局面|局限|全部|内部|外部|局部|部分|部署|签署|中心打击|重心|平台上")

# The shape of a question, whatever it asks: a question mark, a question particle or word.
QUESTION = re.compile(
    r"[?？]|吗|么|呢[。！!]?$|如何|怎样|咋|哪|是否|能否|可否|多久|多长|多少|几[倍个天年月周次家种项条类]|"
    r"有没有|要不要|能不能|可以不|谁|啥|行不行|好不好|对不对|算不算|(有用|管用|行|了)没[？?。]?$"
)


def is_question(text: Text) -> bool:
    """Whether a message is shaped as a question, or asks for a kind of fact (“答辩期限”)."""
    return bool(QUESTION.search(text)) or asked(text) is not None


def asked(question: Text) -> Optional[Text]:
    """The kind of fact the question asks for, or None when it says nothing about one. Only
    its clauses shaped as questions count, when it has any: in “款被冻了，老板说金额不大，不应诉
    会有什么后果？” the 金额 is the story, not what is asked."""
    clauses = [c for c in re.split(r"[，,。；;！!？?\n]", question) if c.strip()]
    asking = "，".join(c for c in clauses if QUESTION.search(c)) or question
    return next((kind for kind, pattern in ASKED if pattern.search(asking)), None)


# Question words that only say what kind of fact is wanted (多久, 多少钱, 哪个机构), unlike
# 有效期 or 费用, which also say what the question is about.
ASKING_ONLY = re.compile(
    r"管什么|管啥|(?:干|做)什么的|干嘛的|是干嘛|多久|多长时间|多长|几天|几年|几个月|几周|多少天|多少年|多少个月|多少周|什么时候|啥时候|何时|哪天|"
    r"多少钱|花多少|多少|几倍|哪个|哪家|哪些|什么|谁|哪里|哪儿|去哪|向哪|是否|能不能|可不可以|有没有|会不会|要不要|"
    r"怎么|如何|怎样|是不是|吗|干啥|做啥|干嘛|管的|谁管|"
    # What a website or phone question asks for, not what about (WIPO官网网址是啥).
    r"官方网站|官网|网址|网页地址|电话号码|电话|号码|"
    # A-not-A: 大不大, 贵不贵, 难不难.
    r"([\u4e00-\u9fff])不\1"
)


def asking_words(question: Text) -> List[Text]:
    """The parts of a question that only say what kind of fact it wants: they tell how to
    answer, not what about."""
    return [m.group(0) for m in ASKING_ONLY.finditer(question)]


# Where a question says what it asks about: the word before “多久 / 是几个月 / 叫啥” (有效期多久,
# 国际优先权是几个月, 那个程序叫啥), or after “哪个 / 什么” (哪个法院, 什么机构).
FOCUS_BEFORE = re.compile(
    r"(?:是|有|要|大概|一般|大约)?(?:多久|多长时间|多长|几个月|几年|几天|多少天|多少年|多少个月|叫啥|叫什么|是啥|是什么|是多少)"
)
FOCUS_AFTER = re.compile(r"哪个|哪家|哪一个|哪一种|哪种|什么")
# Words that fill the place of the focus without saying what is asked about.
NO_FOCUS = frozenset(
    "时间 东西 情况 办法 意思 名字 一般 大概 的 了 呢 这个 那个 它 还 要 会 能 网址 官网 网站 电话 号码".split()
)


def focus(question: Text) -> Optional[Text]:
    """The word the question asks about, beside the kind of fact: “有效期” in “国内注册商标
    有效期多久”, “法院” in “一般在美国哪个法院”. None when it names none."""
    before = FOCUS_BEFORE.search(question)
    if before is not None:
        words = [w for w in tokenize(question[: before.start()]) if len(w) >= 2 and w not in NO_FOCUS]
        if words:
            return words[-1]
    after = FOCUS_AFTER.search(question)
    if after is not None:
        words = [w for w in tokenize(question[after.end() :]) if w.strip()]
        if words and len(words[0]) >= 2 and words[0] not in NO_FOCUS:
            return words[0]
    return None


def states(kind: Optional[Text], passage: Text) -> bool:
    """Whether the passage states a fact of that kind (always, for the kinds that are not strict)."""
    if kind == WHEN:
        return states(DATE, passage) or states(DURATION, passage) or SEASON.search(passage) is not None
    pattern = STATED.get(kind or "")
    if kind == ORGANISATION:
        passage = NOT_BODIES.sub(" ", passage)
    return pattern is None or bool(pattern.search(passage))
