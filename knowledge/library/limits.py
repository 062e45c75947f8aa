"""Questions no knowledge base can answer honestly, whatever its content.

The content policy rules them out: the assistant holds no one's private data, predicts no
outcome, guarantees nothing, ranks no firm and has no live data. Such a question gets a
plain “I don't know, and why” and a way to a person, never the nearest item.

Two halves: rules by family (`PATTERNS`), which name the reason, and a small classifier
(character n-grams, logistic regression) learned from `unanswerable.yml`, which catches what
the rules do not phrase, with a general reason. The classifier judges questions only (not a
greeting, nor a request that starts a form, nor a look-up of a registration here).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Text, Tuple

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from knowledge.library import answer_types

PREDICTION, GUARANTEE, RANKING, PRIVATE, LIVE_DATA, INTERNAL, ELSEWHERE, SPECIFIC = (
    "prediction",
    "guarantee",
    "ranking",
    "private",
    "live_data",
    "internal",
    "elsewhere",
    "specific",
)
EXAMPLES_PATH = Path(__file__).parent / "unanswerable.yml"
# The classifier's probability above which a question is taken as unanswerable: the highest
# recall with at most 1% of the answerable examples refused in 5-fold cross-validation
# (`make bench-knowledge` prints the figures).
LEARNED_THRESHOLD = 0.65
# What the classifier reads of a question (the examples are shorter).
LEARNED_CHARS = 200

# Why the assistant cannot answer, told to the user after “知识库里暂时没有…”.
REASONS = {
    PREDICTION: "案件或申请的结果取决于证据、对方和审理机关，我无法预测结果或胜算",
    GUARANTEE: "任何程序的结果都不能事先保证，我无法保证结果",
    RANKING: "本服务不对律师事务所、代理机构或个人作排名或推荐",
    PRIVATE: "我不能提供其他企业的案件情况，也不能提供个人的联系方式",
    LIVE_DATA: "我没有实时数据（汇率、今天的收费或进展等），也不能替您查询官方数据库或他人的记录",
    INTERNAL: "主管部门的内部决定、审批和评审情况不在知识库中，我无法提供",
    ELSEWHERE: "我查不到您在其他机构办理事项的进展（审查、诉讼、资助审批等）；在本服务登记的事项可凭登记编号查询",
    SPECIFIC: "这个问题涉及具体企业、个人或案件的情况，或结果预测、实时信息，知识库里没有，我无法回答",
}

PERSON = r"[\u4e00-\u9fff]{1,3}(先生|女士|律师|老师|教授|讲师|经理|主任|局长|处长|科长|书记|专家|总)"
# Someone outside the conversation, asked about by role: the other side, a lawyer, a speaker.
SOMEONE = r"(原告|被告|对方|律师(?!费)|代理人|讲师|抢注\S{0,6}(人|者|方)|那个人)"
# A time that makes a question about the future or about today's events.
# 以后 after an event (终裁出来以后, 答复完以后) tells a sequence in a procedure, not the future.
FUTURE = (
    r"(明年|后年|下个?月|下周|下半年|下一?届|下一?次|下回|"
    r"今后|将来|未来|(?<![了来完后到下出])以后|接下来|年底前|最后|最终|到时候)"
)
TODAY = r"(今天|昨天|前天|本周|这周|上周|这两天|刚才|刚刚|此刻)"
PATTERNS = [
    (
        PREDICTION,
        re.compile(
            r"能(不能)?(打)?赢|赢面|胜诉(率|的?(概率|可能|把握))|能胜诉|胜算|多大(的)?(把握|胜算|可能|概率)|"
            r"(赢|胜|输|成功|通过)的?(概率|几率|可能性|把握)|会不会(赢|输|败诉|胜诉|被判|被罚|成功|通过|获批|被驳回)|"
            r"会(赢|输)吗|会判(多少|几|赔)|(要|会|得)赔(多少|几)|(大概|估计|预计|预测).{0,8}(判|赔|罚|结果|能不能|多久能)|"
            r"结果会(怎样|如何|是什么)|前景(如何|怎样|怎么样)|值不值得(打|应诉|起诉)|"
            r"(能不能|会不会|能否)(批|通过(?=审查|审核|吗|$|[？?，,])|拿到|获批|被批准|成功|追回|拿回)|能(成功|通过|胜诉|获批|批下来|拿到|追回|拿回)吗|"
            r"对方会不会|会不会(起诉|告)我们|"
            + FUTURE
            + r"\S{0,12}(会不会|会被|会出|能不能|能否|是否会)|"
            + r"(原告|被告|对方|法院|法官|审查员|平台|海关|他们|他)\S{0,8}会不会|会不会\S{0,8}(再告|告我|起诉我)|"
            r"(?<!最高|最多|最低|法定)(能|会|要)(被)?(赔|判|罚|划走|扣|拿回|追回)(我们|给我们)?(多少|几)|"
            r"(我们|我司|我方|咱们)\S{0,12}(什么时候|多久|哪天)(才)?(能|会|可以)?(判|结案|出结果|放行|解冻|到账|批|下来|拿回)|"
            r"(你|您)(觉得|认为|看)\S{0,16}(该不该|要不要|值不值|能不能|会不会|会.{0,8}吗)|"
            r"(能|会)(授权|获批|注册成功|注册下来|批下来|谈成|谈妥|成)吗|谈得成|"
            r"(这场|这个|我们的|我们这个)(官司|案子|案件)\S{0,16}(多少|几)|能控制在|"
            # One shipment's or one matter's fate (“我们这批货运到韩国会不会被查”).
            r"(我们|我司|咱们)(这|那)(批|个|次|单)\S{0,16}(会不会|能不能|会被)|"
            # Odds, a verdict's leaning, a price to come.
            r"概率(有)?多(大|少|高)|给个百分比|几成(把握|胜算|可能)|判(输|赢)|(会|将)(涨|降|上调|下调)(到|成|多少|吗)|"
            r"会不会(涨|降|上调|下调|提高|降低)|(会|将|能)(怎么|咋|如何)判"
        ),
    ),
    (
        GUARANTEE,
        re.compile(
            r"保证.{0,6}(能|会|不会|赢|通过|成功|拿到|解决)|(能|可以|敢)(保证|担保|打包票)|百分之百|100%|"
            r"包(赢|过|通过|成功|解决)|稳赢|(保证|一定|肯定|确保)\S{0,12}(打赢|赢|胜诉|成功|通过|拿到|解决|解冻)|"
            r"准话|(能|可以|敢)承诺|一分钱都不用|出个?\S{0,4}保证|绝对(不|没|能|会)"
        ),
    ),
    (
        RANKING,
        re.compile(
            r"(哪家|哪个|哪位|推荐|介绍).{0,8}(律所|律师事务所|律师|代理机构|事务所|代理公司|代理人)|"
            r"(律所|律师事务所|律师|代理机构|事务所|代理公司).{0,8}(排名|最好|最强|哪家好|哪个好|靠谱|推荐一|口碑|便宜)|"
            r"最(好|强|厉害|牛|靠谱|专业|有名)的(律师|律所|事务所|代理)|排名|排行|排个?前|"
            r"(哪家|哪个|哪位|哪些)\S{0,14}(最好|最便宜|最靠谱|最强|最专业|最有名|最厉害|最高|最多|最少|口碑最好|最划算|更值得|更好)|"
            r"(哪家|哪个|哪位)\S{0,24}(公司|机构|律所|事务所|代理|保险|翻译|律师)\S{0,16}最|"
            r"推荐(个|一个|一家|几家|一位)?\S{0,12}(人|公司|律师|翻译|机构|事务所)|口碑好|帮我挑"
        ),
    ),
    (
        PRIVATE,
        re.compile(
            r"(别的|别家|其他|其它|另一家|那家|他们|竞争对手|同行|隔壁|某某)(的)?(企业|公司|厂)?.{0,6}"
            r"(案子|案件|官司|纠纷|进展|登记|赔了|判了|情况|报告|资料|信息)|"
            + PERSON
            + r"的?(私人|个人)?(手机|手机号|电话|微信|联系方式|住址|邮箱)|私人(电话|手机|微信|邮箱)|个人(手机|电话)号|"
            + PERSON
            + r"\S{0,6}(在不在|有空|有没有空|能约|能不能约)|"
            + SOMEONE
            + r"\S{0,8}(叫什么|叫啥|名字|是谁|电话|手机|联系方式|微信|邮箱)|"
            r"(同行|别家|别的企业|其他企业|隔壁|竞争对手)\S{0,16}(申请了|注册了|被罚|被判|赔了|罚了|哪些专利|哪些商标)|"
            # Another firm's matters: named, described or pointed at.
            r"(那家|别的|其他|同行|供应商|竞争对手|隔壁|「)\S{0,20}(企业|公司|厂|他们|那边|」)\S{0,24}"
            r"(咋回事|怎么处理|是不是|有没有|拿了|条件|侵没侵权|到哪一步|名单|被查)|"
            r"(总监|调解员|官员|法官|审查员|处长|科长|主任|局长|会长|秘书长|负责人|经办人)\S{0,8}(是哪位|是谁|叫什么|叫啥|住哪|电话|手机|邮箱|微信|联系方式|约)|"
            # Someone named in Latin letters (律师Johnson, Smith律师): what they charge, where to reach them.
            r"(律师|代理人|法官|审查员)\s?[A-Z][a-z]+|[A-Z][a-z]+\s?的?(律师|先生|女士|法官)|"
            # What another has filed and not yet published.
            r"(还没|尚未|没有|未)公开的|"
            r"住哪|家住|约他|约她|见一面"
        ),
    ),
    (
        LIVE_DATA,
        re.compile(
            r"汇率|(欧元|美元|英镑|日元)(兑|对|换)(人民币|美元)|实时|股价|最新(的)?(汇率|行情|价格)|现在排到|"
            # Today's state of something, not a time in the user's story (“今天刚收到传票”)
            # or the report just filed here (“刚才那个登记到哪一步了”).
            + TODAY
            + r"(?!\S{0,2}?(刚|才|又)?(收到|接到|发现|看到|发来|寄来|被)|\S{0,4}(登记|提交|报的|填的|那个))"
            + r"|(现在|目前)\S{0,8}(压着|排着|积压|手上有)\S{0,4}多少|"
            r"(今年|去年|本季度|上季度|第.季度|上个月|这个月)\S{0,12}(几家|多少家|多少起|多少件|多少个企业)|"
            r"(一共|总共)有?(几家|多少家)|还有(没有)?名额|报满了|"
            # Looking up someone's records is a search of an official database, not an answer.
            r"(帮|替|给)(我|我们)\S{0,12}(查一下|查查|查一查|检索|搜一下|查询)|"
            r"(现在|这会儿|目前|此刻)\S{0,12}(显示|排队|有多少|写的是|最新)|排队的人|"
            # When a particular meeting starts, who is on duty on a day.
            r"(明天|后天|今天|下午|上午|晚上)\S{0,10}(几点|什么时候)(开始|开|结束)|"
            r"(派|安排)\S{0,6}(哪几个人|哪些人|哪几位|谁)\S{0,4}值班|值班的?(是谁|是哪位|有谁|人员)"
        ),
    ),
    (
        INTERNAL,
        re.compile(
            r"内部(决定|讨论|意见|文件|名单)|领导(怎么|的)?(意见|批示|决定)|(审批|评审|评选)(结果|进度|名单)|"
            r"(获得|拿到|申请到)(了)?.{0,4}(资助|补贴|奖励)的(企业|公司|名单)|哪些(企业|公司)(获得|拿到|申请)了?.{0,4}(资助|补贴)|"
            r"(你们|局里|市局|市里|贸促会|部门|政府|领导)\S{0,10}内部|内部\S{0,4}(定|打分|评|怎么|决定|开会|会议|标准|细则)|打了?多少分|(评审|评委|专家)\S{0,8}(打分|分数)|怎么评级|(讲课费|劳务费)|"
            # A list the authorities keep (of firms funded, rated, watched); a court's list of
            # defendants is in the user's own papers.
            r"(?<!被告)名单|预算|开会讨论|(领导|局里|市局|贸促会)\S{0,8}(意见|打算|计划|决定|讨论)|评成|评为|几级风险"
        ),
    ),
    (
        ELSEWHERE,
        re.compile(
            r"(批下来(了)?(没|吗)|批了没|批没批|到账|打到\S{0,4}账|审查\S{0,4}(到哪|进度|进展)|(进展|进行)到(哪|什么)|到哪一步|"
            r"现在(到|在)哪个阶段|"
            # The user's matter, not what the user may do (“我们能申请把它撤了吗”).
            r"(我们|我司|我的|咱们)((?!能|可以|要|想|该|怎么)\S){0,24}(案子|案件|申请|注册|备案|异议|答辩|仲裁|理赔|审查意见|调查|官司)"
            r"\S{0,16}(了没|了吗|没有[？?]?$|没[？?]?$|到什么程度|哪天|几号|组成|出.{0,3}了吗))"
        ),
    ),
]


# Where a particular lawsuit stands today: the user's own (at a court, not here) or another's.
CASE_STATUS = re.compile(
    r"(官司|案子|案件|诉讼|调查)\S{0,10}(判了没|判了吗|判下来了?没|结案了?没|有结果了?没|有结果了吗)"
)
OWN_MATTER = re.compile(r"我们|我司|咱们|我的|本公司")
# A named company's case (“华陶公司的案子”), unless it is the user's own (我们公司, 本公司).
NAMED_COMPANY_CASE = re.compile(
    r"([\u4e00-\u9fff]{2,10})(公司|企业|厂|集团|药业|实业|科技)"
    r"(的?(案子|案件|官司|纠纷|进展|赔偿|判决)|\S{0,12}?(和解协议|和解|协议内容|合同))"
)
OWN = re.compile(r"^(我们|我司|本|咱们|我)")
# A matter registered with this service: its status is looked up, not refused.
OUR_RECORDS = re.compile(r"登记|编号|HW-|反映的|提交的", re.I)
# A public service's line (a hotline, a complaints number) is no one's private number: the
# rules still refuse a person's phone, the learned half does not guess here.
PUBLIC_LINE = re.compile(r"热线|123\d\d|(投诉|举报|服务|咨询)\S{0,2}(电话|号码)")


def examples() -> Tuple[List[Text], List[bool]]:
    """The classifier's examples and whether each is unanswerable."""
    data = yaml.safe_load(EXAMPLES_PATH.read_text(encoding="utf-8"))
    texts = [str(t)[:LEARNED_CHARS] for t in [*data["unanswerable"], *data["answerable"]]]
    return texts, [True] * len(data["unanswerable"]) + [False] * len(data["answerable"])


