"""Reporting a dispute or unfair treatment, checking its status, subscribing to alerts and
asking for an expert, over the REST channel against the real servers and database."""

import asyncio
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.core.dates import today_in_china
from knowledge.core.db import make_engine
from knowledge.records.models import UNFAIR_TREATMENT, ConsultationRequest, Report, Subscription
from tests.e2e.conftest import Widget, until

pytestmark = pytest.mark.e2e

REPORT_ID = re.compile(r"HW-\d{8}-[2-9A-HJ-NP-Z]{4}")
DESCRIPTION = "今年10月我们在欧洲客户处收到律师函，称我们的陶瓷餐具外观与其注册设计相似，要求停止销售并赔偿。"


def engine_of(servers):
    return make_engine(servers.settings.database_url)


def saved_report(servers, report_id):
    with Session(engine_of(servers)) as session:
        return session.scalars(select(Report).where(Report.id == report_id)).first()


def file_report(chat, deadline="没有") -> str:
    """A complete, non-urgent dispute report; returns its id."""
    chat.say("我要登记一起海外知识产权纠纷")
    chat.say("铜川华陶瓷业有限公司")
    chat.say("13912345678")
    chat.say("法国")
    chat.say("外观设计")
    chat.say("警告函")
    chat.say(deadline)
    summary = chat.texts(DESCRIPTION)
    assert "请核对" in summary and "铜川华陶瓷业有限公司" in summary
    reply = chat.texts("/affirm")
    return REPORT_ID.search(reply).group(0)


def test_the_dispute_form_asks_in_order_confirms_and_saves_with_an_id(chat, servers):
    assert "企业的全称" in chat.texts("我要登记一起海外知识产权纠纷")
    assert "联系电话" in chat.texts("铜川华陶瓷业有限公司")
    assert "哪个国家" in chat.texts("13912345678")
    assert "哪类知识产权" in chat.texts("法国")
    assert "哪类纠纷" in chat.texts("外观设计")
    assert "什么日期前" in chat.texts("警告函")
    assert "事情经过" in chat.texts("12月31日前")
    summary = chat.texts(DESCRIPTION)
    for value in ["铜川华陶瓷业有限公司", "13912345678", "法国", "外观设计", "警告函", "12-31", "律师函"]:
        assert value in summary
    reply = chat.texts("确认提交")
    report_id = REPORT_ID.search(reply).group(0)
    assert "2 个工作日" in reply

    saved = saved_report(servers, report_id)
    assert (saved.company_name, saved.phone, saved.country, saved.ip_type, saved.dispute_type) == (
        "铜川华陶瓷业有限公司",
        "13912345678",
        "法国",
        "外观设计",
        "警告函",
    )
    assert saved.channel == "rest" and saved.sender_id == chat.sender
    assert saved.description == DESCRIPTION and not saved.urgent
    assert any(line["text"] == "确认提交" for line in saved.transcript)


def test_entities_of_the_opening_message_prefill_the_form(chat):
    chat.say("我们在德国展会上被投诉外观设计侵权，想登记")
    chat.say("铜川华陶瓷业有限公司")
    # Country, IP type and dispute type came with the first message: next is the deadline.
    assert "什么日期前" in chat.texts("13912345678")


@pytest.mark.parametrize(
    "slot_question, answer, error",
    [
        ("phone", "12345", "不是有效的电话号码"),
        ("country", "火星", "没能识别"),
        ("deadline", "过段时间吧", "没能看懂"),
        ("description", "被投诉了", "描述有点简单"),
    ],
)
def test_each_invalid_answer_is_explained_and_asked_again(chat, slot_question, answer, error):
    chat.say("我要登记一起海外知识产权纠纷")
    steps = {
        "phone": ["铜川华陶瓷业有限公司"],
        "country": ["铜川华陶瓷业有限公司", "0919-3185678"],
        "deadline": ["铜川华陶瓷业有限公司", "0919-3185678", "法国", "商标", "警告函"],
        "description": ["铜川华陶瓷业有限公司", "0919-3185678", "法国", "商标", "警告函", "没有"],
    }[slot_question]
    for step in steps:
        question = chat.say(step)[-1]["text"]  # after “已记录：…”
    reply = chat.texts(answer)
    assert error in reply
    assert question.split("（")[0][:8] in reply  # the same question again


def test_a_past_deadline_is_questioned_and_can_be_confirmed(chat):
    chat.say("我要登记一起海外知识产权纠纷")
    for step in ["铜川华陶瓷业有限公司", "13912345678", "法国", "商标", "警告函"]:
        chat.say(step)
    past = today_in_china() - timedelta(days=3)
    assert "已经过去了" in chat.texts(f"{past.year}-{past.month:02d}-{past.day:02d}")
    assert "事情经过" in chat.texts("/affirm")


