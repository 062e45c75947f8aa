"""Handing conversations to staff and back, through the console's staff API."""

import asyncio

import pytest
import requests
import socketio

pytestmark = pytest.mark.e2e


def user_texts(tracker) -> list:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def test_the_staff_api_refuses_requests_without_the_token(servers):
    base = servers.settings.console_url
    assert requests.get(f"{base}/api/handoffs", timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert requests.get(f"{base}/api/handoffs", headers=wrong, timeout=10).status_code == 401
    assert requests.get(f"{base}/health", timeout=10).json() == {"status": "ok"}


def test_a_handoff_keeps_the_users_messages_silently_and_staff_reply_and_hand_back(chat, staff):
    chat.say("美国的TRO账户冻结怎么办？")
    reply = chat.texts("转人工")
    assert "已为您转接人工服务" in reply

    handoff = staff.handoff_of(chat.sender)
    assert handoff["reason"] == "user_request" and handoff["status"] == "open"
    # While staff hold the conversation the bot predicts nothing and keeps every message; the
    # first message is told once that it is kept for staff, the next ones get no reply.
    held = chat.texts("有人吗")
    assert "会保留给人工服务的工作人员" in held and "工作时间" in held
    assert chat.say("我们的亚马逊店铺被冻结了三万美元") == []
    view = staff.get(f"/api/handoffs/{handoff['id']}").json()
    assert view["paused"] is True
    assert view["slots"].get("dispute_type") == "临时禁令"
    said = {m["text"] for m in view["messages"] if m["from"] == "user"}
    assert {"有人吗", "我们的亚马逊店铺被冻结了三万美元"} <= said

    assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": "您好，我是值班工作人员，请提供起诉书。"}).ok
    assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": ""}).status_code == 400
    messages = staff.get(f"/api/handoffs/{handoff['id']}").json()["messages"]
    assert {"from": "staff", "text": "您好，我是值班工作人员，请提供起诉书。"}.items() <= messages[-1].items()

    back = staff.post(f"/api/handoffs/{handoff['id']}/hand-back", {"note": "已指导"})
    assert back.ok and back.json()["handoff"]["status"] == "returned"
    assert staff.post(f"/api/handoffs/{handoff['id']}/hand-back").status_code == 409
    last_bot = [e for e in chat.tracker()["events"] if e["event"] == "bot"][-1]
    assert last_bot["text"].startswith("人工服务已结束")
    assert "智能助手" in chat.texts("你好")
    chat.say("转人工")
    assert "会保留给人工服务的工作人员" in chat.texts("还在吗")  # a new handoff, a new note


def test_closing_a_handoff_resumes_the_bot(chat, staff):
    chat.say("我要找人工客服")
    handoff = staff.handoff_of(chat.sender)
    closed = staff.post(f"/api/handoffs/{handoff['id']}/close")
    assert closed.ok and closed.json()["handoff"]["status"] == "closed"
    assert all(h["sender_id"] != chat.sender for h in staff.get("/api/handoffs").json()["handoffs"])
    assert "智能助手" in chat.texts("你好")


def test_two_misses_in_a_row_hand_off(chat, staff):
    chat.say("/nlu_fallback")
    assert "转接人工" in chat.texts("/nlu_fallback")
    assert staff.handoff_of(chat.sender)["reason"] == "repeated_fallback"


def test_the_same_question_twice_hands_off(chat, staff):
    question = "在越南注册商标需要多长时间？"
    assert "来源：" in chat.texts(question)
    assert "工作人员" in chat.texts(question)
    assert staff.handoff_of(chat.sender)["reason"] == "repeated_question"


def test_a_staff_reply_is_pushed_to_a_socketio_user(servers, staff):
    async def conversation() -> list:
        received: list = []
        sessions: list = []
        client = socketio.AsyncClient()
        client.on("bot_uttered", lambda data: received.append(data))
        client.on("session_confirm", lambda data: sessions.append(data))
        await client.connect(servers.settings.rasa_url, transports=["polling"], socketio_path="/socket.io")
        await client.emit("session_request", {"session_id": None})
        for _ in range(50):
            if sessions:
                break
            await asyncio.sleep(0.1)
        # The server issues the session token; the conversation is named by its first part.
        conversation = "web-" + sessions[0].split(".")[0]
        await client.emit("user_uttered", {"message": "转人工", "session_id": sessions[0]})
        for _ in range(50):
            if any("人工服务" in (m.get("text") or "") for m in received):
                break
            await asyncio.sleep(0.2)
        handoff = staff.handoff_of(conversation)
        assert handoff["channel"] == "socketio"
        assert staff.post(f"/api/handoffs/{handoff['id']}/reply", {"text": "您好，我来帮您。"}).ok
        for _ in range(50):
            if any(m.get("text") == "您好，我来帮您。" for m in received):
                break
            await asyncio.sleep(0.2)
        await client.disconnect()
        return received

    received = asyncio.run(conversation())
    assert any(m.get("text") == "您好，我来帮您。" for m in received)