def train(texts: List[Text], labels: List[bool]) -> Tuple[TfidfVectorizer, LogisticRegression]:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    model = LogisticRegression(C=3, class_weight="balanced", max_iter=2000)
    model.fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, model


@lru_cache(maxsize=1)
def _classifier() -> Tuple[TfidfVectorizer, LogisticRegression]:
    return train(*examples())


def learned_probability(question: Text) -> float:
    """How likely the classifier finds `question` unanswerable (0-1)."""
    vectorizer, model = _classifier()
    return float(model.predict_proba(vectorizer.transform([question[:LEARNED_CHARS]]))[0][1])


def beyond_reach(question: Text, learned: bool = True) -> Optional[Text]:
    """Why no knowledge base can answer `question` (a key of REASONS), or None; without
    `learned`, by the rules alone."""
    found = next((reason for reason, pattern in PATTERNS if pattern.search(question)), None)
    if found == ELSEWHERE and OUR_RECORDS.search(question):
        return None
    if found is None and CASE_STATUS.search(question):
        found = ELSEWHERE if OWN_MATTER.search(question) else PRIVATE
    if found is None:
        named = NAMED_COMPANY_CASE.search(question)
        if named and not OWN.search(named[1]):
            found = PRIVATE
    if (
        found is None
        and learned
        and answer_types.is_question(question)
        and not OUR_RECORDS.search(question)
        and not PUBLIC_LINE.search(question)
        and learned_probability(question) > LEARNED_THRESHOLD
    ):
        found = SPECIFIC
    return found
