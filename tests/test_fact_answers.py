"""Answers the size of a fact: passages, the kind of fact asked, honest gaps, limits, pasted
documents. Built on small made-up libraries, so that each mechanism is seen on its own."""

import pytest

from knowledge.library import answer_types, documents, limits
from knowledge.library.answers import _focus_labels, answer
from knowledge.library.search import KnowledgeIndex, make_document, split_passages


def doc(item_id, title, answer_text, details="", kind="article", topic="basics", **tags):
    tags = {k: frozenset(v) for k, v in tags.items()}
    return make_document(kind, item_id, topic, title, answer_text, details, "测试来源", tags)


LIBRARY = KnowledgeIndex(
    [
        doc(
            "us-guide",
            "美国知识产权国别指南",
            "美国商标可因使用产生权利，但应尽早注册。",
            "受理机构：美国专利商标局（USPTO）\n申请：\n- 商标注册有效期10年，可续展。\n"
            "- 外观设计专利自授权之日起保护15年。",
            kind="country_guide",
            topic="country_guide",
            country={"美国"},
        ),
        doc(
            "de-guide",
            "德国知识产权国别指南",
            "德国商标向德国专利商标局申请，也可申请欧盟商标。",
            "申请：\n- 德国商标注册有效期10年，可续展。",
            kind="country_guide",
            topic="country_guide",
            country={"德国"},
        ),
        doc(
            "warning-letter",
            "收到律师函怎么办",
            "收到律师函先不要回复或签字，核实对方权利，请律师评估后再答复。",
            "1. 不要签署对方附上的声明。\n2. 律师费用因案情差异很大，请律师书面报价。",
            topic="dispute_guidance",
            dispute_type={"警告函"},
        ),
    ]
)


def test_a_question_for_a_figure_gets_the_passage_that_states_it():
    found = answer(LIBRARY, "美国外观设计专利保护多少年", {"country": "美国", "ip_type": "外观设计"})
    assert found.item.id == "us-guide" and found.asked == answer_types.DURATION
    assert "15年" in found.text and len(found.text) <= 300
    assert "尽早注册" not in found.text  # the summary carries no duration


def test_a_question_for_a_body_gets_the_passage_that_names_it():
    found = answer(LIBRARY, "美国商标由哪个机构审查", {"country": "美国"})
    assert "美国专利商标局" in found.text


def test_an_overview_question_gets_the_items_own_short_answer():
    found = answer(LIBRARY, "收到律师函怎么办", {"dispute_type": "警告函"})
    assert found.item.id == "warning-letter" and found.text.startswith("收到律师函先不要回复")


def test_when_no_passage_states_the_fact_asked_the_answer_says_it_is_missing():
    found = answer(LIBRARY, "收到律师函要在几天内回复", {"dispute_type": "警告函"})
    assert found.item.id == "warning-letter" and found.missing and found.passages == ()


def test_the_kind_of_a_follow_up_can_be_given_instead_of_read():
    found = answer(LIBRARY, "德国商标", {"country": "德国"}, kind=answer_types.DURATION)
    assert found.item.id == "de-guide" and "10年" in found.text


def test_nothing_relevant_is_no_answer():
    assert answer(LIBRARY, "出口退税怎么申请", {}) is None


def test_the_intents_scope_is_preferred_but_a_better_item_outside_it_about_the_same_place_wins():
    found = answer(LIBRARY, "美国外观设计专利保护多少年", {"country": "美国"}, kinds=("article",))
    assert found.item.id == "us-guide" and "15年" in found.text


def test_outside_the_scope_an_item_about_another_place_is_no_answer():
    found = answer(
        LIBRARY, "法国商标注册有效期多久", {"country": "法国"}, kinds=("article",), topics=("dispute_guidance",)
    )
    assert found is None or found.item.id not in ("us-guide", "de-guide")


def test_long_lines_become_passages_cut_at_sentence_ends_and_headings_are_dropped():
    passages = split_passages("概要。", "申请：\n" + "第一句很长的内容。" * 30 + "\n短")
    assert passages[0] == "概要。"
    assert all(len(p) <= 200 and p.endswith("。") for p in passages[1:])
    assert "申请：" not in passages and "短" not in passages


