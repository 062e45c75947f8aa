"""The forms' validation and ask actions (actions/forms.py, actions/reports.py,
actions/experts.py), run as the action server runs them, on trackers built from events."""

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.experts import ActionAskExpertId, ValidateExpertForm
from actions.forms import ActionAskDisputeType, ActionAskIpType, ValidateDisputeForm, ValidateUnfairForm, is_question
from actions.knowledge_base import knowledge_base
from actions.reports import ActionAskReportConfirmed
from knowledge.core.dates import today_in_china

DOMAIN = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text(encoding="utf-8"))

DISPUTE_FIELDS = ["company_name", "phone", "country", "ip_type", "dispute_type", "deadline", "description"]
UNFAIR_FIELDS = ["company_name", "phone", "country", "description"]
LABELS = {
    "company_name": "企业名称",
    "phone": "联系电话",
    "country": "国家/地区",
    "ip_type": "知识产权类型",
    "dispute_type": "纠纷类型",
    "deadline": "应对截止日期",
    "description": "事情经过",
}
FILLED = {
    "company_name": "铜川华陶瓷业有限公司",
    "phone": "13912345678",
    "country": "德国",
    "ip_type": "外观设计",
    "dispute_type": "展会纠纷",
    "deadline": "无",
    "description": "我们在德国展会上被投诉外观设计侵权，展品被要求撤下，对方律师要求签署声明。",
}
IP_TYPES = {"专利", "外观设计", "商标", "著作权", "地理标志", "商业秘密"}
DISPUTE_TYPES_IN_ORDER = ["侵权诉讼", "临时禁令", "警告函", "展会纠纷", "海关扣押", "电商平台投诉", "337调查"]
DISPUTE_TYPES_IN_ORDER.append("商标抢注")
DISPUTE_TYPES = set(DISPUTE_TYPES_IN_ORDER)
QUESTION_337 = "337调查的应诉期限是多久？"


def form_tracker(
    text,
    intent="inform",
    *,
    requested,
    slots=None,
    entities=None,
    form="dispute_form",
    answered=True,
    **parse_data,
):
    """The tracker a form's validation action gets after the user answered `requested`
    (as Rasa sends it: ending with the form's own execution), or, with `answered=False`,
    when the form runs without a new message (on activation)."""
    values = {name: None for name in DOMAIN["slots"]}
    values.update(slots or {})
    values["requested_slot"] = requested
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [], **parse_data}
    user = {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest", "timestamp": 4.0}
    if answered:
        events = [
            {"event": "action", "name": form, "timestamp": 1.0},
            {"event": "bot", "text": "（问题）", "timestamp": 2.0},
            {"event": "action", "name": "action_listen", "timestamp": 3.0},
            user,
            {"event": "action", "name": form, "timestamp": 5.0},
        ]
    else:
        events = [
            {"event": "action", "name": "action_listen", "timestamp": 1.0},
            user,
            {"event": "action", "name": "utter_start_dispute_form", "timestamp": 2.0},
            {"event": "bot", "text": "好的，我来帮您登记这起纠纷。", "timestamp": 3.0},
            {"event": "action", "name": form, "timestamp": 4.0},
        ]
    return Tracker("tester", values, latest, events, False, None, {"name": form}, form)


def run(action, dispatcher, tracker):
    result = action.run(dispatcher, tracker, DOMAIN)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def responses(dispatcher):
    return [m["response"] for m in dispatcher.messages]


def entity(name, value):
    return {"entity": name, "value": value, "start": 0, "end": 0}


@pytest.fixture
def with_kb(kb_engine, kb_index, monkeypatch):
    """The action server's knowledge base on the real content, its index already built."""
    monkeypatch.setattr(knowledge_base, "_engine", kb_engine)
    monkeypatch.setattr(knowledge_base, "_index", kb_index)
    monkeypatch.setattr(knowledge_base, "_built_at", time.monotonic())
    monkeypatch.setattr(knowledge_base, "_lock", None)
    return kb_engine


def slots(events):
    """The fields an action's events set (None: asked again), without the bookkeeping slots."""
    return {e["name"]: e["value"] for e in events if e["name"] not in ("form_misses", "deadline_candidate")}


# -- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, phone",
    [
        ("13912345678", "13912345678"),
        ("0919-3185678", "0919-3185678"),
        ("09193185678", "0919-3185678"),
        ("139 1234 5678", "13912345678"),
        ("电话是 +86 139-1234-5678", "13912345678"),
    ],
)
def test_a_phone_answer_is_normalised(dispatcher, text, phone):
    tracker = form_tracker(text, requested="phone", slots={"company_name": FILLED["company_name"]})
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"phone": phone}


def test_an_invalid_phone_is_said_and_asked_again(dispatcher):
    tracker = form_tracker("12345", requested="phone")
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert slots(events) == {"phone": None}
    [message] = dispatcher.messages
    assert (message["response"], message["value"]) == ("utter_invalid_phone", "12345")
    assert SlotSet("form_misses", {"slot": "phone", "count": 1, "typed": "12345"}) in events


def test_a_second_miss_in_a_row_offers_a_way_out(dispatcher):
    misses = {"slot": "phone", "count": 1, "typed": "12345"}
    tracker = form_tracker("不记得了", requested="phone", slots={"form_misses": misses})
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert SlotSet("form_misses", {"slot": "phone", "count": 2, "typed": "不记得了"}) in events
    explained, way_out = dispatcher.messages
    assert (explained["response"], way_out["response"]) == ("utter_invalid_phone", "utter_form_way_out")
    assert [b["payload"] for b in way_out["buttons"]] == ["/request_human", "/stop"]
    assert way_out["skip"] == ""


def test_a_field_that_may_stay_open_offers_to_skip_it(dispatcher):
    misses = {"slot": "deadline", "count": 1, "typed": "看情况"}
    tracker = form_tracker("看对方吧", requested="deadline", slots={"form_misses": misses})
    run(ValidateDisputeForm(), dispatcher, tracker)
    assert [b["title"] for b in dispatcher.messages[1]["buttons"]] == ["跳过", "人工服务", "取消填写"]
    assert "跳过" in dispatcher.messages[1]["skip"]
    dispatcher.messages.clear()
    tracker = form_tracker("跳过", requested="deadline")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"deadline": "无"}


