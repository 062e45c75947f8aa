"""Answer actions on the real content: grounded replies, sources, follow-ups, no guessing."""

import asyncio

import pytest
from rasa_sdk.events import SlotSet

import actions.answers
import actions.conversation
from actions.answers import (
    ActionCaseSearch,
    ActionContact,
    ActionCountryGuide,
    ActionDisputeGuidance,
    ActionExhibition,
    ActionFunding,
    ActionInsurance,
    ActionLawUpdate,
    ActionMediation,
    ActionRiskWarning,
    ActionTraining,
)
from actions.conversation import ActionHandleInform
from actions.knowledge_base import KnowledgeBase
from knowledge.core import settings
from tests.conftest import tracker_from, user_event


@pytest.fixture
def use_kb(kb_engine, monkeypatch, tmp_path):
    def install(contacts_text=None):
        contacts_file = tmp_path / "contacts.yml"
        if contacts_text:
            contacts_file.write_text(contacts_text, encoding="utf-8")
        kb = KnowledgeBase(settings.load({"CONTACTS_FILE": str(contacts_file)}), kb_engine)
        monkeypatch.setattr(actions.answers, "knowledge_base", kb)
        monkeypatch.setattr(actions.conversation, "knowledge_base", kb)

    install()
    return install


def ask(action, dispatcher, text, intent, entities=(), slots=None, domain=None):
    ents = [{"entity": k, "value": v, "start": 0, "end": 0} for k, v in dict(entities).items()]
    tracker = tracker_from([user_event(text, intent, entities=ents)])
    tracker.slots.update(slots or {})
    return asyncio.run(action.run(dispatcher, tracker, domain or {}))


