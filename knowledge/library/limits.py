"""Questions no knowledge base can answer honestly, whatever its content.

The content policy rules them out: the assistant holds no one's private data, predicts no
outcome, guarantees nothing, ranks no firm and has no live data. Such a question gets a
plain “I don't know, and why” and a way to a person, never the nearest item.
"""

from __future__ import annotations

import re
from typing import Optional, Text

PREDICTION, GUARANTEE, RANKING, PRIVATE, LIVE_DATA = "prediction", "guarantee", "ranking", "private", "live_data"

# Why the assistant cannot answer, told to the user after “知识库里暂时没有…”.
REASONS = {
    PREDICTION: "案件或申请的结果取决于证据、对方和审理机关，我无法预测结果或胜算",
    GUARANTEE: "任何程序的结果都不能事先保证，我无法保证结果",
    RANKING: "本服务不对律师事务所、代理机构或个人作排名或推荐",
    PRIVATE: "我不能提供其他企业的案件情况，也不能提供个人的联系方式",
    LIVE_DATA: "我没有实时数据（汇率、今天的收费或进展等），无法提供",
}

PATTERNS = [
    (
        PREDICTION,
        re.compile(
            r"能(不能)?(打)?赢|会不会(赢|输|败诉|胜诉|被判)|能胜诉|会(赢|输)吗|胜诉(率|的?(概率|可能|把握))|"
            r"(赢|胜|输)的?(概率|几率|可能性|把握)|多大(的)?(把握|胜算|可能)|胜算|会判(多少|几|赔)|"
            r"(大概|估计|预计|预测).{0,8}(判|赔|结果|多久能|能不能)|结果会(怎样|如何|是什么)|"
            r"(能不能|会不会|能否)(批|通过|拿到|获批|被批准|成功)|能(成功|通过|胜诉|获批|批下来|拿到)吗|(审批|评审)结果"
        ),
    ),
    (
        GUARANTEE,
        re.compile(r"保证.{0,6}(能|会|不会|赢|通过|成功|拿到)|(能|可以)(保证|担保)|百分之百|100%|包(赢|过|通过)|稳赢"),
    ),
    (
        RANKING,
        re.compile(
            r"(哪家|哪个|哪位|推荐|介绍).{0,8}(律所|律师事务所|律师|代理机构|事务所|代理公司)|"
            r"(律所|律师事务所|律师|代理机构|事务所).{0,8}(排名|最好|最强|哪家好|哪个好|靠谱|推荐一)|排名|排行"
        ),
    ),
    (
        PRIVATE,
        re.compile(
            r"(别的|别家|其他|其它|另一家|那家|他们|竞争对手|同行|隔壁)(的)?(企业|公司|厂)?.{0,6}(案子|案件|官司|纠纷|进展|登记|赔了|判了|情况)|"
            r"(律师|专家|先生|女士|老师|经理|主任|局长|处长|科长|书记)的?(私人|个人)?(手机|手机号|电话|微信|联系方式|住址)"
        ),
    ),
    (LIVE_DATA, re.compile(r"汇率|今天的?(价格|收费|费用|进展)|实时|股价")),
]


# A named company's case (“华陶公司的案子”), unless it is the user's own (我们公司, 本公司).
NAMED_COMPANY_CASE = re.compile(r"([\u4e00-\u9fff]{2,10})(公司|企业|厂|集团)的?(案子|案件|官司|纠纷|进展|赔偿|判决)")
OWN = re.compile(r"^(我们|我司|本|咱们|我)")


def beyond_reach(question: Text) -> Optional[Text]:
    """Why no knowledge base can answer `question` (a key of REASONS), or None."""
    found = next((reason for reason, pattern in PATTERNS if pattern.search(question)), None)
    if found is None:
        named = NAMED_COMPANY_CASE.search(question)
        if named and not OWN.search(named[1]):
            found = PRIVATE
    return found