# -- country -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, entities, country",
    [
        ("德国", [entity("country", "德国")], "德国"),
        ("美國", [], "美国"),
        ("usa", [], "美国"),
        ("汉诺威", [entity("country", "德国")], "德国"),
        ("其他", [], "其他"),
        ("其它国家", [], "其他"),
        ("葡萄牙", [], "葡萄牙"),  # outside the gazetteer: its standard name
        ("葡萄雅", [], "葡萄牙"),  # typed with a character of the same sound
        ("欧盟那边，具体是荷兰", [entity("country", "欧盟"), entity("country", "荷兰")], "荷兰"),
        ("在香港", [], "中国香港"),
        ("巴布亚新几内亚", [], "巴布亚新几内亚"),  # the longest name, not 几内亚 inside it
    ],
)
def test_a_country_answer_becomes_its_canonical_value(dispatcher, text, entities, country):
    tracker = form_tracker(text, requested="country", entities=entities)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"country": country}


def test_an_unknown_country_is_said_and_asked_again(dispatcher):
    tracker = form_tracker("火星", requested="country")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"country": None}
    [message] = dispatcher.messages
    assert (message["response"], message["value"]) == ("utter_invalid_country", "火星")


# -- IP type and dispute type ---------------------------------------------------------------


@pytest.mark.parametrize(
    "slot, text, value",
    [
        ("ip_type", "商标", "商标"),
        ("ip_type", "外观专利", "外观设计"),
        ("ip_type", "patent", "专利"),
        ("ip_type", "不确定", "不确定"),
        ("ip_type", "不清楚", "不确定"),
        ("ip_type", "跳过", "不确定"),
        ("dispute_type", "警告函", "警告函"),
        ("dispute_type", "律师函", "警告函"),
        ("dispute_type", "TRO", "临时禁令"),
        ("dispute_type", "337", "337调查"),
        ("dispute_type", "不确定", "不确定"),
        ("dispute_type", "都有可能", "不确定"),
        # Any country: the field stays open as for 不确定.
        ("country", "不限", "不确定"),
    ],
)
def test_a_closed_choice_becomes_its_canonical_value(dispatcher, slot, text, value):
    tracker = form_tracker(text, requested=slot)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))[slot] == value


def test_a_described_dispute_is_taken_from_the_nlu_entity(dispatcher):
    """The situation lexicon runs in the NLU (tests/test_gazetteer.py); the form takes its value."""
    text = "货在汉堡港被海关扣了"
    found = [entity("country", "德国"), entity("dispute_type", "海关扣押")]
    tracker = form_tracker(text, requested="dispute_type", slots={"country": "德国"}, entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"dispute_type": "海关扣押"}
    [message] = dispatcher.messages
    assert (message["response"], message["recorded"]) == ("utter_form_recorded", "纠纷类型 海关扣押，国家/地区 德国")


@pytest.mark.parametrize(
    "slot, text, response",
    [("ip_type", "区块链", "utter_invalid_ip_type"), ("dispute_type", "吵架了", "utter_invalid_dispute_type")],
)
def test_an_unknown_choice_is_said_and_asked_again(dispatcher, slot, text, response):
    tracker = form_tracker(text, requested=slot)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {slot: None}
    [message] = dispatcher.messages
    assert (message["response"], message["value"]) == (response, text)


def test_a_closed_question_lists_every_value_then_unsure(dispatcher):
    tracker = form_tracker("/report_dispute", requested="dispute_type", answered=False)
    run(ActionAskDisputeType(), dispatcher, tracker)
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_dispute_type"
    assert [b["title"] for b in message["buttons"]] == [*DISPUTE_TYPES_IN_ORDER, "不确定"]


def test_after_a_miss_the_closest_values_come_first(dispatcher):
    misses = {"slot": "dispute_type", "count": 1, "typed": "被平台投诉了"}
    tracker = form_tracker("被平台投诉了", requested="dispute_type", slots={"form_misses": misses})
    run(ActionAskDisputeType(), dispatcher, tracker)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles[0] == "电商平台投诉"
    assert set(titles) == set(DISPUTE_TYPES) | {"不确定"}


def test_after_two_misses_the_closed_question_offers_a_person_and_cancelling(dispatcher):
    misses = {"slot": "ip_type", "count": 2, "typed": "区块链"}
    tracker = form_tracker("区块链", requested="ip_type", slots={"form_misses": misses})
    run(ActionAskIpType(), dispatcher, tracker)
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]][-2:] == ["/request_human", "/stop"]


# -- several fields, out of order, corrections ------------------------------------------------


def test_every_field_a_message_gives_is_taken_and_said(dispatcher):
    text = "我们是铜川华瓷陶瓷有限公司，电话13912345678，在德国"
    found = [entity("company_name", "铜川华瓷陶瓷有限公司"), entity("phone", "13912345678"), entity("country", "德国")]
    tracker = form_tracker(text, requested="company_name", entities=found)
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert slots(events) == {"company_name": "铜川华瓷陶瓷有限公司", "phone": "13912345678", "country": "德国"}
    [message] = dispatcher.messages
    assert message["response"] == "utter_form_recorded"
    assert message["recorded"] == "企业名称 铜川华瓷陶瓷有限公司，联系电话 13912345678，国家/地区 德国"


@pytest.mark.parametrize(
    "text, opened",
    [
        ("新西兰，地理标志，纠纷类型不确定", {"dispute_type": "不确定"}),
        ("知识产权类型还不清楚，在日本", {"ip_type": "不确定"}),
        ("类型不知道", {}),  # which type is not said
        ("电话不知道", {}),  # a phone cannot stay open
    ],
)
def test_a_field_named_as_not_known_is_left_open(dispatcher, text, opened):
    found = [entity("country", c) for c in ("新西兰", "日本") if c in text]
    found += [entity("ip_type", "地理标志")] if "地理标志" in text else []
    tracker = form_tracker(text, requested="company_name", entities=found)
    taken = slots(run(ValidateDisputeForm(), dispatcher, tracker))
    assert {k: v for k, v in taken.items() if v == "不确定"} == opened


def test_an_answer_to_another_question_is_used_for_it(dispatcher):
    found = [entity("country", "法国")]
    tracker = form_tracker("法国", requested="ip_type", slots={"company_name": "华瓷"}, entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"country": "法国", "ip_type": None}


def test_a_story_at_another_question_is_the_description_too(dispatcher):
    text = (
        "下周五之前要答复，对方是当地一家做瓷器的公司，说我们抄了他们花瓶的造型，要求我们立即停止在欧洲销售并赔偿损失"
    )
    tracker = form_tracker(text, requested="deadline", slots={k: FILLED[k] for k in DISPUTE_FIELDS[:5]})
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {
        "deadline": next_friday().isoformat(),
        "description": text,
    }


