"""The WeChat channel through the real Rasa server, with a local fake of WeChat's servers:
verification, plaintext and safe mode, retries, the 5-second rule, numbered options, pushes."""

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.database import prepare_database
from bot.processes import Servers, subprocess_env
from knowledge.core.db import make_engine
from knowledge.records.models import Report
from tests.e2e import fake_wechat
from tests.e2e.conftest import RASA_TOKEN, Chat, Staff, make_settings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wechat_api():
    api = fake_wechat.FakeWeChatApi()
    yield api
    api.close()


def start(model, directory, api, **changes):
    settings = fake_wechat.account_settings(make_settings(f"sqlite:///{directory / 'assistant.db'}"), api, **changes)
    prepare_database(settings.database_url)
    running = Servers(settings, model, directory / "logs")
    running.start()
    # The first knowledge question builds the search index (seconds): not in a test's turn.
    warm_up = {"sender": "warm-up", "message": "在越南注册商标需要多长时间"}
    requests.post(f"{settings.rasa_url}/webhooks/rest/webhook", json=warm_up, timeout=60)
    return running


@pytest.fixture(scope="module")
def plain(model, tmp_path_factory, wechat_api):
    """An account in plaintext mode, answering passively within 4 s, with an alert template."""
    running = start(
        model, tmp_path_factory.mktemp("wechat-plain"), wechat_api, wechat_alert_template_id=fake_wechat.ALERT_TEMPLATE
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def safe(model, tmp_path_factory, wechat_api):
    """An account in safe mode whose turns all take longer than it waits (0 s): every turn's
    reply goes through the customer-service API."""
    running = start(
        model,
        tmp_path_factory.mktemp("wechat-safe"),
        wechat_api,
        wechat_aes_key=fake_wechat.AES_KEY,
        wechat_passive_within_s=0.0,
    )
    yield running
    running.stop()


def webhook(servers):
    return f"{servers.settings.rasa_url}/webhooks/wechat/webhook"


def user_turns(servers, open_id):
    url = f"{servers.settings.rasa_url}/conversations/wx-{open_id}/tracker"
    events = requests.get(url, params={"token": RASA_TOKEN}, timeout=30).json()["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def test_verification_answers_echostr_exactly_and_only_when_signed(plain):
    now, nonce = str(int(time.time())), "42"
    query = {
        "timestamp": now,
        "nonce": nonce,
        "echostr": "8126419038203",
        "signature": fake_wechat.signature(fake_wechat.TOKEN, now, nonce),
    }
    answered = requests.get(webhook(plain), params=query, timeout=30)
    assert (answered.status_code, answered.text) == (200, "8126419038203")
    assert requests.get(webhook(plain), params={**query, "signature": "0" * 40}, timeout=30).status_code == 403


def test_a_text_gets_a_passive_reply_in_the_conversation_of_its_openid(plain):
    user = fake_wechat.WeChatUser(webhook(plain))
    reply = user.reply_text(user.say("在美国被起诉了怎么办"))
    assert "来源" in reply or "美国" in reply
    assert user_turns(plain, user.open_id) == ["在美国被起诉了怎么办"]


@pytest.mark.parametrize(
    "change",
    [dict(signature="0" * 40), dict(timestamp=int(time.time()) - 3600), dict(signature="")],
)
def test_a_forged_or_stale_message_gets_403_and_never_reaches_the_agent(plain, change):
    user = fake_wechat.WeChatUser(webhook(plain))
    xml = user.text_xml("人工服务")
    if "timestamp" in change:
        response = user.post(xml, timestamp=change["timestamp"])
    else:
        response = user.post(xml, **change)
    assert response.status_code == 403
    assert user_turns(plain, user.open_id) == []


def test_a_retry_storm_makes_one_turn_and_every_retry_gets_the_same_reply(plain):
    user = fake_wechat.WeChatUser(webhook(plain))
    xml = user.text_xml("我要登记纠纷")
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: user.post(xml), range(3)))
    later = user.post(xml)
    assert all(a.status_code == 200 for a in answers + [later])
    assert user_turns(plain, user.open_id) == ["我要登记纠纷"]
    # The one that ran the turn got the reply (the others, while it ran, `success`); a retry
    # after it gets that same reply again.
    replies = {user.reply_text(a) for a in answers} - {""}
    assert len(replies) == 1 and user.reply_text(later) in replies