def test_a_dispute_question_gets_the_matching_guidance_with_source_and_follow_ups(use_kb, dispatcher):
    ask(
        ActionDisputeGuidance(),
        dispatcher,
        "美国ITC发起337调查，我们是被申请人怎么办",
        "ask_dispute_guidance",
        {"country": "美国", "dispute_type": "337调查"},
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer"
    assert "337" in message["title"] and "20" in message["answer"]
    assert message["source"]
    assert [b["title"] for b in message["buttons"]] == ["相关案例", "登记纠纷", "咨询专家", "更多细节"]
    assert message["buttons"][0]["payload"] == '/ask_case{"country": "美国", "dispute_type": "337调查"}'
    assert message["buttons"][3]["payload"] == '/ask_dispute_guidance{"item_id": "dispute-337"}'


def test_more_details_shows_the_long_text(use_kb, dispatcher):
    ask(
        ActionDisputeGuidance(), dispatcher, "/ask_dispute_guidance", "ask_dispute_guidance", {"item_id": "dispute-337"}
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer_details"
    assert len(message["details"]) > len("337") and message["source"]


def test_a_country_question_without_a_country_asks_which_then_resumes(use_kb, dispatcher):
    events = ask(ActionCountryGuide(), dispatcher, "怎么申请商标？", "ask_country_guide", {"ip_type": "商标"})
    assert events[:-1] == [SlotSet("pending_topic", "ask_country_guide")]
    assert events[-1]["name"] == "answer_context" and events[-1]["value"]["intent"] == "ask_country_guide"
    assert dispatcher.messages[0]["response"] == "utter_ask_country"
    assert {
        "title": "越南",
        "payload": '/ask_country_guide{"ip_type": "商标", "country": "越南"}',
    } in dispatcher.messages[0]["buttons"]

    dispatcher.messages.clear()
    events = ask(
        ActionHandleInform(),
        dispatcher,
        "越南",
        "inform",
        {"country": "越南"},
        slots={"pending_topic": "ask_country_guide"},
    )
    assert SlotSet("pending_topic", None) in events
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "越南" in message["title"]


def test_a_country_without_a_guide_gets_general_guidance_and_is_told_so(use_kb, dispatcher):
    ask(
        ActionCountryGuide(),
        dispatcher,
        "吉尔吉斯斯坦怎么注册商标",
        "ask_country_guide",
        {"country": "吉尔吉斯斯坦", "ip_type": "商标"},
    )
    first, second = dispatcher.messages
    assert first["response"] == "utter_country_not_covered" and first["country"] == "吉尔吉斯斯坦"
    assert second["response"] == "utter_answer" and second["source"]


def test_cases_come_three_at_a_time_with_a_way_to_see_more(use_kb, dispatcher):
    entities = {"country": "美国"}
    ask(ActionCaseSearch(), dispatcher, "美国有哪些典型案例", "ask_case", entities)
    [message] = dispatcher.messages
    assert message["response"] == "utter_cases"
    assert message["cases"].count("\n") == 2 and "来源" in message["cases"]
    assert "模拟案例" in message["cases"]
    more = message["buttons"][-1]
    assert more["title"] == "更多案例" and '"page": "2"' in more["payload"]

    first_page = message["cases"]

    dispatcher.messages.clear()
    events = ask(
        ActionCaseSearch(),
        dispatcher,
        '/ask_case{"page": "2"}',
        "ask_case",
        {**entities, "page": "2"},
        slots={"case_query": "美国有哪些典型案例"},
    )
    assert events == [SlotSet("case_query", "美国有哪些典型案例")]
    second_page = dispatcher.messages[0]["cases"]
    assert second_page.startswith("4. ")
    titles = [line.split("：")[0][3:] for line in first_page.splitlines()]
    assert not any(title in second_page for title in titles)


def test_a_district_gets_its_workstation_and_no_invented_phone(use_kb, dispatcher):
    ask(ActionContact(), dispatcher, "耀州区工作站电话多少", "ask_contact", {"district": "耀州区"})
    [message] = dispatcher.messages
    assert message["response"] == "utter_institution_no_contact"
    assert message["title"] == "耀州区维权援助工作站"


def test_a_configured_contact_is_given(use_kb, dispatcher):
    use_kb("workstation-yaozhou:\n  phone: 0919-0000001\n  hours: 工作日\n")
    ask(ActionContact(), dispatcher, "耀州的工作站怎么联系", "ask_contact", {"district": "耀州区"})
    [message] = dispatcher.messages
    assert message["response"] == "utter_institution"
    assert message["contact"] == "电话：0919-0000001；办公时间：工作日"


@pytest.mark.parametrize(
    "action, text, entities, topic_word",
    [
        (ActionInsurance(), "专利执行险是干什么的", {}, "险"),
        (ActionFunding(), "海外维权费用太高，有互助基金吗", {}, "互助"),
        (ActionMediation(), "不想打官司，可以调解吗", {}, "调解"),
        (ActionTraining(), "有没有海外知识产权培训", {}, "培训"),
        (ActionExhibition(), "去德国参展前要做哪些知识产权准备", {"country": "德国"}, "展"),
        (ActionRiskWarning(), "陶瓷出口有什么知识产权风险", {"industry": "陶瓷"}, "陶瓷"),
        (ActionLawUpdate(), "重点国家知识产权法律有什么新变化", {}, "法"),
    ],
)
def test_each_answer_action_answers_its_topic(use_kb, dispatcher, action, text, entities, topic_word):
    ask(action, dispatcher, text, action.intent, entities)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer"
    assert topic_word in message["title"] + message["answer"]
    assert message["source"]


def test_nothing_good_enough_means_no_guess(use_kb, dispatcher):
    ask(ActionInsurance(), dispatcher, "火星移民签证怎么办", "ask_insurance")
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]


def test_a_general_question_about_international_filing_is_answered_without_asking_a_country(use_kb, dispatcher):
    events = ask(
        ActionCountryGuide(),
        dispatcher,
        "用马德里体系注册，国内基础商标被撤了会怎样",
        "ask_country_guide",
        {"ip_type": "商标"},
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "马德里" in message["title"]
    assert events[:-1] == [SlotSet("pending_topic", None)]
    assert events[-1]["name"] == "answer_context"


def test_a_stale_index_keeps_serving_while_it_is_rebuilt(kb_engine, monkeypatch, tmp_path):
    import actions.knowledge_base as module

    kb = KnowledgeBase(settings.load({"CONTACTS_FILE": str(tmp_path / "none.yml")}), kb_engine)

    async def scenario():
        first = await kb.index()
        monkeypatch.setattr(module, "INDEX_MAX_AGE_S", -1)
        assert await kb.index() is first  # answered at once with the old index
        await kb._refresh  # the rebuild ran in the background
        assert kb._index is not first and len(kb._index.docs) == len(first.docs)

    asyncio.run(scenario())