@pytest.mark.parametrize(
    "question, kind",
    [
        ("PCT要多久进入国家阶段", answer_types.DURATION),
        ("马德里申请的官费是多少", answer_types.AMOUNT),
        ("在哪里申请欧盟商标", answer_types.ORGANISATION),
        ("什么是Schedule A案件", answer_types.DEFINITION),
        ("不应诉可以吗", answer_types.YES_NO),
        ("怎么应对海关扣货", answer_types.PROCEDURE),
        ("马德里协定是管什么的", answer_types.DEFINITION),
        ("欧盟新的外观设计条例哪年生效", answer_types.DATE),
        ("美国专利商标局的官网是什么", answer_types.WEBSITE),
        ("维权援助的热线是多少", answer_types.PHONE),
        ("找专家咨询要不要收钱", answer_types.AMOUNT),
        ("德国商标", None),
        ("美国发明专利能保护多少年，从哪天开始算", answer_types.DURATION),
        # Whether something bears the costs asks yes or no, not for an amount.
        ("有保险能管维权的费用吗", answer_types.YES_NO),
        ("有没有什么保险能覆盖海外打官司的费用", answer_types.YES_NO),
        ("打官司的费用大概多少", answer_types.AMOUNT),
        ("337调查到底是个什么调查", answer_types.DEFINITION),
        ("PCT申请交给谁", answer_types.ORGANISATION),
        ("这套机制打算啥时候建起来", answer_types.WHEN),
        # The story's 金额 is not what is asked: only the clauses shaped as questions count.
        ("店铺的款被冻了，老板说金额不大，不应诉会有什么后果？", None),
    ],
)
def test_the_kind_of_fact_a_question_asks_is_recognised(question, kind):
    assert answer_types.asked(question) == kind


@pytest.mark.parametrize(
    "question, reason",
    [
        ("我们这个案子能赢吗", limits.PREDICTION),
        ("胜诉的概率有多大", limits.PREDICTION),
        ("申请维权资助能批下来吗", limits.PREDICTION),
        ("你能保证我们不被判赔吗", limits.GUARANTEE),
        ("推荐一家靠谱的律所", limits.RANKING),
        ("华陶公司的案子怎么样了", limits.PRIVATE),
        ("张律师的手机号是多少", limits.PRIVATE),
        ("今天欧元汇率多少", limits.LIVE_DATA),
        ("对方会不会起诉我们", limits.PREDICTION),
        ("铜川哪家律所做海外知识产权最好", limits.RANKING),
        ("市场监管局王科长的电话是多少", limits.PRIVATE),
        ("哪些企业拿到了维权资助", limits.INTERNAL),
        ("明年欧盟会不会提高商标官费", limits.PREDICTION),
        ("法院会不会支持对方的禁令申请", limits.PREDICTION),
        ("这批货最后能拿回多少", limits.PREDICTION),
        ("哪个代理公司办马德里最便宜", limits.RANKING),
        ("对方律师叫什么名字", limits.PRIVATE),
        ("赵教授明天有空吗", limits.PRIVATE),
        ("同行在日本注册了哪些商标", limits.PRIVATE),
        ("昨天海关有没有发新的公告", limits.LIVE_DATA),
        ("今年铜川有多少家企业被海外起诉", limits.LIVE_DATA),
        ("你们内部怎么分配专家", limits.INTERNAL),
        ("我们的欧盟商标申请审查到哪一步了", limits.ELSEWHERE),
        ("我登记的纠纷进展到哪一步了", None),
        ("我们被冻结的钱什么时候能解冻", limits.PREDICTION),
        ("你觉得我们该不该和对方和解", limits.PREDICTION),
        ("对方公司的老板是谁", limits.PRIVATE),
        ("帮我查一下这家公司在美国有没有注册商标", limits.LIVE_DATA),
        ("今年的资助名单出来了吗", limits.INTERNAL),
        ("TRO冻结一般多久", None),
        ("你给个准话，这事能不能摆平", limits.GUARANTEE),
        ("哪家翻译公司翻法律文件最靠谱", limits.RANKING),
        ("供应商那边的商标官司是不是输了", limits.PRIVATE),
        ("对方的法务负责人是谁", limits.PRIVATE),
        ("EUIPO官网现在显示我们的商标什么状态", limits.LIVE_DATA),
        ("今年重点扶持企业名单里有我们吗", limits.INTERNAL),
        ("我们的欧盟异议答辩交了，对方回复了没", limits.ELSEWHERE),
        ("我们店被列进Schedule A的被告名单了怎么办", None),
        ("在阿联酋转口会不会被海关扣货", None),
        ("美国商标假冒的法定赔偿最高能判多少", None),
        ("能不能通过马德里体系指定日本", None),
        ("维权援助中心的电话", None),
        ("不应诉会怎样", None),
        ("我们公司的案子进展", None),
        ("怎样确保商标不被抢注", None),
        ("收到律师函怎么办", None),
        ("马德里申请能指定欧盟吗", None),
        ("韩国知识产权局审查员金某某的邮箱多少", limits.PRIVATE),
        ("美国律师Johnson收费多少钱一小时", limits.PRIVATE),
        ("对手还没公开的专利申请内容能发我看看吗", limits.PRIVATE),
        ("明天去市局开会几点开始", limits.LIVE_DATA),
        ("下一届广交会投诉站会派哪几个人值班", limits.LIVE_DATA),
        ("我们跟德国客户的调解明天能谈成吗", limits.PREDICTION),
        # 以后 after an event is a step of a procedure, not the future.
        ("337终裁出来以后美国总统还能否决吗", None),
        ("我们以后会不会被告", limits.PREDICTION),
        ("那个叫Brown的法官会怎么判", limits.PREDICTION),
        ("明年美国商标官费会不会上调", limits.PREDICTION),
        ("华源科技跟日本客户签的和解协议写了啥", limits.PRIVATE),
        ("通知里提到了哪些能帮企业化解纠纷的机构", None),
        ("市场监管的投诉举报电话多少", None),
    ],
)
def test_questions_no_knowledge_base_can_answer_are_recognised(question, reason):
    assert limits.beyond_reach(question) == reason


