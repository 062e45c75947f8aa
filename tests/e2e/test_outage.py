"""An action-server outage mid-conversation: the user is told the truth, and a confirmed
report whose saving failed is neither acknowledged nor lost (it can be confirmed again)."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.records.models import Report
from tests.e2e.test_reports import DESCRIPTION, REPORT_ID, engine_of

pytestmark = pytest.mark.e2e

BUSY = "系统暂时繁忙"


def reports_of(servers, sender):
    with Session(engine_of(servers)) as session:
        return session.scalars(select(Report).where(Report.sender_id == sender)).all()


def test_an_action_server_outage_is_told_and_the_confirmation_is_not_lost(chat, servers):
    answers = ["我要登记纠纷", "铜川停机测试有限公司", "13912345679", "法国", "外观设计", "警告函", "没有"]
    for text in answers:
        chat.say(text)
    assert "请核对" in chat.texts(DESCRIPTION)
    servers.stop(["actions"])
    try:
        reply = chat.texts("确认提交")
        assert BUSY in reply and not REPORT_ID.search(reply)
        assert reports_of(servers, chat.sender) == []
        assert BUSY in chat.texts("在美国被起诉了怎么办")  # every turn says so, none is silent
    finally:
        servers.start_actions()
        servers.wait_ready()
    reply = chat.texts("确认提交")
    assert REPORT_ID.search(reply), reply
    saved = reports_of(servers, chat.sender)
    assert [(r.company_name, r.country) for r in saved] == [("铜川停机测试有限公司", "法国")]