def test_a_line_of_story_at_another_question_is_the_account(dispatcher):
    text = "下周五之前要答复，对方是当地一家做瓷器的公司，说我们抄了他们花瓶的造型"
    tracker = form_tracker(text, requested="deadline", slots={k: FILLED[k] for k in DISPUTE_FIELDS[:5]})
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {
        "deadline": next_friday().isoformat(),
        "description": text,
    }
    assert responses(dispatcher) == ["utter_form_recorded"]


@pytest.mark.parametrize(
    "answer, intent, description",
    [
        ("就这些", "deny", "货在汉堡港被扣了，海关说涉嫌侵权"),
        ("确认", "affirm", "货在汉堡港被扣了，海关说涉嫌侵权"),
        ("对方是一家德国公司", "inform", "货在汉堡港被扣了，海关说涉嫌侵权；对方是一家德国公司"),
    ],
)
def test_the_account_after_a_line_of_it_keeps_the_line(dispatcher, answer, intent, description):
    filled = {**{k: FILLED[k] for k in DISPUTE_FIELDS[:6]}, "description_draft": "货在汉堡港被扣了，海关说涉嫌侵权"}
    tracker = form_tracker(answer, intent, requested="description", slots=filled)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {
        "description": description,
        "description_draft": None,
    }


def test_a_value_for_a_filled_field_without_saying_it_is_wrong_is_ignored(dispatcher):
    filled = {k: FILLED[k] for k in DISPUTE_FIELDS[:3]}
    tracker = form_tracker("专利", requested="ip_type", slots=filled, entities=[entity("country", "法国")])
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"ip_type": "专利"}


def test_a_correction_mid_form_changes_the_field_and_says_so(dispatcher):
    filled = {k: FILLED[k] for k in DISPUTE_FIELDS[:3]}
    found = [entity("country", "德国"), entity("country", "法国")]
    tracker = form_tracker("不对，不是德国是法国", "deny", requested="ip_type", slots=filled, entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"country": "法国", "ip_type": None}
    [message] = dispatcher.messages
    assert (message["response"], message["changes"]) == ("utter_form_changed", "国家/地区 德国 → 法国")


def test_a_correction_at_the_summary_changes_the_field_and_shows_the_summary_again(dispatcher):
    tracker = form_tracker("电话写错了，应该是13912345679", "inform", requested="report_confirmed", slots=FILLED)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"phone": "13912345679", "report_confirmed": None}
    assert responses(dispatcher) == ["utter_form_changed"]


def test_naming_a_wrong_field_without_its_value_asks_it_again(dispatcher):
    tracker = form_tracker("公司名写错了", "deny", requested="report_confirmed", slots=FILLED)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"company_name": None, "report_confirmed": None}


def test_starting_reads_the_first_message_and_says_what_is_known(dispatcher):
    text = "我们是铜川华瓷陶瓷有限公司，在德国展会上被人投诉说我们花瓶的外观设计侵权了，要登记一下"
    found = [entity("company_name", "铜川华瓷陶瓷有限公司"), entity("country", "德国"), entity("ip_type", "外观设计")]
    found.append(entity("dispute_type", "展会纠纷"))
    tracker = form_tracker(
        text, "report_dispute", requested=None, answered=False, entities=found, slots={"country": "德国"}
    )
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    # A line of story is not the account: the form asks for it, and shows the line then.
    assert slots(events) == {
        "company_name": "铜川华瓷陶瓷有限公司",
        "ip_type": "外观设计",
        "dispute_type": "展会纠纷",
        "description_draft": text,
    }
    [message] = dispatcher.messages
    assert message["response"] == "utter_form_known"
    assert message["known"].startswith("企业名称 铜川华瓷陶瓷有限公司，国家/地区 德国，知识产权类型 外观设计")


# -- deadline --------------------------------------------------------------------------------


def next_friday():
    today = today_in_china()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=1, days=4)


@pytest.mark.parametrize(
    "text, deadline",
    [
        ("下周五", lambda: next_friday().isoformat()),
        ("还有10天", lambda: (today_in_china() + timedelta(days=10)).isoformat()),
        ("没有", lambda: "无"),
        ("没有明确期限", lambda: "无"),
    ],
)
def test_a_deadline_answer_becomes_an_iso_date_or_none(dispatcher, text, deadline):
    tracker = form_tracker(text, requested="deadline")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"deadline": deadline()}


def past_day():
    return today_in_china() - timedelta(days=30)


def test_a_past_deadline_is_held_as_a_candidate_and_questioned(dispatcher):
    day = past_day()
    tracker = form_tracker(f"{day.year}年{day.month}月{day.day}日", requested="deadline")
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert events == [SlotSet("deadline", None), SlotSet("deadline_candidate", day.isoformat())]
    [message] = dispatcher.messages
    assert message["response"] == "utter_deadline_in_past"


def test_affirming_a_past_deadline_keeps_it(dispatcher):
    candidate = past_day().isoformat()
    tracker = form_tracker("/affirm", "affirm", requested="deadline", slots={"deadline_candidate": candidate})
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert events == [SlotSet("deadline", candidate), SlotSet("deadline_candidate", None)]


def test_denying_a_past_deadline_clears_it_silently(dispatcher):
    candidate = past_day().isoformat()
    tracker = form_tracker("/deny", "deny", requested="deadline", slots={"deadline_candidate": candidate})
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert events == [SlotSet("deadline", None), SlotSet("deadline_candidate", None)]
    assert dispatcher.messages == []


def test_an_unreadable_deadline_is_said_and_asked_again(dispatcher):
    tracker = form_tracker("等律师通知", requested="deadline")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"deadline": None}
    [message] = dispatcher.messages
    assert (message["response"], message["value"]) == ("utter_invalid_deadline", "等律师通知")


# -- description -----------------------------------------------------------------------------


def test_a_short_description_asks_for_more(dispatcher):
    tracker = form_tracker("被告了", requested="description")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"description": None}
    assert responses(dispatcher) == ["utter_description_too_short"]


def test_a_pasted_letter_is_kept_whole(dispatcher):
    letter = "Dear Sir, " + "we represent the owner of the trademark. " * 60
    tracker = form_tracker(letter, requested="description")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"description": letter.strip()}


@pytest.mark.parametrize("intent", ["report_dispute", "ask_dispute_guidance", "inform"])
def test_a_statement_at_the_description_is_the_description_whatever_the_intent(dispatcher, intent):
    text = "我们在美国被起诉了，对方说我们的商标侵权，要求赔偿十万美元"
    tracker = form_tracker(text, intent, requested="description", slots={"country": "美国"})
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["description"] == text