WARNING_LETTER = """Dear Sir or Madam,
We represent ACME Inc., owner of U.S. Design Patent No. D912,345. Your products sold on Amazon infringe it.
We demand that you cease and desist from selling them and confirm in writing no later than April 30, 2025.
这封信是什么意思？我们该怎么办？"""
CUSTOMS_NOTICE = (
    "您的货物因涉嫌侵犯知识产权被海关扣留，根据Regulation (EU) No 608/2013，请于10个工作日内答复是否同意销毁。"
)
SCHEDULE_A = (
    "UNITED STATES DISTRICT COURT, NORTHERN DISTRICT OF ILLINOIS. Case No. 1:25-cv-01234. "
    "Plaintiff v. The Partnerships Identified on Schedule A. TEMPORARY RESTRAINING ORDER: "
    "the Defendants' assets are frozen. Defendants shall answer "
    "within twenty-one (21) days after service. Please contact us."
)


@pytest.mark.parametrize(
    "text, dispute_type, entities, deadlines, question",
    [
        (
            WARNING_LETTER,
            "警告函",
            {"country": "美国", "ip_type": "外观设计"},
            ("April 30, 2025（2025年4月30日）",),
            "这封信是什么意思？我们该怎么办？",
        ),
        (CUSTOMS_NOTICE, "海关扣押", {"country": "欧盟"}, ("10个工作日内",), ""),
        (SCHEDULE_A, "临时禁令", {"country": "美国"}, ("within twenty-one (21) days（21天内）",), ""),
    ],
)
def test_a_pasted_document_is_read_for_kind_subject_deadlines_and_question(
    text, dispute_type, entities, deadlines, question
):
    reading = documents.read(text)
    assert reading.dispute_type == dispute_type
    assert reading.entities == {**entities, "dispute_type": dispute_type}
    assert reading.deadlines == deadlines
    assert reading.question == question


@pytest.mark.parametrize(
    "phrase, read",
    [
        ("16. Juni 2025", "16. Juni 2025（2025年6月16日）"),
        ("30.04.2025", "30.04.2025（2025年4月30日）"),
        ("within 7 business days", "within 7 business days（7个工作日内）"),
        ("innerhalb von 14 Tagen", "innerhalb von 14 Tagen（14天内）"),
        ("10个工作日内", "10个工作日内"),
    ],
)
def test_a_deadline_in_another_language_is_also_given_in_chinese(phrase, read):
    assert documents.in_chinese(phrase) == read


def test_a_document_of_no_known_kind_is_just_a_document():
    reading = documents.read("这是我们的产品说明书。" * 80)
    assert (reading.dispute_type, reading.kind_label, reading.deadlines) == (None, "文件", ())