def test_a_nonce_reused_for_another_message_is_a_replay(plain):
    user = fake_wechat.WeChatUser(webhook(plain))
    assert user.say("你好", nonce="same-nonce").status_code == 200
    assert user.say("转人工", nonce="same-nonce").status_code == 403
    assert user_turns(plain, user.open_id) == ["你好"]


def test_voice_images_and_events_are_answered_sensibly(plain):
    user = fake_wechat.WeChatUser(webhook(plain))
    recognised = user.post(
        user.xml("voice", "<MediaId>m</MediaId><Format>amr</Format><Recognition>你好</Recognition>", 901)
    )
    assert user.reply_text(recognised)
    unheard = user.post(user.xml("voice", "<MediaId>m</MediaId><Format>amr</Format>", 902))
    assert "发文字" in user.reply_text(unheard)
    image = user.post(user.xml("image", "<PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId>", 903))
    assert "文字" in user.reply_text(image)
    welcome = user.post(user.xml("event", "<Event><![CDATA[subscribe]]></Event>"))
    assert "您好" in user.reply_text(welcome)
    menu = user.post(user.xml("event", "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[HUMAN]]></EventKey>"))
    assert "人工" in user.reply_text(menu)
    assert user_turns(plain, user.open_id) == ["你好", "/greet", "/request_human"]


def test_a_dispute_report_is_completed_over_wechat_with_numbered_options(plain):
    user = fake_wechat.WeChatUser(webhook(plain))
    said = [
        user.reply_text(user.say(text))
        for text in ["我要登记纠纷", "铜川微信测试有限公司", "13912345670", "德国", "商标", "警告函", "没有"]
    ]
    summary = user.reply_text(user.say("德国客户转来律师函，说我们的商标侵犯了他们的注册商标，要求停止销售。"))
    assert "回复 1" in summary and "铜川微信测试有限公司" in summary, said
    option = next(line for line in summary.splitlines() if "确认" in line and line.startswith("回复 "))
    saved = user.reply_text(user.say(option.split("：")[0].removeprefix("回复 ").strip()))
    assert "HW-" in saved
    with Session(make_engine(plain.settings.database_url)) as session:
        report = session.scalars(select(Report).where(Report.sender_id == f"wx-{user.open_id}")).one()
    assert (report.channel, report.company_name, report.country) == ("wechat", "铜川微信测试有限公司", "德国")


def test_a_staff_reply_reaches_the_user_through_the_customer_service_api(plain, wechat_api):
    user = fake_wechat.WeChatUser(webhook(plain))
    user.say("转人工")
    staff = Staff(plain.settings.console_url)
    handoff = staff.handoff_of(f"wx-{user.open_id}")
    assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": "您好，我是值班工作人员"}).ok
    assert "您好，我是值班工作人员" in wechat_api.wait_for_text(user.open_id, lambda t: "值班" in t)


def test_outside_the_48_hour_window_a_staff_reply_is_held_for_the_next_message(plain, wechat_api):
    user = fake_wechat.WeChatUser(webhook(plain))
    user.say("转人工")
    wechat_api.outside_window.add(user.open_id)
    staff = Staff(plain.settings.console_url)
    handoff = staff.handoff_of(f"wx-{user.open_id}")
    assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": "请补充起诉书"}).ok
    assert "请补充起诉书" not in " ".join(wechat_api.texts_to(user.open_id))  # WeChat refused it
    wechat_api.outside_window.discard(user.open_id)
    assert "请补充起诉书" in user.reply_text(user.say("好的"))