def test_small_talk_at_the_description_is_answered_and_the_question_repeated(dispatcher):
    tracker = form_tracker("你好", "greet", requested="description")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"description": None}
    assert responses(dispatcher) == ["utter_form_greet"]


@pytest.mark.parametrize(
    "slot, text, expected",
    [
        ("phone", "１３９１２３４５６７８", "13912345678"),
        ("deadline", "下週五", None),
        ("dispute_type", "臨時禁令", "临时禁令"),
    ],
)
def test_full_width_and_traditional_answers_are_understood(dispatcher, slot, text, expected):
    tracker = form_tracker(text, requested=slot)
    value = slots(run(ValidateDisputeForm(), dispatcher, tracker))[slot]
    assert value == (expected or next_friday().isoformat())


# -- interruptions ---------------------------------------------------------------------------


def test_a_knowledge_question_is_answered_and_the_question_asked_again(dispatcher, with_kb):
    tracker = form_tracker(QUESTION_337, "ask_dispute_guidance", requested="phone")
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert events[-1] == SlotSet("phone", None)
    assert all(e.get("name") != "requested_slot" for e in events)
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer"
    assert "337" in message["title"]


def test_a_question_classified_inform_is_answered_from_its_ranking(dispatcher, with_kb):
    ranking = [{"name": "inform", "confidence": 0.6}, {"name": "ask_dispute_guidance", "confidence": 0.3}]
    tracker = form_tracker(QUESTION_337, "inform", requested="phone", intent_ranking=ranking)
    assert run(ValidateDisputeForm(), dispatcher, tracker)[-1] == SlotSet("phone", None)
    assert responses(dispatcher) == ["utter_answer"]


def test_a_plain_answer_classified_inform_is_not_taken_for_a_question(dispatcher, with_kb):
    ranking = [{"name": "inform", "confidence": 0.6}, {"name": "ask_dispute_guidance", "confidence": 0.3}]
    tracker = form_tracker("铜川华陶瓷业有限公司", "inform", requested="company_name", intent_ranking=ranking)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"company_name": "铜川华陶瓷业有限公司"}
    assert [m["recorded"] for m in dispatcher.messages] == ["企业名称 铜川华陶瓷业有限公司"]


@pytest.mark.parametrize("text", ["我之前登记的那个到哪一步了？", "刚才那个登记现在到哪一步了"])
def test_a_status_check_mid_form_is_answered(dispatcher, with_kb, monkeypatch, text):
    tracker = form_tracker(text, "check_report_status", requested="deadline")
    assert run(ValidateDisputeForm(), dispatcher, tracker)[-1] == SlotSet("deadline", None)
    assert responses(dispatcher) == ["utter_ask_report_id"]


@pytest.mark.parametrize("requested, kept", [("country", None), ("phone", "13812346655")])
def test_the_phone_a_status_check_asked_for_mid_form_answers_it(dispatcher, with_kb, requested, kept):
    pending = {"pending_topic": "check_report_status", "report_id": "HW-20261020-K7QD"}
    tracker = form_tracker("13812346655", "inform", requested=requested, slots=pending)
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert responses(dispatcher) == ["utter_report_not_found"]
    assert SlotSet("pending_topic", None) in events and events[-1] == SlotSet(requested, kept)


@pytest.mark.parametrize(
    "text, intent, requested, response",
    [
        ("你好", "greet", "company_name", "utter_form_greet"),
        ("谢谢", "thank", "phone", "utter_thank"),
        ("你是机器人吗", "bot_challenge", "country", "utter_bot_challenge"),
        ("再见", "goodbye", "ip_type", "utter_form_still_open"),
        ("我要登记纠纷", "report_dispute", "phone", "utter_form_finish_first"),
    ],
)
def test_a_fixed_reply_is_said_and_the_question_asked_again(dispatcher, text, intent, requested, response):
    tracker = form_tracker(text, intent, requested=requested)
    assert run(ValidateDisputeForm(), dispatcher, tracker) == [SlotSet(requested, None)]
    assert responses(dispatcher) == [response]


@pytest.mark.parametrize(
    "requested, text, intent, entities, expected",
    [
        ("phone", "13912345678", "greet", [], {"phone": "13912345678"}),
        ("deadline", "没有", "deny", [], {"deadline": "无"}),
        ("ip_type", "不确定", "deny", [], {"ip_type": "不确定"}),
        ("country", "其他", "deny", [], {"country": "其他"}),
        (
            "dispute_type",
            "被抢注",
            "report_dispute",
            [entity("dispute_type", "商标抢注")],
            {"dispute_type": "商标抢注"},
        ),  # noqa: E501
    ],
)
def test_what_reads_as_an_answer_is_one_whatever_the_intent(dispatcher, requested, text, intent, entities, expected):
    tracker = form_tracker(text, intent, requested=requested, entities=entities)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == expected


@pytest.mark.parametrize("intent", ["stop", "request_human"])
def test_stop_and_request_human_are_left_to_the_rules(dispatcher, intent):
    tracker = form_tracker("算了", intent, requested="phone", slots={"company_name": FILLED["company_name"]})
    assert run(ValidateDisputeForm(), dispatcher, tracker) == []
    assert dispatcher.messages == []


@pytest.mark.parametrize("intent", ["affirm", "deny"])
def test_a_yes_or_no_is_no_company_name(dispatcher, intent):
    tracker = form_tracker("好的", intent, requested="company_name")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"company_name": None}
    assert responses(dispatcher) == ["utter_invalid_company_name"]


def test_nothing_is_read_when_the_form_was_not_listening(dispatcher):
    tracker = form_tracker("13912345678", requested="phone", answered=False)
    assert run(ValidateDisputeForm(), dispatcher, tracker) == []
    assert dispatcher.messages == []


# -- confirmation and the edit menu ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, intent, confirmed",
    [("/affirm", "affirm", True), ("/deny", "deny", None), ("不对", "deny", None)],
)
def test_the_confirmation_answer(dispatcher, text, intent, confirmed):
    tracker = form_tracker(text, intent, requested="report_confirmed", slots=FILLED)
    assert run(ValidateDisputeForm(), dispatcher, tracker) == [SlotSet("report_confirmed", confirmed)]
    assert dispatcher.messages == []


@pytest.mark.parametrize("field", DISPUTE_FIELDS)
def test_an_edit_button_clears_its_field_and_the_confirmation(dispatcher, field):
    text = f'/inform{{"field": "{field}"}}'
    tracker = form_tracker(text, requested="report_confirmed", slots=FILLED, entities=[entity("field", field)])
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert events == [SlotSet("report_confirmed", None), SlotSet(field, None)]
    assert dispatcher.messages == []