def test_a_date_or_a_web_address_is_answered_only_by_a_passage_that_has_one():
    assert answer_types.states(answer_types.DATE, "自2021年6月1日起施行")
    assert not answer_types.states(answer_types.DATE, "保护期20年")
    assert answer_types.states(answer_types.WEBSITE, "官网www.cnipa.gov.cn")
    assert not answer_types.states(answer_types.WEBSITE, "可在官方数据库查询")


def test_a_phone_number_is_answered_only_by_a_passage_that_has_one():
    assert answer_types.states(answer_types.PHONE, "可拨打12330咨询")
    assert answer_types.states(answer_types.PHONE, "电话0919-3185678")
    assert not answer_types.states(answer_types.PHONE, "各区县开通服务热线，号码以公布的为准")
    assert not answer_types.states(answer_types.PHONE, "自2019年8月3日起施行")


def test_the_focus_of_a_question_is_the_point_whose_label_names_it():
    assert answer_types.focus("国内注册商标有效期多久") == "有效期"
    assert answer_types.focus("Schedule A案件一般在美国哪个法院") == "法院"
    assert answer_types.focus("要多久") is None
    points = ["中国商标的审查：9个月。", "中国商标的有效期：10年。", "美国著作权的保护期：70年。"]
    assert _focus_labels(points, "有效期") == [False, True, False]
    assert _focus_labels(points, "版权保护") == [False, False, True]  # the head of a compound


def test_an_item_about_china_is_not_the_answer_about_another_country():
    china = doc("cn-tm", "中国商标的有效期", "中国注册商标有效期10年，可以续展。", country=["中国"])
    us = doc("us-tm", "美国商标的有效期", "美国注册商标有效期10年，可以续展。", country=["美国"])
    index = KnowledgeIndex([*LIBRARY.docs, china, us])
    assert answer(index, "国内商标有效期多久").item.id == "cn-tm"
    assert answer(index, "商标有效期多久", {"country": "美国"}).item.id == "us-tm"


def test_the_words_that_only_say_what_is_asked_are_found_whole():
    assert answer_types.asking_words("海牙体系是管什么的") == ["管什么"]
    assert answer_types.asking_words("PCT要多久") == ["多久"]


def test_a_period_in_chinese_numerals_and_an_opposition_notice_are_read():
    letter = "我方委托人认为贵司产品侵犯其专利权，请于收到本函之日起十五日内停止侵权并书面答复。" * 3
    assert documents.read(letter + "\n怎么办？").deadlines == ("十五日内",)
    notice = "NOTICE OF OPPOSITION against trademark application No. 123 at the EUIPO, filed in bad faith. " * 4
    assert documents.read(notice).dispute_type == "商标抢注"


def test_a_date_states_no_duration_and_a_word_ending_like_a_body_names_none():
    assert not answer_types.states(answer_types.DURATION, "自2019年8月3日起须委托美国律师")
    assert answer_types.states(answer_types.DURATION, "公告后30天内可异议")
    assert not answer_types.states(answer_types.ORGANISATION, "出口前应在目标市场布局商标，全部成员国有效")
    assert answer_types.states(answer_types.ORGANISATION, "向欧盟知识产权局提交")
    # Japanese agencies are 厅 (特许厅, 文化厅).
    assert answer_types.states(answer_types.ORGANISATION, "商标权须经日本特许厅注册才产生")


def test_a_passage_about_another_country_does_not_answer_a_question_about_one():
    lawsuit = doc(
        "sued",
        "在海外被起诉怎么办",
        "收到海外起诉状，先确认答辩期限，请当地律师应诉。",
        "1. 英国诉讼的答辩期：确认送达后28天。\n2. 美国诉讼的答辩期：送达后21天。",
        topic="dispute_guidance",
    )
    index = KnowledgeIndex([*LIBRARY.docs, lawsuit])
    found = answer(index, "被起诉了答辩期多长", {"country": "美国"})
    assert found.item.id == "sued" and "21天" in found.text and "英国" not in found.text


def test_a_compound_word_counts_by_the_parts_a_passage_has():
    # 商标注册 is one jieba word; the first passage says 商标 and 注册 apart, the second neither.
    def coverage(passage):
        item = doc("ae-guide", "阿联酋指南", passage, country={"阿联酋"})
        return answer(KnowledgeIndex([*LIBRARY.docs, item]), "阿联酋商标注册能管几年", {"country": "阿联酋"}).coverage

    assert coverage("阿联酋商标由经济部注册，有效期10年。") > coverage("阿联酋的保护，有效期10年。")


