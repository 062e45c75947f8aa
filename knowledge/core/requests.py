"""What a message asks for in so many words: to register a dispute (or, telling one's own
dispute and nothing else, to have it taken up), to report unfair treatment, a report's status
by its id. Read by rule (the words are plain), by the NLU
(bot/nlu/service_requests.py) and by the service triage (actions/services.py)."""

from __future__ import annotations

import re
from typing import Optional, Text

from knowledge.core.situations import situations

REPORT, UNFAIR, EXPERT = "report_dispute", "report_unfair_treatment", "request_expert"
# Asking for one of the pool's experts (not a firm: 推荐律所 is no request for the service).
# An expert met before (之前对接的那个专家) is spoken of, not asked for.
EXPERT_VERBS = "推荐|介绍|找|安排|对接|匹配"
EXPERT_WORDS = re.compile(rf"(?<!之前|以前|上次|已经|曾经|原来)({EXPERT_VERBS})(一?个|一位|几个|几位)?\S{{0,6}}专家")
# A question about the service itself (its cost, whether it exists, how it works).
ABOUT_THE_SERVICE = re.compile(r"收费|费用|多少钱|免费|要钱|有没有|怎么|如何|流程|条件|需要什么|是谁")
# A report id, whole or not (HW-20261124-ABCD, HW-2026-1): the message asks for a status.
STATUS, REPORT_ID = "check_report_status", re.compile(r"(?<![A-Za-z])HW[-_ ]?\d", re.I)
REGISTER = re.compile(
    # 备案 only as a request in itself (备案一下): “能不能备案专利” asks about customs recordal.
    r"(帮|给|替|请|麻烦|想|要|需要|能|可以|申请)\S{0,4}(登记|立案|报案|上报|建档|报上去|报个案|报一下|反映|登一下|登下)"
    r"|(登记|立案|报案|备案|反映)(一下|下|吧|上)|(登记|上报|报)(一[个起件])?(纠纷|案子|案件)"
    # Another one (再登记一个, 还要登记一起).
    r"|(再|重新|另外|还要|还想|又要)\S{0,2}(登记|报)|登记(一个|一起|一件)"
)
# Asking for help in a clause of its own beside a story told (…反过来投诉我们，想请你们帮忙;
# …能帮我们处理一下吗; 麻烦你们跟进一下; 想申请维权援助): the story is the dispute, the help
# asked for is to take it up. Not a question of what to do (…请帮忙看看怎么办).
HELP_CLAUSE = re.compile(
    r"(你们|您)?(想请|请|需要|希望|求|能|可以|能不能|可不可以|麻烦|想)?(让|叫|找)?(人|你们|您|贵单位)?"
    r"((帮忙|帮帮忙|帮帮|协助|帮助|帮我们|帮我|帮)(我们|我)?(处理|解决|办|跟进|介入|协调|对接)?|(处理|跟进|介入|协调|管|出面)|"
    r"(申请)?(维权)?援助|求助)(一下|下)?(吗|么|嘛|不|吧)?"
)
CLAUSES = re.compile(r"[，,。！!？?；;\s]+")
MIN_STORY_CHARS = 20
ASKING = re.compile(r"怎么|如何|咋|看看")
# A story of a dispute that has happened: help asked beside it (…怎么办？帮帮我们) is for it.
DISPUTE_TOLD = re.compile(r"被|告了|告我|扣|投诉|冻结|下架|律师函|警告函|传票|抢注|起诉|侵犯|(?<!不)侵权")
# A dispute of one's own told with neither a question nor a request (收到法院传票了，说我们专利
# 侵权; …我们店铺的钱全被冻了，急！！): told to this desk, it is told to be taken up.
OWN = re.compile(r"我们|我司|我方|咱|我(?!国)|收到|本公司")
# Anything that may ask: wider than answer_types.is_question on purpose (咋整, 干嘛, 可以提IPR吧,
# 同不同意, 收到没), since a story that asks anything at all is a question, not a request.
ASKED = re.compile(
    r"[？?]|[吗呢么嘛吧啊呀没不]\s*[。！!～~]*\s*$|[吗呢](?=\s*[，,；;])|怎|如何|咋|干嘛|什么|啥|哪|谁|多久|多长|多少|"
    r"几[天个年月周次家]|多大|(\S)不\1|可不可以|是否|能否|可否|有没有|看看|查一下|查查|建议|请教|咨询|了解"
)
# A story of someone else's dispute, one that may come, or one in the past tense of a lesson.
NOT_OURS_NOW = re.compile(
    # 别人的外观设计 (the other side's right) is the user's own dispute.
    r"如果|万一|假如|要是|假设|担心|怕|防止|避免|预防|可能|以后|将来|打算|准备|计划|听说|别的|其他|同行|"
    r"别人(?!的(外观|商标|专利|设计|版权|著作权|权利|品牌|知识产权))|"
    r"有的企业|有企业|很多企业|案例|以前|之前|曾经"
)
# What makes the request one about unfair treatment rather than a dispute.
UNFAIR_WORDS = re.compile(r"不公平|不公正|区别对待|差别对待|歧视|刁难|双重标准|不平等|针对我们")
NOT_A_REQUEST = re.compile(
    r"(不用|不要|不想|不需要|别|无需|不必|先不|暂时不|没有?)\S{0,3}(登记|立案|报)"
    r"|进度|进展|到哪|哪一步|结果|编号|查询|查一下|状态|有没有(地方|人|机构|部门|渠道)|(哪里|哪儿|在哪)(能|可以)"
    r"|保证|能不能解决|有没有用|有用吗|管用吗"
    r"|(怎么|如何|在哪|哪里|去哪|流程|要什么|什么材料|收费|多少钱|多久|条件)\S{0,6}(登记|立案)"
    r"|(登记|立案)\S{0,6}(怎么|如何|流程|需要什么|要什么|材料|收费|要钱|免费|多久|条件|有什么用)"
)


