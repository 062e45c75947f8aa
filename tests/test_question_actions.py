"""Questions through the actions, on the real content: follow-ups that keep the topic,
questions no knowledge base can answer, pasted documents read rather than refused."""

import asyncio

import pytest
from rasa_sdk.events import SlotSet

import actions.answers
import actions.documents
import actions.handoff
import actions.reports
from actions.answers import ActionCountryGuide, ActionDisputeGuidance, ActionMediation
from actions.conversation import (
    ActionAcknowledge,
    ActionBotChallenge,
    ActionCapabilities,
    ActionGreet,
    ActionHandleInform,
    ActionOutOfScope,
    ActionRequestHuman,
)
from actions.fallback import ActionClarify
from actions.followups import CONTEXT_SLOT, with_context
from actions.knowledge_base import KnowledgeBase
from actions.reports import ActionReportStatus
from actions.services import ActionTriageService
from actions.subscriptions import ActionSubscribeAlerts
from knowledge.core import settings
from tests.conftest import tracker_from, user_event


@pytest.fixture(autouse=True)
def use_kb(kb_engine, monkeypatch, tmp_path):
    kb = KnowledgeBase(settings.load({"CONTACTS_FILE": str(tmp_path / "none.yml")}), kb_engine)
    monkeypatch.setattr(actions.answers, "knowledge_base", kb)
    monkeypatch.setattr(actions.documents, "knowledge_base", kb)
    monkeypatch.setattr(actions.reports, "knowledge_base", kb)
    monkeypatch.setattr(actions.handoff, "knowledge_base", kb)


def entity(name, value):
    return {"entity": name, "value": value, "start": 0, "end": 0}


def conversation(text, intent, entities=(), context=None, turns_before=1, **parse):
    """A tracker after `turns_before` earlier user messages, with a remembered topic."""
    earlier = [user_event("之前的问题", "ask_country_guide") for _ in range(turns_before)]
    tracker = tracker_from([*earlier, user_event(text, intent, entities=list(entities), **parse)])
    if context is not None:
        tracker.slots[CONTEXT_SLOT] = {**context, "turn": 1}
    return tracker


def run(action, dispatcher, tracker, domain):
    result = action.run(dispatcher, tracker, domain)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


US_TRADEMARK_TERM = {
    "intent": "ask_country_guide",
    "text": "美国注册商标有效期多久",
    "entities": {"country": "美国", "ip_type": "商标"},
    "kind": "duration",
}


def context_of(events):
    return next(e["value"] for e in events if e.get("name") == CONTEXT_SLOT)