@pytest.mark.parametrize(
    "question",
    [
        "抢注的那家一直也没用这个商标，我们能申请把它撤了吗",
        "对方要我们交一大堆内部资料，说是discovery，这是什么程序",
        "我们在欧盟提了海关保护申请，批下来以后能管多长时间",
        "我们在美国被告了，今天刚收到传票，一般多少天之内必须回应啊？",
        "美国打官司的话律师费一般是谁出？",
    ],
)
def test_questions_about_the_rules_in_the_words_of_ones_own_matter_are_answerable(question):
    assert limits.beyond_reach(question, learned=False) is None


def test_a_summons_served_with_a_tro_is_named_as_both_and_its_reply_addresses_are_given():
    served = (
        "You are hereby served with the Summons, Complaint, Temporary Restraining Order in Case No. 1:25-cv-1. "
        "Contact plaintiff's counsel at service@firm.example. " * 3
    )
    reading = documents.read(served)
    assert reading.dispute_type in ("临时禁令", "侵权诉讼")
    assert "传票" in reading.kind_label and "TRO" in reading.kind_label
    assert reading.emails == ("service@firm.example",)


def test_a_latest_date_in_a_letter_is_a_deadline():
    letter = "请贵司于收到本函之日起十五日内，且最迟不晚于2025年7月15日，以书面形式向本所作出答复。" * 3
    assert documents.read(letter).deadlines == ("十五日内", "2025年7月15日")


@pytest.mark.parametrize(
    "question, reason",
    [
        ("宏盛机械在美国那个专利官司现在判了没有", limits.PRIVATE),
        ("我们在德国那个案子判了没", limits.ELSEWHERE),
        ("我们这批货运到韩国，会不会被海关查", limits.PREDICTION),
        ("这届广交会哪个展位被投诉得最多", limits.RANKING),
    ],
)
def test_where_a_lawsuit_stands_and_one_shipments_fate_are_unanswerable(question, reason):
    assert limits.beyond_reach(question, learned=False) == reason


@pytest.mark.parametrize(
    "question, reason",
    [
        ("美国打337最厉害的律所给排个前十名", limits.RANKING),
        ("下届广交会哪些展位会被人投诉侵权", limits.PREDICTION),
        ("调解委员会主任叫啥，手机多少", limits.PRIVATE),
        ("Harrington法官对中国被告是不是一般都判输", limits.PREDICTION),
        ("你给我出个书面保证，说我们这款产品在美国绝对不侵权", limits.GUARANTEE),
        ("我们新品牌在日本被人抢注的概率有多大，给个百分比", limits.PREDICTION),
        ("2027年欧盟外观设计官费会涨到多少", limits.PREDICTION),
    ],
)
def test_odds_a_written_promise_the_next_fair_and_an_official_by_role_are_unanswerable(question, reason):
    assert limits.beyond_reach(question, learned=False) == reason


@pytest.mark.parametrize("question", ["TRO的保证金一般多少", "绝对新颖性是什么意思", "展会结束后下一步怎么办"])
def test_a_bond_absolute_novelty_and_the_next_step_are_answerable(question):
    assert limits.beyond_reach(question, learned=False) is None


def test_an_item_for_many_ip_types_does_not_say_each_of_them_in_every_passage():
    def coverage(ip_types):
        customs = doc(
            "eu-customs",
            "货物在欧盟被海关扣押",
            "欧盟海关扣货后，权利人须在10个工作日内起诉。",
            topic="dispute_guidance",
            country={"欧盟"},
            ip_type=ip_types,
        )
        index = KnowledgeIndex([*LIBRARY.docs, customs])
        return answer(index, "欧盟外观设计起诉", {"country": "欧盟", "ip_type": "外观设计"}).coverage

    assert coverage({"外观设计"}) > coverage({"商标", "外观设计", "专利"})


def test_a_passage_that_says_nothing_of_the_question_is_not_the_answer_even_as_an_overview():
    fair = doc(
        "fair",
        "境外参展服务",
        "出发前联系中心了解展前培训和风险排查安排。",
        "1. 展前带齐材料：权利证书、设计证明和展位合同。",
        topic="exhibition",
    )
    found = answer(KnowledgeIndex([*LIBRARY.docs, fair]), "出国参展还要带哪些文件", {}, topics=("exhibition",))
    assert found.text.startswith("1. 展前带齐材料")


