"""The widget's side of the socketio channel and the transcript it shows: who wrote each
message, the handoff's state, clicked buttons by their titles, resent messages dropped."""

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from bot.channels.socketio import MessageIds, WidgetOutput
from bot.console.app import make_app
from bot.database import create_schema
from bot.transcript import messages
from tests.conftest import settings_for


class Recorder:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data, room=None):
        self.emitted.append((event, data, room))


def test_messages_show_clicked_buttons_by_title_and_mark_staff():
    tracker = {
        "events": [
            {"event": "user", "text": "/affirm", "metadata": {"button_title": "确认提交"}, "timestamp": 1},
            {"event": "bot", "text": "请选择", "data": {"buttons": [{"title": "是", "payload": "/affirm"}]}},
            {"event": "bot", "text": "已为您转接人工服务", "metadata": {"utter_action": "utter_handoff_in_hours"}},
            {"event": "bot", "text": "您好，我是值班工作人员", "metadata": {"staff": "人工服务"}},
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "谢谢", "metadata": {"button_title": 42}},
        ]
    }
    shown = [(m["from"], m["text"], m.get("buttons"), m.get("handoff")) for m in messages(tracker)]
    assert shown == [
        ("user", "确认提交", None, None),
        ("bot", "请选择", [{"title": "是", "payload": "/affirm"}], None),
        ("bot", "已为您转接人工服务", None, "waiting"),
        ("staff", "您好，我是值班工作人员", None, None),
        ("user", "谢谢", None, None),  # a title that is no text is not shown
    ]


def test_the_widget_output_says_who_wrote_and_what_a_handoff_response_means():
    sio = Recorder()
    output = WidgetOutput(sio, "bot_uttered")

    async def scenario():
        await output.send_text_message("web-1", "已为您转接人工服务…", utter_action="utter_handoff_in_hours")
        await output.send_text_message("web-1", "请讲。\n\n第二段", staff="人工服务")
        await output.send_text_with_buttons("web-1", "好的", [{"title": "更多细节", "payload": "/more"}])
        await output.send_text_message("web-1", "人工服务已结束", utter_action="utter_handed_back")

    asyncio.run(scenario())
    assert [data for _, data, _ in sio.emitted] == [
        {"text": "已为您转接人工服务…", "from": "bot", "handoff": "waiting"},
        {"text": "请讲。\n\n第二段", "from": "staff", "handoff": "staff"},  # one message, line breaks kept
        {"text": "好的", "from": "bot", "quick_replies": [{"title": "更多细节", "payload": "/more"}]},
        {"text": "人工服务已结束", "from": "bot", "handoff": "ended"},
    ]
    assert {room for _, _, room in sio.emitted} == {"web-1"}


def test_a_client_message_id_is_taken_once_per_conversation_and_the_oldest_are_forgotten():
    ids = MessageIds(kept=2)
    assert ids.first_time("web-a", "m1") and not ids.first_time("web-a", "m1")
    assert ids.first_time("web-b", "m1")  # another conversation's id
    assert ids.first_time("web-a", None) and ids.first_time("web-a", None)  # no id: always new
    assert ids.first_time("web-a", "x" * 65)  # not an id the widget makes
    ids.first_time("web-a", "m2")
    assert ids.first_time("web-a", "m1")  # forgotten after `kept` newer ones


def test_the_consoles_own_page_may_use_the_rasa_server_by_either_loopback_name():
    local = settings_for(HOST="127.0.0.1", CONSOLE_PORT="8000", ALLOWED_ORIGINS="https://www.example.gov.cn")
    assert local.browser_origins == ("https://www.example.gov.cn", "http://127.0.0.1:8000", "http://localhost:8000")
    public = settings_for(HOST="0.0.0.0", CONSOLE_PORT="8000", ALLOWED_ORIGINS="")
    assert public.browser_origins == ()  # a public host has no one name: ALLOWED_ORIGINS names the sites


def test_the_demo_page_and_the_widget_are_served_without_a_token_and_the_host_is_escaped(tmp_path):
    settings = settings_for(DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}", HOST="127.0.0.1", RASA_PORT="5005")
    create_schema(settings.database_url)

    async def scenario():
        async with TestClient(TestServer(make_app(settings))) as client:
            page = await client.get("/", headers={"Host": 'evil"><script>x</script>:8000'})
            widget = await client.get("/widget.js")
            vendor = await client.get("/vendor/socket.io.min.js")
            return (page.status, await page.text(), page.headers), (widget.status, widget.content_type), vendor.status

    (status, html, headers), widget, vendor = asyncio.run(scenario())
    assert status == 200 and "<script>x</script>" not in html
    assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'self': no inline script
    assert widget == (200, "application/javascript") and vendor == 200


def test_the_demo_page_points_the_widget_at_the_rasa_server_by_the_name_it_was_reached_by(tmp_path):
    settings = settings_for(DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}", HOST="0.0.0.0", RASA_PORT="5005")
    create_schema(settings.database_url)

    async def scenario():
        async with TestClient(TestServer(make_app(settings))) as client:
            return await (await client.get("/", headers={"Host": "assistant.example.gov.cn:8000"})).text()

    assert 'data-server-url="http://assistant.example.gov.cn:5005"' in asyncio.run(scenario())