def test_safe_mode_slow_turns_answer_success_then_arrive_through_the_api(safe, wechat_api):
    user = fake_wechat.WeChatUser(webhook(safe), safe=True)
    answer = user.say("在越南注册商标需要多长时间")
    assert answer.status_code == 200 and answer.text == "success"
    texts = wechat_api.wait_for_text(user.open_id, lambda t: "越南" in t or "来源" in t)
    assert texts and user_turns(safe, user.open_id) == ["在越南注册商标需要多长时间"]


def test_safe_mode_passive_replies_are_encrypted_and_plaintext_is_refused(safe):
    user = fake_wechat.WeChatUser(webhook(safe), safe=True)
    image = user.post(user.xml("image", "<PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId>", 904))
    assert "<Encrypt>" in image.text and "文字" in user.reply_text(image)
    plaintext = fake_wechat.WeChatUser(webhook(safe), open_id=user.open_id)
    assert plaintext.say("你好").status_code == 403


def test_a_refused_access_token_is_refreshed_once_and_the_message_still_arrives(safe, wechat_api):
    user = fake_wechat.WeChatUser(webhook(safe), safe=True)
    user.say("你好")
    wechat_api.wait_for_text(user.open_id, lambda t: True)
    fetched = len(wechat_api.issued)
    wechat_api.revoked.update(wechat_api.issued)
    user.say("谢谢")
    texts = wechat_api.wait_for_text(user.open_id, lambda t: len(wechat_api.texts_to(user.open_id)) >= 2)
    assert len(texts) >= 2 and len(wechat_api.issued) == fetched + 1


def test_the_menu_is_published_without_the_assistants_payloads(plain, wechat_api):
    env = subprocess_env(plain.settings)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "wechat-menu"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert wechat_api.menus and "payload" not in str(wechat_api.menus[-1])
    assert wechat_api.menus[-1]["button"][1]["name"] == "纠纷登记"


def test_a_published_alert_is_pushed_to_followers_once_and_given_to_the_others_with_their_next_message(
    plain, wechat_api
):
    alert = "alert-building-hardware-design-eu"  # 欧盟, 建材
    follower, lapsed = fake_wechat.WeChatUser(webhook(plain)), fake_wechat.WeChatUser(webhook(plain))
    for user in (follower, lapsed):
        assert "欧盟" in user.reply_text(user.say("订阅欧盟的风险预警"))
    wechat_api.unfollowed.add(lapsed.open_id)  # WeChat's unsubscribe event never came
    web_user = Chat(plain.settings.rasa_url)
    assert "建材" in web_user.texts("订阅建材行业的风险预警")
    staff = Staff(plain.settings.console_url)
    published = staff.post(f"/api/alerts/{alert}/publish")
    assert published.json() == {"alert_id": alert, "new_subscribers": 3, "reached_before": 0}

    pushed = wechat_api.templates_to(follower.open_id, timeout=30)
    assert [t["template_id"] for t in pushed] == [fake_wechat.ALERT_TEMPLATE]
    assert pushed[0]["data"]["thing1"]["value"] == "卫浴五金、门窗五金出口欧盟的外观设计风险"
    answer = " ".join(m.get("text", "") for m in web_user.say("你好"))
    assert "【风险预警·中】卫浴五金" in answer and "来源：" in answer
    assert "风险预警" not in web_user.texts("谢谢")  # once

    wechat_api.unfollowed.discard(lapsed.open_id)  # they follow again and write
    lapsed.say("你好")
    texts = wechat_api.wait_for_text(lapsed.open_id, lambda t: "【风险预警·中】" in t)
    assert any("【风险预警·中】卫浴五金" in t for t in texts)
    deliveries = {d["sender_id"]: d for d in staff.get(f"/api/alerts/{alert}/deliveries").json()["deliveries"]}
    assert deliveries[f"wx-{follower.open_id}"]["delivered_by"] == "push"
    assert deliveries[f"wx-{lapsed.open_id}"]["delivered_by"] == "visit"
    assert "43004" in deliveries[f"wx-{lapsed.open_id}"]["last_error"]

    again = staff.post(f"/api/alerts/{alert}/publish").json()
    assert (again["new_subscribers"], again["reached_before"]) == (0, 3)
    assert len(wechat_api.templates_to(follower.open_id)) == 1