GUIDE = doc(
    "in-guide",
    "印度知识产权国别指南",
    "印度商标有效期10年。",
    "- 印度商标异议期：商标公告之日起3个月内，最长4个月。\n"
    "- 印度专利的异议：自申请公布后至授权前可提异议；授权公告之日起1年内可提授权后异议。\n"
    "- 印度诉讼集中的法院：德里高等法院受理的知识产权案件最多。\n"
    "- 印度诉讼的答辩期：送达后30天。",
    kind="country_guide",
    topic="country_guide",
    country={"印度"},
)


def test_the_named_ip_type_chooses_the_passage_where_it_is_too_common_to_choose_the_item():
    common = [doc(f"tm-{n}", f"商标第{n}条", f"商标注册须知第{n}条。") for n in range(8)]
    index = KnowledgeIndex([*common, GUIDE])
    found = answer(index, "印度商标公告后多久之内可以提异议", {"country": "印度", "ip_type": "商标"})
    assert "4个月" in found.text and "专利" not in found.text


def test_a_passage_whose_label_says_what_was_asked_answers_it():
    found = answer(KnowledgeIndex([*LIBRARY.docs, GUIDE]), "印度一般在哪个法院起诉的比较多", {"country": "印度"})
    assert "德里高等法院" in found.text


def test_a_colloquial_word_is_also_searched_in_the_contents_words():
    default = doc(
        "default", "海外诉讼不应诉的后果", "不应诉通常导致缺席判决。", topic="dispute_guidance", country={"美国"}
    )
    assert "答复" in KnowledgeIndex.query("要多久答辩") and "不应诉" in KnowledgeIndex.query("我不理它")
    found = answer(KnowledgeIndex([*LIBRARY.docs, default]), "被告了我不理它会怎样", {"country": "美国"})
    assert found.item.id == "default"


def test_a_case_outside_the_scope_answers_only_a_question_about_cases():
    case = doc(
        "tianrui",
        "天瑞车轮商业秘密337调查案",
        "天瑞车轮商业秘密337调查案：ITC认定盗用商业秘密，商业秘密的条件不是本案的问题。",
        kind="case",
        topic="case",
    )
    article = doc("secret", "商业秘密的构成条件", "商业秘密须满足三个条件：不为公众所知悉、有商业价值、采取保密措施。")
    index = KnowledgeIndex([*LIBRARY.docs, article, case])
    scope = {"kinds": ("article",), "topics": ("basics",)}
    assert answer(index, "商业秘密要满足什么条件才算", {"ip_type": "商业秘密"}, **scope).item.id == "secret"
    assert answer(index, "天瑞那个案子说的是什么", **scope).item.id == "tianrui"


def test_a_passage_about_another_ip_type_does_not_answer_a_question_about_one():
    guide = doc(
        "au-guide",
        "澳大利亚知识产权国别指南",
        "澳大利亚实行申请在先。",
        "- 澳大利亚著作权的保护期：作者终生加死后70年。\n- 澳大利亚商标有效期：自申请日起10年，可续展。",
        kind="country_guide",
        topic="country_guide",
        country={"澳大利亚"},
    )
    entities = {"country": "澳大利亚", "ip_type": "商标"}
    found = answer(KnowledgeIndex([*LIBRARY.docs, guide]), "澳大利亚商标保护期多久", entities)
    assert "10年" in found.text and "70年" not in found.text


def test_the_items_title_and_keywords_count_towards_whether_it_answers():
    def item(keywords):
        text = "发明专利须具备新颖性、创造性和实用性。"
        return make_document("article", "patentability", "basics", "专利的条件", text, "", "测试来源", {}, keywords)

    patentability, bare = item(["专利三性", "三性", "授权条件"]), item([])
    question = "专利要授权得满足哪三性"
    found = answer(KnowledgeIndex([*LIBRARY.docs, patentability]), question, {"ip_type": "专利"})
    assert found.item.id == "patentability" and "新颖性" in found.text
    without = answer(KnowledgeIndex([*LIBRARY.docs, bare]), question, {"ip_type": "专利"})
    assert without is None or without.item.id != "patentability"