def test_an_edit_button_for_a_field_the_form_lacks_clears_only_the_confirmation(dispatcher):
    slots = {f: FILLED[f] for f in UNFAIR_FIELDS}
    tracker = form_tracker(
        '/inform{"field": "ip_type"}',
        requested="report_confirmed",
        slots=slots,
        entities=[entity("field", "ip_type")],
        form="unfair_form",
    )
    assert run(ValidateUnfairForm(), dispatcher, tracker) == [SlotSet("report_confirmed", None)]


# -- ActionAskReportConfirmed -----------------------------------------------------------------


def test_the_summary_lists_every_field_with_its_value(dispatcher):
    tracker = form_tracker("这是最后一个回答", requested="report_confirmed", slots=FILLED)
    assert run(ActionAskReportConfirmed(), dispatcher, tracker) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_report_confirmed"
    assert message["summary"].split("\n") == [f"{LABELS[f]}：{FILLED[f]}" for f in DISPUTE_FIELDS]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny", "/stop"]


def test_the_unfair_form_summary_lists_its_own_fields(dispatcher):
    slots = {f: FILLED[f] for f in UNFAIR_FIELDS}
    tracker = form_tracker("x", requested="report_confirmed", slots=slots, form="unfair_form")
    run(ActionAskReportConfirmed(), dispatcher, tracker)
    assert dispatcher.messages[0]["summary"].split("\n") == [f"{LABELS[f]}：{slots[f]}" for f in UNFAIR_FIELDS]


def test_a_long_description_is_shortened_in_the_summary(dispatcher):
    description = "对方在展会上投诉我们侵权。" * 30
    tracker = form_tracker("x", requested="report_confirmed", slots={**FILLED, "description": description})
    run(ActionAskReportConfirmed(), dispatcher, tracker)
    last = dispatcher.messages[0]["summary"].split("\n")[-1]
    assert last == f"事情经过：{description[:120]}…（共{len(description)}字，已完整保存）"


@pytest.mark.parametrize("form, fields", [("dispute_form", DISPUTE_FIELDS), ("unfair_form", UNFAIR_FIELDS)])
def test_after_a_no_the_fields_to_edit_are_offered(dispatcher, form, fields):
    tracker = form_tracker("/deny", "deny", requested="report_confirmed", slots=FILLED, form=form)
    assert run(ActionAskReportConfirmed(), dispatcher, tracker) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_field_to_edit"
    assert message["buttons"] == [{"title": LABELS[f], "payload": f'/inform{{"field": "{f}"}}'} for f in fields]


# -- the expert form ----------------------------------------------------------------------------


def expert_tracker(text="/inform", intent="inform", requested="expert_id", slots=None, entities=None):
    return form_tracker(text, intent, requested=requested, slots=slots, entities=entities, form="expert_form")


def test_the_best_experts_are_offered_best_first_with_reasons(dispatcher, with_kb):
    tracker = expert_tracker(slots={"country": "德国", "ip_type": "外观设计", "industry": "陶瓷"})
    assert run(ActionAskExpertId(), dispatcher, tracker) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_expert_matches"
    lines = message["experts"].split("\n")
    assert len(lines) == 3
    assert lines[0].startswith("1. 示例专家B")
    assert "匹配原因：熟悉德国、擅长外观设计、有陶瓷行业经验" in lines[0]
    buttons = message["buttons"]
    assert buttons[0] == {
        "title": "示例专家B（欧洲商标与展会纠纷方向）",
        "payload": '/inform{"expert_id": "demo-expert-b"}',
    }
    assert buttons[-1] == {"title": "都不合适，转人工", "payload": "/request_human"}
    assert len(buttons) == 4


def test_without_a_close_match_it_says_so(dispatcher, with_kb):
    tracker = expert_tracker(slots={"country": "冰岛", "ip_type": "不确定", "industry": "不限"})
    run(ActionAskExpertId(), dispatcher, tracker)
    [message] = dispatcher.messages
    assert message["response"] == "utter_expert_no_close_match"
    assert message["buttons"][-1] == {"title": "都不合适，转人工", "payload": "/request_human"}


def test_without_a_close_match_the_available_experts_are_offered(dispatcher, with_kb):
    tracker = expert_tracker(slots={"country": "冰岛", "ip_type": "不确定", "industry": "不限"})
    run(ActionAskExpertId(), dispatcher, tracker)
    [message] = dispatcher.messages
    offered = [b["payload"] for b in message["buttons"][:-1]]
    assert message["experts"] != ""
    assert len(offered) == 3
    assert '/inform{"expert_id": "demo-expert-h"}' not in offered


@pytest.mark.parametrize(
    "chosen, expected",
    [("demo-expert-b", "demo-expert-b"), ("demo-expert-x", None), ("demo-expert-h", None)],
)
def test_only_an_available_known_expert_can_be_chosen(dispatcher, with_kb, chosen, expected):
    slots = {"country": "德国", "ip_type": "外观设计", "industry": "陶瓷"}
    tracker = expert_tracker(f'/inform{{"expert_id": "{chosen}"}}', slots=slots, entities=[entity("expert_id", chosen)])
    assert run(ValidateExpertForm(), dispatcher, tracker) == [SlotSet("expert_id", expected)]
    assert responses(dispatcher) == ([] if expected else ["utter_choose_expert_by_button"])


@pytest.mark.parametrize("text", ["第一个吧", "选1号", "1"])
def test_an_expert_can_be_chosen_by_the_place_in_the_list(dispatcher, with_kb, text):
    tracker = expert_tracker(text, slots={"country": "德国", "ip_type": "外观设计", "industry": "陶瓷"})
    assert run(ValidateExpertForm(), dispatcher, tracker) == [SlotSet("expert_id", "demo-expert-b")]


@pytest.mark.parametrize("text", ["那个懂德国的吧", "第九个"])
def test_typing_anything_else_asks_for_a_button(dispatcher, with_kb, text):
    tracker = expert_tracker(text, slots={"country": "德国", "ip_type": "外观设计", "industry": "陶瓷"})
    assert run(ValidateExpertForm(), dispatcher, tracker) == [SlotSet("expert_id", None)]
    assert responses(dispatcher) == ["utter_choose_expert_by_button"]