def test_a_follow_up_naming_another_country_asks_the_same_about_it(dispatcher, domain):
    tracker = conversation("那德国呢", "inform", [entity("country", "德国")], US_TRADEMARK_TERM)
    events = run(ActionHandleInform(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "德国" in message["title"]
    assert "10年" in message["answer"]
    remembered = context_of(events)
    assert remembered["entities"] == {"country": "德国", "ip_type": "商标"}
    assert "德国" in remembered["text"] and "美国" not in remembered["text"]


def test_a_follow_up_the_nlu_did_not_understand_keeps_the_topic(dispatcher, domain):
    tracker = conversation("那要多久", "nlu_fallback", context={**US_TRADEMARK_TERM, "kind": None})
    run(ActionClarify(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "美国" in message["title"]


def test_a_topic_remembered_too_long_ago_is_not_followed(dispatcher, domain):
    tracker = conversation("那德国呢", "inform", [entity("country", "德国")], US_TRADEMARK_TERM, turns_before=4)
    run(ActionHandleInform(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_inform_entities"]


def test_a_question_with_its_own_topic_starts_afresh(dispatcher, domain):
    tracker = conversation(
        "337调查的应诉期限是多久", "ask_dispute_guidance", [entity("dispute_type", "337调查")], US_TRADEMARK_TERM
    )
    events = run(ActionDisputeGuidance(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert "337" in message["title"] and "20天" in message["answer"]
    assert context_of(events)["text"] == "337调查的应诉期限是多久"


@pytest.mark.parametrize(
    "action, text, intent",
    [
        (ActionDisputeGuidance(), "我们这个案子能赢吗", "ask_dispute_guidance"),
        (ActionOutOfScope(), "推荐一家靠谱的律所", "out_of_scope"),
        (ActionClarify(), "华陶公司的案子怎么样了", "nlu_fallback"),
    ],
)
def test_a_question_no_knowledge_base_can_answer_is_told_so_with_a_way_to_a_person(
    dispatcher, domain, action, text, intent
):
    events = run(action, dispatcher, conversation(text, intent, context=US_TRADEMARK_TERM), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_cannot_answer" and message["reason"]
    assert [b["payload"] for b in message["buttons"]] == ["/request_expert", "/request_human"]
    assert events == [SlotSet(CONTEXT_SLOT, None)]


def test_an_off_topic_message_gets_the_services_scope(dispatcher, domain):
    run(ActionOutOfScope(), dispatcher, conversation("明天会下雨吗", "out_of_scope"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]


LETTER = (
    "Dear Sir or Madam,\nWe represent ACME Inc., owner of U.S. Design Patent No. D912,345. "
    + "Your products sold on Amazon infringe our client's design patent. " * 12
    + "\nWe demand that you cease and desist and confirm in writing no later than April 30, 2025.\n"
    + "这封信是什么意思？我们该怎么办？"
)


def test_a_pasted_letter_is_read_answered_and_offered_for_a_report(dispatcher, domain):
    check = {"problem": "too_long", "length": len(LETTER), "limit": 500}
    events = run(ActionClarify(), dispatcher, conversation(LETTER, "nlu_fallback", input_check=check), domain)
    read, facts, guidance, offer = dispatcher.messages
    assert facts["facts"] == "权利人 ACME Inc；权利号 D912,345"
    assert read["response"] == "utter_document_read"
    assert "警告函" in read["kind"] and "美国" in read["about"]
    assert read["deadlines"] == "April 30, 2025（2025年4月30日）"
    assert guidance["response"] == "utter_answer" and "律师函" in guidance["title"] + guidance["answer"]
    assert offer["buttons"][0]["payload"] == (
        '/report_dispute{"country": "美国", "ip_type": "外观设计", "dispute_type": "警告函"}'
    )
    assert SlotSet("description", LETTER) in events


@pytest.mark.parametrize(
    "text, intent, starts",
    [
        ("我要登记一起海外纠纷", "report_dispute", "utter_start_dispute_form"),
        ("帮我找个懂美国专利的专家", "request_expert", "utter_start_expert_form"),
        ("能帮我们登记一下吗？", "report_dispute", "utter_start_dispute_form"),
        ("/request_expert", "request_expert", "utter_start_expert_form"),
        # Someone with a given skill, or help with one's own matter, asked for as a question.
        ("有没有懂德国展会知识产权纠纷的专家", "request_expert", "utter_start_expert_form"),
        ("有没有专家能帮忙看看", "request_expert", "utter_start_expert_form"),
    ],
)
def test_a_request_for_a_service_starts_its_form(dispatcher, domain, text, intent, starts):
    events = run(ActionTriageService(), dispatcher, conversation(text, intent), domain)
    assert [m["response"] for m in dispatcher.messages] == [starts]
    assert events == [SlotSet("service_question", False)]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("专家咨询收费吗？", "request_expert"),
        ("有没有地方可以登记海外纠纷？", "report_dispute"),
        # 帮忙 is a request's word, but asking whether anyone helps is a question.
        ("展会上碰上侵权纠纷，有人帮忙吗", "report_dispute"),
        ("市里会盯哪些海外动态给企业发预警", "subscribe_alerts"),
        # A request's words (找个专家) with a question about its cost: the cost is answered.
        ("想找个海外知识产权专家咨询一下，要收费吗", "request_expert"),
        ("那个服务热线，找专家咨询要不要收钱啊", "request_expert"),
        # A question in its first clause, and what the notice says of it after.
        ("专家库跟省里的专家库打通了吗，通知咋说的", "request_expert"),
        ("中国贸促会官网网址", "report_unfair_treatment"),  # asking for a website, naming it
        ("在迪拜展会上被扣的那批货现在放了没有", "report_dispute"),  # A-了-not-A asks
        # A last clause that asks what a thing is or has.
        ("市里的专家库和省级专家库是什么关系", "request_expert"),
        ("在国外被区别对待，有啥规定没", "report_unfair_treatment"),
    ],
)
def test_a_question_about_a_service_is_answered_and_the_service_offered(dispatcher, domain, text, intent):
    action = ActionSubscribeAlerts() if intent == "subscribe_alerts" else ActionTriageService()
    events = run(action, dispatcher, conversation(text, intent), domain)
    *answered, offer = dispatcher.messages
    assert answered and answered[0]["response"] in ("utter_answer", "utter_no_answer", "utter_no_fact")
    assert offer["response"] == "utter_offer_service" and offer["buttons"][0]["payload"] == f"/{intent}"
    assert intent == "subscribe_alerts" or events[-1] == SlotSet("service_question", True)


@pytest.mark.parametrize(
    "action, text, intent",
    [
        (ActionClarify(), "可以续展吗", "nlu_fallback"),
        # Intents a short follow-up is often mistaken for.
        (ActionCapabilities(), "这个期限能延长吗", "ask_capabilities"),
        (ActionRequestHuman(), "谁负责续展", "request_human"),
        (ActionReportStatus(), "到期前多久可以续展", "check_report_status"),
        (ActionAcknowledge(), "英国呢", "deny"),
        (ActionBotChallenge(), "这个是哪一级管的", "bot_challenge"),
        (ActionGreet(), "这个在哪里续展", "greet"),
        (ActionOutOfScope(), "这个在哪个城市续展", "out_of_scope"),
    ],
)
def test_a_short_question_without_a_subject_of_its_own_is_read_with_the_answer_before(
    dispatcher, domain, action, text, intent
):
    entities = [entity("country", "英国")] if text == "英国呢" else []
    events = run(action, dispatcher, conversation(text, intent, entities, context=US_TRADEMARK_TERM), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "商标" in message["title"] + message["answer"]
    assert context_of(events)["entities"]["ip_type"] == "商标"


def test_a_long_text_of_no_known_kind_is_read_without_guessing_guidance(dispatcher, domain):
    text = "我们公司生产陶瓷餐具和卫浴产品。" * 60
    check = {"problem": "too_long", "length": len(text), "limit": 500}
    run(ActionClarify(), dispatcher, conversation(text, "nlu_fallback", input_check=check), domain)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_document_read_no_deadline",
        "utter_offer_report_document",
    ]


PCT_ENTRY = {"intent": "ask_country_guide", "text": "PCT申请什么时候要进入国家阶段", "entities": {}, "kind": "duration"}


def test_a_short_question_naming_a_new_country_and_ip_type_is_read_alone(dispatcher, domain):
    hotline = {"intent": "ask_contact", "text": "维权援助的服务热线是多少", "entities": {}, "kind": "amount"}
    found = [entity("country", "美国"), entity("ip_type", "著作权")]
    tracker = conversation("美国版权保护多长时间", "ask_country_guide", found, context=hotline)
    events = run(ActionCountryGuide(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "70" in message["answer"]
    assert context_of(events)["text"] == "美国版权保护多长时间"


def test_the_words_that_point_back_are_not_searched_for():
    center = {"intent": "ask_contact", "text": "维权援助中心铜川中心是干啥的", "entities": {}, "kind": "definition"}
    question = with_context(center, "那区县一级有没有类似的", {})
    assert question.text.startswith("维权援助中心铜川中心是干啥的") and "区县" in question.text
    assert "类似" not in question.text


def test_a_follow_up_that_refers_back_adds_its_topic_to_the_question_before(dispatcher, domain):
    tracker = conversation("那欧洲专利局呢", "nlu_fallback", context=PCT_ENTRY)
    run(ActionClarify(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "31个月" in message["answer"]


@pytest.mark.parametrize(
    "text, intent, found",
    [
        ("TRO是啥", "inform", [entity("dispute_type", "临时禁令")]),
        ("地理标志是个啥", "nlu_fallback", [entity("ip_type", "地理标志")]),
    ],
)
def test_a_question_about_the_thing_it_names_is_answered(dispatcher, domain, text, intent, found):
    action = ActionClarify() if intent == "nlu_fallback" else ActionHandleInform()
    run(action, dispatcher, conversation(text, intent, found), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer"


@pytest.mark.parametrize(
    "text, found, about",
    [
        # A public case named by its parties, not a report.
        ("华为诉中兴那个欧盟法院的案子为啥那么有名", [entity("country", "欧盟")], "华为"),
        # A question the library covers well, with no word of a status check.
        (
            "以前的经销商在国外抢注了我们的商标，能申请宣告无效吗",
            [entity("dispute_type", "商标抢注")],
            "无效",
        ),
    ],
)
def test_a_question_taken_for_a_status_check_is_answered(dispatcher, domain, text, found, about):
    run(ActionReportStatus(), dispatcher, conversation(text, "check_report_status", found), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and about in message["title"] + message["answer"]


def test_a_question_taken_for_a_yes_is_answered_as_a_question(dispatcher, domain):
    run(ActionAcknowledge(), dispatcher, conversation("海牙体系是管什么的", "affirm"), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "外观设计" in message["answer"]


def test_a_short_yes_is_still_a_yes(dispatcher, domain):
    run(ActionAcknowledge(), dispatcher, conversation("是吗？", "affirm"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ack_affirm"]


def test_a_dispute_told_with_nothing_asked_gets_its_guidance_and_the_form(dispatcher, domain):
    text = "美国那边有人申请了TRO，我们速卖通店铺的钱全被冻了，急！！"
    events = run(ActionTriageService(), dispatcher, conversation(text, "report_dispute"), domain)
    guidance, start = dispatcher.messages
    assert guidance["response"] == "utter_answer" and "TRO" in guidance["title"] + guidance["answer"]
    assert start["response"] == "utter_start_dispute_form_offered"
    assert events[-1] == SlotSet("service_question", False)


@pytest.mark.parametrize(
    "text, intent",
    [("你能保证专家一定帮我们打赢官司吗", "request_expert"), ("能不能保证登记以后一定解决", "report_dispute")],
)
def test_a_question_no_one_can_answer_never_starts_a_form(dispatcher, domain, text, intent):
    events = run(ActionTriageService(), dispatcher, conversation(text, intent), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_cannot_answer"]
    assert events[-1] == SlotSet("service_question", True)


def test_a_follow_up_at_a_service_intent_is_answered_on_its_topic(dispatcher, domain):
    tracker = conversation("那德国呢", "report_unfair_treatment", [entity("country", "德国")], US_TRADEMARK_TERM)
    run(ActionTriageService(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "德国" in message["title"]


def test_a_request_right_after_an_answer_still_starts_the_form(dispatcher, domain):
    tracker = conversation("我要登记", "report_dispute", context=US_TRADEMARK_TERM)
    run(ActionTriageService(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_start_dispute_form"]


def test_a_pasted_notice_without_an_answerable_question_gets_the_guidance_for_its_kind(dispatcher, domain):
    text = (
        "NOTIFICATION OF SUSPENSION OF RELEASE. The customs office has detained your goods "
        "pursuant to Regulation (EU) No 608/2013 on suspicion of infringing an EU trade mark. "
    ) * 8 + "\n我们这批货的报关员是谁？"
    check = {"problem": "too_long", "length": len(text), "limit": 500}
    run(ActionClarify(), dispatcher, conversation(text, "nlu_fallback", input_check=check), domain)
    read, guidance, offer = dispatcher.messages
    assert "海关" in read["kind"]
    assert guidance["response"] == "utter_answer" and "海关" in guidance["title"]
    assert offer["response"] == "utter_offer_report_document"


def test_a_follow_up_naming_china_asks_the_same_about_china(dispatcher, domain):
    us_copyright = {
        "intent": "ask_country_guide",
        "text": "美国的著作权保护期多久",
        "entities": {"country": "美国", "ip_type": "著作权"},
        "kind": "duration",
    }
    events = run(ActionClarify(), dispatcher, conversation("那国内呢", "nlu_fallback", context=us_copyright), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "中国" in message["title"]
    assert "country" not in context_of(events)["entities"]


def test_a_short_question_without_its_subject_is_read_with_the_question_before(dispatcher, domain):
    mediation = {"intent": "ask_mediation", "text": "调解协议签了以后有什么效力", "entities": {}, "kind": None}
    tracker = conversation("去法院确认有期限吗", "ask_mediation", context=mediation)
    run(ActionMediation(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "30日" in message["answer"]


def test_a_question_about_a_public_cases_outcome_is_answered(dispatcher, domain):
    # “最后付了多少钱” reads like a prediction; the learned limits know public cases from their examples.
    tracker = conversation("唯冠和苹果的iPad商标纠纷，苹果最后付了多少钱", "ask_case")
    run(ActionDisputeGuidance(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "6000万美元" in message["answer"]


@pytest.mark.parametrize("context", [None, US_TRADEMARK_TERM])
def test_asking_for_a_person_in_a_questions_words_reaches_one(dispatcher, domain, context):
    tracker = conversation("能找个人问问吗", "request_human", context=context)
    events = run(ActionRequestHuman(), dispatcher, tracker, domain)
    assert "utter_answer" not in [m["response"] for m in dispatcher.messages]
    assert {"event": "pause", "timestamp": None} in events


def test_a_greeting_is_greeted_back(dispatcher, domain):
    run(ActionGreet(), dispatcher, conversation("您好，请问在吗", "greet"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_greet"]


def test_asking_what_the_assistant_offers_gets_its_capabilities(dispatcher, domain):
    run(ActionCapabilities(), dispatcher, conversation("你们有什么服务", "ask_capabilities"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_capabilities"]