def test_a_label_that_says_what_the_short_answer_does_not_is_the_point_asked_for():
    notice = doc(
        "notice",
        "202号通知：文号、发文单位和日期",
        "铜川的文件是202号通知，由市场监管局和贸促会联合发布。",
        "1. 202号通知的日期：2022年7月4日。\n2. 202号通知的国家层面依据：国家知识产权局和中国贸促会的指导意见。",
        topic="local_service",
    )
    found = answer(KnowledgeIndex([*LIBRARY.docs, notice]), "202号文是根据哪些上级文件制定的", {})
    assert "指导意见" in found.text


def test_a_case_answers_a_question_for_a_period_only_when_cases_are_asked_for():
    case = doc(
        "case-tro",
        "网店被临时限制令冻结（模拟案例）",
        "网店被临时限制令冻结（模拟案例）：原告起诉后，法院14天内冻结了店铺资金。",
        kind="case",
        topic="case",
    )
    index = KnowledgeIndex([*LIBRARY.docs, case])
    unscoped = answer(index, "临时限制令冻结多少天", {})
    assert unscoped is None or unscoped.missing  # the story states no period to answer with
    assert answer(index, "临时限制令冻结多少天", {}, kinds=("case",)).item.id == "case-tro"


def test_a_document_says_who_complains_under_which_right_and_for_how_much():
    notice = (
        "We removed some of your listings because we received a report from a rights owner.\n"
        "Infringement type: Patent\nPatent number: US 11,482,916\nRights owner name: Hollow Brook Designs Inc.\n"
    ) * 3 + "这个投诉人是谁 专利号多少"
    reading = documents.read(notice)
    assert reading.facts == (("权利人", "Hollow Brook Designs Inc"), ("权利号", "US 11,482,916"))
    assert reading.question == "这个投诉人是谁 专利号多少"
    letter = (
        "律 师 函\n本所受日本国株式会社ミナト工房（以下简称“委托人”）委托，"
        "就贵司侵害委托人意匠登録第1712345号一事致函。"
        "要求贵司通过亚马逊店铺下架链接，赔偿委托人经济损失日元3,000,000元，于收到本函之日起15日内答复。\n"
    ) * 2
    reading = documents.read(letter)
    assert reading.dispute_type == "警告函"  # its title says so, though it names a platform and a shop
    assert dict(reading.facts) == {
        "权利人": "日本国株式会社ミナト工房",
        "权利号": "意匠登録第1712345号",
        "要求赔偿": "日元3,000,000元",
    }


def test_a_notice_issued_by_order_of_a_body_sets_no_deadline_by_that_date():
    notice = "NOTICE OF INSTITUTION OF INVESTIGATION under section 337.\nBy order of the Commission.\n"
    notice += "Issued: May 6, 2025\n"
    assert documents.read(notice * 3).deadlines == ()
    notice += "Responses will be considered if received not later than 20 days after the date of service.\n"
    assert documents.read(notice * 3).deadlines == ("not later than 20 days after（20天内）",)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("欧盟知识产权局在哪", answer_types.PLACE),
        ("WIPO总部在哪个城市", answer_types.PLACE),
        ("广交会在哪办", answer_types.PLACE),
        ("发明专利跟实用新型最大的区别在哪", None),
        ("商标在哪申请", answer_types.ORGANISATION),
    ],
)
def test_where_a_body_sits_is_asked_as_a_place(question, kind):
    assert answer_types.asked(question) == kind


def test_a_question_of_where_a_body_sits_is_answered_by_the_point_that_says_so():
    epo = doc(
        "epo",
        "欧洲专利（EPO）",
        "欧洲专利向欧洲专利局（EPO）申请，一次审查授权后在选定的成员国生效，保护期自申请日起20年。",
        "1. 欧洲专利的异议：授权公告后9个月内可提出。\n2. 欧洲专利局的所在地：总部设在德国慕尼黑。",
    )
    index = KnowledgeIndex([*LIBRARY.docs, epo])
    assert "慕尼黑" in answer(index, "欧洲专利局在哪个城市").text
    missing = answer(LIBRARY, "律师函在哪个城市")
    assert missing.missing and missing.asked == answer_types.PLACE


@pytest.mark.parametrize(
    "passage, says", [("广交会每年春、秋两届", True), ("展会一般在4月举办", True), ("展会在德国汉诺威举办", False)]
)
def test_when_is_also_answered_by_a_month_or_a_season(passage, says):
    assert answer_types.states(answer_types.WHEN, passage) is says