@pytest.mark.parametrize(
    "text, industry, response",
    [
        ("陶瓷", "陶瓷", "utter_form_recorded"),
        ("都可以", "不限", "utter_form_recorded"),
        ("不确定", "不限", "utter_form_recorded"),
        ("行" * 21, None, "utter_invalid_industry"),
    ],
)
def test_the_industry_answer(dispatcher, text, industry, response):
    tracker = expert_tracker(text, requested="industry", slots={"country": "德国", "ip_type": "外观设计"})
    assert slots(run(ValidateExpertForm(), dispatcher, tracker)) == {"industry": industry}
    assert responses(dispatcher) == ([response] if response else [])


def test_a_story_that_answers_nothing_asked_is_kept_for_the_description(dispatcher):
    text = "对方说我们商品详情页的图片是盗用他们的"
    tracker = form_tracker(text, requested="deadline", slots={k: FILLED[k] for k in DISPUTE_FIELDS[:5]})
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"description": text, "deadline": None}
    assert responses(dispatcher) == ["utter_form_recorded"]


def test_two_lines_of_story_at_two_questions_are_the_description(dispatcher):
    draft = "对方说我们商品详情页的图片是盗用他们的"
    text = "平台已经把三个链接下架了，店铺也被警告"
    slots_before = {**{k: FILLED[k] for k in DISPUTE_FIELDS[:5]}, "description_draft": draft}
    tracker = form_tracker(text, requested="deadline", slots=slots_before)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {
        "description": f"{draft}；{text}",
        "description_draft": None,
        "deadline": None,
    }


def test_no_deadline_said_among_other_answers_is_taken(dispatcher):
    text = "铜川华瓷陶瓷有限公司，美国，外观设计，没有期限"
    found = [entity("company_name", "铜川华瓷陶瓷有限公司"), entity("country", "美国"), entity("ip_type", "外观设计")]
    tracker = form_tracker(text, requested="company_name", entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["deadline"] == "无"


def test_a_bare_no_among_other_answers_is_the_deadline(dispatcher):
    text = "铜川华瓷陶瓷有限公司，美国，外观设计，没有"
    found = [entity("company_name", "铜川华瓷陶瓷有限公司"), entity("country", "美国"), entity("ip_type", "外观设计")]
    tracker = form_tracker(text, requested="company_name", entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["deadline"] == "无"


def test_a_long_description_that_calls_something_wrong_corrects_nothing(dispatcher):
    text = "对方说我们的产品侵权，这不对，我们在美国早就注册了商标，他们是后来才申请的，明显是恶意投诉"
    slots_before = {k: FILLED[k] for k in DISPUTE_FIELDS[:6]}
    tracker = form_tracker(text, requested="description", slots=slots_before, entities=[entity("country", "美国")])
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"description": text}


def test_an_open_value_said_as_a_no_is_taken(dispatcher):
    tracker = expert_tracker("不限", "deny", requested="industry", slots={"country": "德国", "ip_type": "外观设计"})
    assert slots(run(ValidateExpertForm(), dispatcher, tracker)) == {"industry": "不限"}


def test_an_industry_told_by_what_the_company_makes(dispatcher):
    tracker = expert_tracker("做家具的", requested="industry", slots={"country": "日本", "ip_type": "外观设计"})
    assert slots(run(ValidateExpertForm(), dispatcher, tracker)) == {"industry": "家具"}


def test_a_list_of_answers_is_no_account_of_what_happened(dispatcher):
    text = "登记纠纷：铜川华瓷陶瓷有限公司，13912345678，美国，外观设计，亚马逊链接被下架，没有期限"
    found = [
        {"entity": "company_name", "value": "铜川华瓷陶瓷有限公司", "start": 5, "end": 15},
        {"entity": "phone", "value": "13912345678", "start": 16, "end": 27},
        {"entity": "country", "value": "美国", "start": 28, "end": 30},
        {"entity": "ip_type", "value": "外观设计", "start": 31, "end": 35},
        {"entity": "dispute_type", "value": "电商平台投诉", "start": 36, "end": 44},
    ]
    tracker = form_tracker(text, "report_dispute", requested=None, answered=False, entities=found)
    taken = slots(run(ValidateDisputeForm(), dispatcher, tracker))
    assert "description" not in taken
    assert taken["deadline"] == "无"


def test_a_kind_missed_twice_is_left_unsure_and_the_form_goes_on(dispatcher):
    misses = {"slot": "dispute_type", "count": 1, "typed": "说不清"}
    tracker = form_tracker("反正就是有麻烦", requested="dispute_type", slots={"form_misses": misses})
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"dispute_type": "不确定"}
    assert responses(dispatcher) == ["utter_invalid_dispute_type", "utter_form_left_open"]


def test_a_field_changed_to_unsure_at_the_summary(dispatcher):
    tracker = form_tracker("知识产权类型改成不确定", requested="report_confirmed", slots=FILLED)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"ip_type": "不确定", "report_confirmed": None}


@pytest.mark.parametrize(
    "text, changed",
    [
        ("期限改成没有", {"deadline": "无"}),
        ("国家改成不确定", {"country": "不确定"}),
        ("纠纷类型改成律师函", {"dispute_type": "警告函"}),
    ],
)
def test_what_follows_the_change_word_is_the_fields_new_answer(dispatcher, text, changed):
    tracker = form_tracker(text, requested="report_confirmed", slots={**FILLED, "deadline": "2030-12-30"})
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {**changed, "report_confirmed": None}


@pytest.mark.parametrize(
    "slot, text, value", [("dispute_type", "律师涵", "警告函"), ("ip_type", "外观设记", "外观设计")]
)
def test_a_closed_answer_with_one_character_wrong_is_read(dispatcher, slot, text, value):
    tracker = form_tracker(text, requested=slot)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))[slot] == value


def test_a_value_typed_in_characters_of_its_sound_answers_its_question_wherever_asked(dispatcher):
    filled = {k: FILLED[k] for k in DISPUTE_FIELDS[:2]}
    tracker = form_tracker("外观涉及", requested="country", slots=filled)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"ip_type": "外观设计", "country": None}


def test_a_value_typed_in_characters_of_its_sound_inside_an_answer_is_read(dispatcher):
    filled = {**{k: FILLED[k] for k in DISPUTE_FIELDS[:3]}}
    tracker = form_tracker("类型是著做权", requested="ip_type", slots=filled)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"ip_type": "著作权"}


def test_a_misspelt_value_for_another_question_is_used_for_that_question(dispatcher):
    filled = {k: FILLED[k] for k in DISPUTE_FIELDS[:2]}
    tracker = form_tracker("律师涵", requested="country", slots=filled)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"dispute_type": "警告函", "country": None}