# Asking how a report made here is getting on, in words (查一下刚登记的状态).
STATUS_WORDS = re.compile(
    r"(登记|反映)的?\S{0,6}(状态|进度|进展|到哪一步|到哪了|怎么样了|有结果)"
    r"|(查|问)(一下|下)?\S{0,6}(登记|反映)\S{0,4}(状态|进度|进展|结果)"
)


def story_alone(text: Text) -> bool:
    """A dispute of one's own, happening now, told with no question and no request (帮我登记
    一下 asks for the form itself). One that asks what to do (…怎么办) asks for guidance
    (ask_dispute_guidance): it is answered, with 登记纠纷 offered."""
    return (
        REGISTER.search(text) is None
        and (DISPUTE_TOLD.search(text) is not None or situations().value("dispute_type", text) is not None)
        and OWN.search(text) is not None
        and ASKED.search(text) is None
        and NOT_OURS_NOW.search(text) is None
    )


def requested_report(text: Text) -> Optional[Text]:
    """What the message asks for in so many words: a report's status (by its id or in
    words), an expert, or to
    make a report (a dispute or unfair treatment); None when it asks for none of them."""
    if REPORT_ID.search(text) or STATUS_WORDS.search(text):
        return STATUS
    if EXPERT_WORDS.search(text) and not NOT_A_REQUEST.search(text) and not ABOUT_THE_SERVICE.search(text):
        return EXPERT
    clauses = [c for c in CLAUSES.split(text) if c]
    helped = len(text) >= MIN_STORY_CHARS and any(HELP_CLAUSE.fullmatch(c) for c in clauses)
    told = (helped and (DISPUTE_TOLD.search(text) is not None or not ASKING.search(text))) or story_alone(text)
    if not (REGISTER.search(text) or told) or NOT_A_REQUEST.search(text):
        return None
    if UNFAIR_WORDS.search(text):
        return UNFAIR
    return REPORT if not re.search(r"反映", text) else None
