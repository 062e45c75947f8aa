"""The web widget in a real browser (Debian's Chromium through Playwright) against the real
servers: the demo page, answers, buttons, a dispute report, reloads, a dropped connection,
staff replies, and text that must never become HTML. Screenshots go to var/screenshots/."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from knowledge.core.settings import ROOT
from tests.e2e.conftest import RASA_TOKEN, SITE_ORIGIN
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "var" / "screenshots"
REPLY_S = 30_000  # ms: a turn's reply (the first knowledge question builds the index)
REPORT_ID = re.compile(r"HW-\d{8}-[A-Z0-9]{4}")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, servers):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    opened = context.new_page()
    opened.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    yield opened
    context.close()


def open_demo(page: Page, servers) -> None:
    page.goto(servers.settings.console_url + "/")
    page.wait_for_selector("#tc-ip-widget[data-state=ready]", state="attached", timeout=10_000)


def bot_messages(page: Page):
    return page.locator(".msg.bot, .msg.staff")


def say(page: Page, text: str) -> str:
    """Types `text`, sends it, and returns the bot's reply (every message it added)."""
    before = bot_messages(page).count()
    page.get_by_role("textbox", name="输入消息").fill(text)
    page.get_by_role("button", name="发送").click()
    expect(bot_messages(page)).not_to_have_count(before, timeout=REPLY_S)
    expect(page.locator(".typing")).to_be_hidden(timeout=REPLY_S)
    return "\n".join(bot_messages(page).all_inner_texts()[before:])


def conversation_of(page: Page) -> str:
    kept = page.evaluate("() => Object.values(localStorage).map(v => JSON.parse(v).token)[0]")
    return "web-" + kept.split(".")[0]


def user_texts(servers, conversation: str):
    url = f"{servers.settings.rasa_url}/conversations/{conversation}/tracker"
    events = requests.get(url, params={"token": RASA_TOKEN}, timeout=30).json()["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_the_demo_page_opens_the_widget_and_a_question_is_answered_with_its_source(page, servers):
    open_demo(page, servers)
    expect(page.get_by_role("log")).to_be_visible()
    reply = say(page, "在美国被起诉了怎么办")
    assert "来源" in reply
    screenshot(page, "desktop")
    for name, width, height in (("phone", 375, 740), ("phone-320", 320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        panel = page.get_by_role("dialog").bounding_box()
        assert panel and (panel["width"], panel["height"]) == (width, height)  # full screen on phones
        screenshot(page, name)


def test_buttons_are_quick_replies_reachable_by_keyboard(page, servers):
    open_demo(page, servers)
    say(page, "德国的商标怎么注册")  # a knowledge answer: 更多细节, 相关案例, …
    first = page.get_by_role("group", name="可选回复").get_by_role("button").first
    title = first.inner_text()
    before = bot_messages(page).count()
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".msg.user").last).to_contain_text(title)  # the title, not the payload
    expect(bot_messages(page)).not_to_have_count(before, timeout=REPLY_S)


def test_a_dispute_report_is_filed_through_the_widget_and_confirmed_by_its_button(page, servers):
    open_demo(page, servers)
    for text in ["我要登记纠纷", "铜川网页测试有限公司", "13912345671", "德国", "商标", "警告函", "没有"]:
        say(page, text)
    summary = say(page, "德国客户转来律师函，说我们的商标侵犯了他们的注册商标，要求停止销售。")
    assert "铜川网页测试有限公司" in summary
    page.get_by_role("group", name="可选回复").get_by_role("button", name=re.compile("确认")).click()
    expect(bot_messages(page).last).to_contain_text("HW-", timeout=REPLY_S)
    assert REPORT_ID.search(bot_messages(page).last.inner_text())


def test_a_reload_shows_the_conversation_again_and_a_new_one_starts_empty(page, servers):
    open_demo(page, servers)
    say(page, "展会上被投诉侵权怎么处理")
    conversation = conversation_of(page)
    page.reload()
    page.wait_for_selector("#tc-ip-widget[data-state=ready]", state="attached", timeout=10_000)
    expect(page.locator(".msg.user")).to_have_text(re.compile("展会上被投诉侵权怎么处理"))
    expect(bot_messages(page)).not_to_have_count(0)
    assert conversation_of(page) == conversation
    page.get_by_role("button", name="新对话").click()
    expect(page.locator(".msg")).to_have_count(0)
    page.wait_for_selector("#tc-ip-widget[data-state=ready]", state="attached", timeout=10_000)
    assert conversation_of(page) != conversation


def test_a_dropped_connection_is_noticed_and_a_message_typed_offline_is_sent_once(browser, servers):
    """On a page of another site (the widget embedded by its script tag), through a proxy
    whose connections are cut and restored."""
    proxy = TcpProxy(servers.settings.rasa_port)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # Chromium asks before a page reaches a loopback server; a public site's page would load
    # the widget from a public server.
    context.grant_permissions(["local-network-access"])
    page = context.new_page()
    embedding = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>企业服务网站</title></head>'
        f'<body><h1>某企业服务网站</h1><script src="{servers.settings.console_url}/widget.js" '
        f'data-server-url="{proxy.url}" data-open="true"></script></body></html>'
    )
    page.route(f"{SITE_ORIGIN}/", lambda route: route.fulfill(body=embedding, content_type="text/html; charset=utf-8"))
    try:
        page.goto(f"{SITE_ORIGIN}/")
        page.wait_for_selector("#tc-ip-widget[data-state=ready]", state="attached", timeout=10_000)
        conversation = conversation_of(page)
        proxy.cut()
        expect(page.get_by_role("alert")).to_contain_text("连接已断开", timeout=15_000)
        page.get_by_role("textbox", name="输入消息").fill("离线时输入的问题：337调查是什么")
        page.get_by_role("button", name="发送").click()
        expect(page.locator(".msg.user.pending")).to_have_count(1)
        screenshot(page, "offline")
        proxy.restore()
        expect(page.get_by_role("alert")).to_contain_text("已重新连接", timeout=20_000)
        expect(page.locator(".msg.user.pending")).to_have_count(0, timeout=REPLY_S)
        expect(bot_messages(page)).not_to_have_count(0, timeout=REPLY_S)
        page.wait_for_timeout(1000)
        assert user_texts(servers, conversation) == ["离线时输入的问题：337调查是什么"]
    finally:
        context.close()
        proxy.cut()