def test_a_value_left_unsure_is_filled_by_a_later_one_without_a_correction(dispatcher):
    filled = {**{k: FILLED[k] for k in DISPUTE_FIELDS[:2]}, "country": "不确定"}
    found = [entity("country", "美国"), entity("dispute_type", "临时禁令")]
    tracker = form_tracker("是伊利诺伊北区法院的TRO", requested="ip_type", slots=filled, entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {
        "country": "美国",
        "dispute_type": "临时禁令",
        "ip_type": None,
    }


def test_unsure_in_a_list_of_answers_is_the_answer_for_the_one_kind_left(dispatcher):
    text = "铜川红土镇果蔬有限公司，电话15991230066，澳大利亚，商标，不确定，没有期限"
    found = [
        entity("company_name", "铜川红土镇果蔬有限公司"),
        entity("phone", "15991230066"),
        entity("country", "澳大利亚"),
        entity("ip_type", "商标"),
    ]
    # The NLU's mappings set what the entities give before the form starts.
    known = {"company_name": "铜川红土镇果蔬有限公司", "phone": "15991230066"}
    known.update({"country": "澳大利亚", "ip_type": "商标"})
    tracker = form_tracker(text, "report_dispute", requested=None, answered=False, entities=found, slots=known)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["dispute_type"] == "不确定"


def test_digits_at_the_phone_question_are_an_attempt_whatever_the_intent(dispatcher):
    tracker = form_tracker("1391234", "goodbye", requested="phone")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"phone": None}
    assert responses(dispatcher) == ["utter_invalid_phone"]


def test_a_long_opening_account_is_the_description(dispatcher):
    text = (
        "我们在德国法兰克福展会上被一家当地公司投诉，说我们的青瓷花瓶抄了他们登记的设计，"
        "展会方要求我们明天中午前撤下展品，对方律师还要我们签一份声明，要登记一下"
    )
    tracker = form_tracker(text, "report_dispute", requested=None, answered=False)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["description"] == text


def test_an_opening_that_answers_every_other_question_takes_its_short_story_as_the_account(dispatcher):
    whole = (
        "登记纠纷。铜川天宝陶瓷有限公司，电话13991238888，法国，商标，警告函，没有期限。"
        "巴黎一家公司说我们的品牌名和他们的太像"
    )

    def found(text, **values):
        spans = {k: (text.find(v), text.find(v) + len(v)) for k, v in values.items()}
        return [{"entity": k, "value": v, "start": spans[k][0], "end": spans[k][1]} for k, v in values.items()]

    told = {"company_name": "铜川天宝陶瓷有限公司", "country": "法国", "ip_type": "商标", "dispute_type": "警告函"}
    tracker = form_tracker(whole, "report_dispute", requested=None, answered=False, entities=found(whole, **told))
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["description"] == whole
    unfair = "我们在国外受到不公平待遇想反映，公司铜川市汇通物流有限公司，电话15129196677，在阿根廷"
    named = found(unfair, company_name="铜川市汇通物流有限公司", country="阿根廷")
    tracker = form_tracker(unfair, "report_unfair_treatment", requested=None, answered=False, entities=named)
    assert "description" not in slots(run(ValidateUnfairForm(), dispatcher, tracker))
    line = "法国一家公司说我们的品牌名和他们的太像，发了警告函，帮我登记"
    named = found(line, country="法国", dispute_type="警告函")
    tracker = form_tracker(line, "report_dispute", requested=None, answered=False, entities=named)
    assert "description" not in slots(run(ValidateDisputeForm(), dispatcher, tracker))


def test_a_correction_that_quotes_the_wrong_value_is_one_however_long(dispatcher):
    text = "等下 电话说错了，不是13709196634，是13709196643"
    filled = {"company_name": "铜川恒信陶瓷有限公司", "phone": "13709196634"}
    tracker = form_tracker(text, requested="country", slots=filled)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"phone": "13709196643", "country": None}


def test_a_correction_that_names_the_new_value_first(dispatcher):
    found = [entity("ip_type", "外观设计"), entity("ip_type", "专利")]
    filled = {**FILLED, "ip_type": "专利"}
    tracker = form_tracker("类型是外观设计不是专利", requested="report_confirmed", slots=filled, entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"ip_type": "外观设计", "report_confirmed": None}


@pytest.mark.parametrize(
    "text, asks",
    [
        ("schedule A的案子是啥，为啥被告名单里一堆中国卖家", True),
        ("什么是337", True),
        ("不应诉有啥后果", True),
        ("一批配件在伊斯坦布尔被海关扣了 具体是啥权也没说清", False),
        ("不知道为啥被投诉了", False),
        ("顺便问一下，收到警告函不回会怎么样", True),
        ("这个嘛", False),
        ("要多少天内答复", True),
        ("一般几个月能下来", True),
        ("还有十几天", False),
        ("土耳其海关查我们的商标查得特别严，每次都扣好几天，别的国家的同类货直接放行", False),
    ],
)
def test_what_and_why_ask_where_a_clause_asks_them(text, asks):
    assert is_question(text) is asks


def test_a_story_with_a_question_word_in_passing_is_the_description(dispatcher):
    text = "一批破碎机配件在伊斯坦布尔被海关扣了 说涉嫌侵权 具体是啥权也没说清"
    tracker = form_tracker(text, "ask_dispute_guidance", requested="description")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"description": text}


def test_a_correction_also_takes_what_it_tells_of_fields_still_to_be_told(dispatcher):
    found = [entity("country", "西班牙"), entity("ip_type", "外观设计"), entity("ip_type", "专利")]
    filled = {k: FILLED[k] for k in DISPUTE_FIELDS if k != "country"} | {"ip_type": "专利"}
    tracker = form_tracker("国家改成西班牙，类型是外观设计不是专利", requested="country", slots=filled, entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"country": "西班牙", "ip_type": "外观设计"}
    assert dispatcher.messages[0]["changes"] == "国家/地区 西班牙，知识产权类型 专利 → 外观设计"


# -- misses that answers to other questions do not reset ---------------------------------------


def test_an_answer_to_another_question_keeps_the_misses_of_the_one_asked(dispatcher):
    misses = {"slot": "dispute_type", "count": 1, "typed": "没有"}
    text = "葡萄牙有人卖的苹果包装上印着铜川苹果，根本不是我们的货"
    tracker = form_tracker(text, requested="dispute_type", slots={"form_misses": misses, "country": "葡萄牙"})
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert slots(events)["description"] == text
    assert not any(e.get("name") == "form_misses" for e in events)  # the count stands