def test_a_pasted_letter_of_thousands_of_characters_is_kept_whole(chat, servers):
    letter = "尊敬的先生：我方代表权利人通知贵司，贵司在展会上展示的产品涉嫌侵犯我方注册外观设计。" * 120
    chat.say("我要登记一起海外知识产权纠纷")
    for step in ["铜川华陶瓷业有限公司", "13912345678", "法国", "外观设计", "警告函", "没有"]:
        chat.say(step)
    summary = chat.texts(letter)
    assert f"共{len(letter)}字" in summary
    report_id = REPORT_ID.search(chat.texts("/affirm")).group(0)
    assert saved_report(servers, report_id).description == letter


def test_a_question_in_the_middle_is_answered_and_the_form_resumes(chat):
    chat.say("我要登记一起海外知识产权纠纷")
    chat.say("铜川华陶瓷业有限公司")
    reply = chat.texts("337调查的应诉期限是多久？")
    assert "来源：" in reply and "联系电话" in reply
    assert "哪个国家" in chat.texts("13912345678")


def test_cancelling_asks_once_then_discards_and_saves_nothing(chat, servers):
    chat.say("我要登记一起海外知识产权纠纷")
    chat.say("铜川华陶瓷业有限公司")
    assert "确定要放弃" in chat.texts("算了")
    assert "联系电话" in chat.texts("/deny")  # continue: the same question again
    assert "确定要放弃" in chat.texts("不报了")
    assert "没有保存任何内容" in chat.texts("/affirm")
    with Session(engine_of(servers)) as session:
        assert session.scalars(select(Report).where(Report.sender_id == chat.sender)).first() is None
    assert chat.tracker()["active_loop"] == {}


def test_a_field_can_be_corrected_from_the_summary(chat, servers):
    chat.say("我要登记一起海外知识产权纠纷")
    for step in ["铜川华陶瓷业有限公司", "13912345678", "法国", "商标", "警告函", "没有"]:
        chat.say(step)
    chat.say(DESCRIPTION)
    assert "要修改的项目" in chat.texts("/deny")
    assert "联系电话" in chat.texts('/inform{"field": "phone"}')
    summary = chat.texts("0919-3185678")
    assert "0919-3185678" in summary and "请核对" in summary
    report_id = REPORT_ID.search(chat.texts("/affirm")).group(0)
    assert saved_report(servers, report_id).phone == "0919-3185678"


def test_an_urgent_report_notifies_the_duty_webhook_and_hands_off(chat, servers, receiver, staff):
    chat.say("我们在德国汉诺威展会上被申请了临时禁令，想登记")
    chat.say("铜川华陶瓷业有限公司")
    assert "哪类知识产权" in chat.texts("13912345678")  # country and dispute type came first
    assert "什么日期前" in chat.texts("外观设计")
    chat.say("没有")
    chat.say("展会第二天，对方律师带着法院的临时禁令要求我们撤下两款展品，并要求签署停止侵权声明。")
    reply = chat.texts("/affirm")
    report_id = REPORT_ID.search(reply).group(0)
    assert "紧急" in reply and "人工服务" in reply
    notified = receiver.wait_for(lambda body: body.get("report", {}).get("id") == report_id)
    assert notified and notified[0]["msgtype"] == "text" and "临时禁令" in notified[0]["text"]["content"]
    # Marked delivered once the receiver has answered.
    for _ in range(50):
        pending = [n["report_id"] for n in staff.get("/api/notifications").json()["pending"]]
        if report_id not in pending:
            break
        time.sleep(0.1)
    assert report_id not in pending
    handoff = staff.handoff_of(chat.sender)
    assert handoff["urgent"] and handoff["report_id"] == report_id
    queue = staff.get("/api/handoffs").json()["handoffs"]
    assert queue.index(handoff) < next((i for i, h in enumerate(queue) if not h["urgent"]), len(queue))
    assert staff.get("/api/reports").json()["reports"][0]["urgent"]
    # The handoff is queued: the bot answers until staff write, then the conversation is theirs.
    assert staff.get(f"/api/handoffs/{handoff['id']}").json()["paused"] is False
    answer = chat.texts("临时禁令一般多久失效？")
    assert answer and "会保留给人工服务" not in answer
    assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": "您好，我是值班工作人员。"}).ok
    assert staff.get(f"/api/handoffs/{handoff['id']}").json()["paused"] is True
    assert chat.say("好的，我们等您电话") == []