def test_a_staff_reply_appears_live_marked_and_the_hand_back_is_told(page, servers, staff):
    open_demo(page, servers)
    say(page, "转人工")
    expect(page.get_by_role("status").first).to_have_text("等待人工接入")
    handoff = staff.handoff_of(conversation_of(page))
    assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": "您好，我是值班工作人员，请讲。"}).ok
    message = page.locator(".msg.staff")
    expect(message).to_contain_text("您好，我是值班工作人员，请讲。", timeout=REPLY_S)
    expect(message).to_contain_text("人工服务")
    expect(page.get_by_role("status").first).to_have_text("人工服务中")
    screenshot(page, "staff")
    page.reload()  # the history says who is answering
    page.wait_for_selector("#tc-ip-widget[data-state=ready]", state="attached", timeout=10_000)
    expect(page.get_by_role("status").first).to_have_text("人工服务中")
    assert staff.post(f"/api/handoffs/{handoff['id']}/hand-back", {"note": "已答复"}).ok
    expect(bot_messages(page).last).to_contain_text("人工服务已结束", timeout=REPLY_S)
    expect(page.get_by_role("status").first).to_have_text("智能助手在线")


def test_html_and_script_in_a_message_are_shown_as_text_and_only_http_links_are_links(page, servers):
    open_demo(page, servers)
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> [点我](javascript:alert(3)) https://www.wipo.int'
    page.get_by_role("textbox", name="输入消息").fill(hostile)
    page.get_by_role("button", name="发送").click()
    mine = page.locator(".msg.user").last
    expect(mine).to_contain_text('<img src=x onerror="alert(1)"><script>alert(2)</script>')
    assert mine.locator("img, script").count() == 0
    links = mine.locator("a")
    expect(links).to_have_count(1)
    assert links.get_attribute("href") == "https://www.wipo.int"
    assert links.get_attribute("target") == "_blank" and "noopener" in links.get_attribute("rel")
    page.wait_for_timeout(2000)  # any reply arrives, and no dialog opened meanwhile


def test_the_widget_script_and_the_socket_client_are_served_without_a_token(servers):
    widget = requests.get(f"{servers.settings.console_url}/widget.js", timeout=10)
    client = requests.get(f"{servers.settings.console_url}/vendor/socket.io.min.js", timeout=10)
    assert widget.ok and widget.headers["Content-Type"].startswith("application/javascript")
    assert client.ok and "Socket.IO v4.7.5" in client.text[:200]
    page = requests.get(f"{servers.settings.console_url}/", timeout=10)
    assert (
        'data-server-url="http://127.0.0.1:' in page.text
        and "default-src 'self'" in page.headers["Content-Security-Policy"]
    )