def test_gibberish_is_a_miss_of_the_question_asked(dispatcher):
    misses = {"slot": "ip_type", "count": 1, "typed": "qwerty"}
    tracker = form_tracker("啊啊啊", "out_of_scope", requested="ip_type", slots={"form_misses": misses})
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert slots(events)["ip_type"] == "不确定"  # the second miss leaves the kind to staff
    assert dispatcher.messages[0]["response"] == "utter_invalid_ip_type"


@pytest.mark.parametrize("requested", ["phone", "description", "company_name"])
def test_confirming_before_the_summary_says_the_form_is_not_done(dispatcher, requested):
    tracker = form_tracker("确认", "affirm", requested=requested, slots={"country": "德国"})
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert SlotSet("form_misses", {"slot": requested, "count": 1, "typed": "确认"}) in events
    assert dispatcher.messages[0]["response"] == "utter_form_not_done"


def test_confirming_when_only_what_may_stay_open_is_left_leaves_it_open(dispatcher):
    filled = {**FILLED, "dispute_type": None, "deadline": None}
    tracker = form_tracker("确认", "affirm", requested="dispute_type", slots=filled)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"dispute_type": "不确定", "deadline": "无"}
    assert responses(dispatcher) == ["utter_form_left_open", "utter_form_left_open"]


@pytest.mark.parametrize("text", ["？？？", "??"])
def test_punctuation_alone_is_no_question(text):
    assert not is_question(text)


@pytest.mark.parametrize("slot, text, value", [("country", "越楠", "越南"), ("ip_type", "专立", "专利")])
def test_a_two_character_answer_with_one_character_wrong_is_read(dispatcher, slot, text, value):
    tracker = form_tracker(text, requested=slot)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))[slot] == value


@pytest.mark.parametrize("text", ["不确订", "不清处", "布知道"])
def test_unsure_typed_in_characters_of_the_same_sound_leaves_the_field_open(dispatcher, text):
    tracker = form_tracker(text, requested="dispute_type")
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["dispute_type"] == "不确定"


def test_a_country_outside_the_gazetteer_is_taken_wherever_it_is_said(dispatcher):
    text = "公司叫铜川耀青坊瓷业有限公司，电话13700291234，在葡萄牙"
    found = [entity("company_name", "铜川耀青坊瓷业有限公司"), entity("phone", "13700291234")]
    tracker = form_tracker(text, requested="company_name", entities=found)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker))["country"] == "葡萄牙"


def test_a_field_named_at_the_summary_is_asked_again(dispatcher):
    filled = {"country": "波兰", "company_name": "铜川印台手工艺品有限公司"}
    tracker = form_tracker("国家", requested="report_confirmed", slots=filled)
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"report_confirmed": None, "country": None}


def test_a_question_of_what_a_value_is_is_answered_not_taken(dispatcher, with_kb):
    found = [entity("dispute_type", "临时禁令")]
    tracker = form_tracker("TRO是什么意思？", "ask_dispute_guidance", requested="dispute_type", entities=found)
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert events[-1] == SlotSet("dispute_type", None)
    assert dispatcher.messages[0]["response"] == "utter_answer"


def test_a_two_character_word_one_character_from_a_city_is_no_country(dispatcher):
    tracker = form_tracker("那边", requested="country")  # 金边 is a form of 柬埔寨, not its name
    assert slots(run(ValidateDisputeForm(), dispatcher, tracker)) == {"country": None}


def test_any_industry_said_beside_other_answers_is_taken(dispatcher):
    found = [entity("country", "德国"), entity("ip_type", "专利")]
    tracker = expert_tracker("想找个懂德国专利的专家，行业不限", requested="industry", entities=found)
    assert slots(run(ValidateExpertForm(), dispatcher, tracker))["industry"] == "不限"


def test_any_value_of_a_field_named_at_another_question_fills_that_field(dispatcher):
    tracker = expert_tracker("行业也不限", requested="country", slots={"ip_type": "商标"})
    assert slots(run(ValidateExpertForm(), dispatcher, tracker)) == {"industry": "不限", "country": None}


def test_the_expert_requests_own_verb_is_no_industry_and_any_country_is_taken(dispatcher):
    # The classifier takes 匹配 in 帮我匹配个专家 for an industry.
    tracker = expert_tracker("帮我匹配个专家，国家不限", requested="country", entities=[entity("industry", "匹配")])
    taken = slots(run(ValidateExpertForm(), dispatcher, tracker))
    assert taken.get("country") == "不确定"
    assert "industry" not in taken


def test_a_how_question_at_the_name_question_is_answered_not_taken(dispatcher, with_kb):
    tracker = form_tracker("那要怎么申诉", "ask_dispute_guidance", requested="company_name")
    events = run(ValidateDisputeForm(), dispatcher, tracker)
    assert events[-1] == SlotSet("company_name", None)
    assert dispatcher.messages[0]["response"] == "utter_answer"


def test_a_word_the_classifier_took_for_a_name_in_a_story_is_no_name(dispatcher):
    story = "美国法院给我们送达了传票和起诉状，说我们侵犯他们的专利"
    tracker = form_tracker(story, requested="country", entities=[entity("company_name", "送达")])
    assert "company_name" not in slots(run(ValidateDisputeForm(), dispatcher, tracker))


def test_a_name_listed_with_a_phone_at_the_name_question_is_the_name(dispatcher):
    tracker = form_tracker("铜川华瓷，电话13912345678", requested="company_name")
    taken = slots(run(ValidateDisputeForm(), dispatcher, tracker))
    assert (taken.get("company_name"), taken.get("phone")) == ("铜川华瓷", "13912345678")


def test_a_remark_beside_a_phone_at_the_name_question_is_no_name(dispatcher):
    tracker = form_tracker("先记电话吧 18700001234", requested="company_name")
    taken = slots(run(ValidateDisputeForm(), dispatcher, tracker))
    assert (taken.get("company_name"), taken.get("phone")) == (None, "18700001234")


@pytest.mark.parametrize(
    "text, asks",
    [
        ("当地海关只对中国来的陶瓷额外查验，每次拖一个多月，别国的货几天就放了", False),
        ("我们苹果箱子上印了洛川苹果几个字，澳洲那边的进口商说有人提出这个不能用", False),
        ("英国一家图片公司发来律师函，说我们官网上六张产品照片是他们拍的", False),
        ("要几天", True),
        ("一般几个月能结案", True),
        ("官网在哪", True),
    ],
)
def test_a_number_word_or_a_website_in_passing_asks_nothing(text, asks):
    assert is_question(text) is asks