def test_the_status_is_shown_to_its_owner_and_to_nobody_else_without_the_phone(chat, servers, staff):
    from tests.e2e.conftest import Chat

    report_id = file_report(chat)
    assert staff.post(f"/api/reports/{report_id}/status", {"status": "处理中", "note": "已联系企业"}).ok
    own = chat.texts(f"{report_id}进度怎么样")
    assert "处理中" in own and "已联系企业" in own

    stranger = Chat(servers.settings.rasa_url)
    unknown_id = "HW-20260101-ZZZZ"
    foreign = stranger.texts(f"查一下{report_id}的进度")
    assert "处理中" not in foreign and "联系电话" in foreign
    wrong_phone_foreign = stranger.texts("13800000000")
    assert "处理中" not in wrong_phone_foreign
    unknown = stranger.texts(f"查一下{unknown_id}的进度")
    wrong_phone_unknown = stranger.texts("13800000000")
    # Nothing tells an existing id from an unknown one.
    assert foreign.replace(report_id, "ID") == unknown.replace(unknown_id, "ID")
    assert wrong_phone_foreign.replace(report_id, "ID") == wrong_phone_unknown.replace(unknown_id, "ID")
    stranger.say(f"查一下{report_id}的进度")
    assert "处理中" in stranger.texts("139 1234 5678")


def test_a_closed_report_shows_its_result(chat, staff):
    report_id = file_report(chat)
    assert staff.post(f"/api/reports/{report_id}/status", {"status": "已办结"}).status_code == 400
    assert staff.post(f"/api/reports/{report_id}/status", {"status": "已办结", "result": "双方和解"}).ok
    reply = chat.texts(f"{report_id}办得怎么样了")
    assert "已办结" in reply and "双方和解" in reply


def test_unfair_treatment_creates_a_feedback_record_with_an_id(chat, servers):
    chat.say("我们在海外遭遇了知识产权不公平待遇，想反映一下")
    chat.say("铜川华陶瓷业有限公司")
    chat.say("13912345678")
    assert "不公平待遇" in chat.texts("印度")
    chat.say("当地审查员对我们的商标申请无理由多次驳回，而同类外国企业的申请都很快通过。")
    report_id = REPORT_ID.search(chat.texts("/affirm")).group(0)
    saved = saved_report(servers, report_id)
    assert saved.kind == UNFAIR_TREATMENT and saved.country == "印度"


def test_subscriptions_are_stored_listed_and_removed(chat, servers):
    assert "美国" in chat.texts("订阅美国的风险预警")
    assert "陶瓷" in chat.texts("再订阅陶瓷行业的预警")
    listed = chat.texts("我订阅了什么")
    assert "美国" in listed and "陶瓷" in listed
    chat.say("退订美国的预警")
    with Session(engine_of(servers)) as session:
        rows = session.scalars(select(Subscription).where(Subscription.sender_id == chat.sender)).all()
    assert [(r.country, r.industry) for r in rows] == [("", "陶瓷")]


def test_a_widget_subscriber_gets_a_published_alert_when_they_come_back(servers, staff):
    alert = "alert-machinery-patent-fto-europe"  # 欧盟, 机械装备

    async def scenario():
        widget = Widget(servers.settings.rasa_url)
        token = await widget.open()
        await widget.say("订阅欧盟的风险预警", wait_for=lambda t: "欧盟" in t)
        await widget.close()
        published = staff.post(f"/api/alerts/{alert}/publish").json()
        back = Widget(servers.settings.rasa_url)
        await back.open(token=token)  # a reload: the same conversation
        await until(lambda: "【风险预警·" in back.texts())
        await back.close()
        return published, back.texts()

    published, seen = asyncio.run(scenario())
    assert published["new_subscribers"] >= 1 and "风险预警·" in seen and "来源：" in seen


def test_an_expert_request_asks_what_is_missing_shows_matches_and_hands_over(chat, servers, staff):
    chat.say("我想咨询德国外观设计方面的专家")
    reply = chat.say("陶瓷")
    text = " ".join(r.get("text", "") for r in reply)
    assert "示例专家B" in text and "熟悉德国" in text
    choice = next(b["payload"] for b in reply[-1]["buttons"] if "示例专家B" in b["title"])
    assert "咨询预约" in chat.texts(choice)
    with Session(engine_of(servers)) as session:
        request = session.scalars(select(ConsultationRequest).where(ConsultationRequest.sender_id == chat.sender)).one()
    assert request.expert_id == "demo-expert-b" and request.country == "德国"
    assert staff.handoff_of(chat.sender)["reason"] == "expert_consultation"
