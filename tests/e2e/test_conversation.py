"""Talking to the running assistant over HTTP, as the channels and consoles do."""

import pytest
import requests

pytestmark = pytest.mark.e2e


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


def test_greeting_is_answered_honestly_as_an_assistant(chat):
    replies = chat.say("你好")
    assert "智能助手" in texts(replies)
    assert "/ask_capabilities" in [b["payload"] for b in replies[0]["buttons"]]


def test_bot_challenge_says_it_is_not_a_person_and_how_to_reach_one(chat):
    reply = texts(chat.say("你是机器人还是真人？"))
    assert "不是真人" in reply and "转人工" in reply


def test_a_dispute_question_is_answered_from_the_knowledge_base_with_its_source(chat):
    replies = chat.say("美国ITC对我们发起了337调查，怎么应对")
    reply = texts(replies)
    assert "337" in reply and "来源：" in reply
    assert [b["title"] for b in replies[0]["buttons"]] == ["相关案例", "登记纠纷", "咨询专家", "更多细节"]
    details = texts(chat.say(replies[0]["buttons"][3]["payload"]))
    assert len(details) > len(reply) / 2 and "来源：" in details


def test_a_country_question_without_a_country_asks_which_and_the_answer_resumes(chat):
    assert "哪个国家" in texts(chat.say("怎么申请商标？"))
    reply = texts(chat.say("越南"))
    assert "越南" in reply and "来源：" in reply


def test_a_question_about_a_district_points_to_its_workstation(chat):
    reply = texts(chat.say("耀州区的维权援助工作站怎么联系"))
    assert "耀州区维权援助工作站" in reply and "尚未在本系统配置" in reply


def test_a_request_for_a_person_without_a_configured_hotline_invents_no_number(chat):
    reply = texts(chat.say("转人工"))
    assert "已为您转接人工服务" in reply and "热线" not in reply


def test_out_of_scope_says_what_it_covers(chat):
    assert "不在我的服务范围" in texts(chat.say("帮我订一份明天中午的外卖"))


def test_a_miss_offers_two_topics_and_a_person(chat):
    first = chat.say("/nlu_fallback")
    assert "不太确定" in texts(first)
    assert first[0]["buttons"][-1]["payload"] == "/request_human"


def test_a_clarification_button_keeps_the_entities(chat):
    reply = texts(chat.say('/ask_country_guide{"country": "吉尔吉斯斯坦"}'))
    assert "暂未收录“吉尔吉斯斯坦”" in reply


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "没有文字"),
        ("    \n\t  ", "没有文字"),
        ("😀😀👍🎉", "没有文字"),
        ("\x00\x01\x07\x1b", "没有文字"),
    ],
)
def test_input_without_meaning_gets_a_reply_that_says_so(chat, message, expected):
    assert expected in texts(chat.say(message))


LETTER = (
    "Dear Sir or Madam,\nWe represent ACME GmbH, owner of EU Design No. 008123456. "
    + "Your ceramic tableware offered at the Frankfurt fair infringes our client's registered design. " * 8
    + "\nWe demand that you cease and desist and sign the enclosed declaration no later than 15 March 2027.\n"
    + "我们该怎么办？"
)


def test_a_pasted_letter_is_read_whole_and_kept_whole(chat):
    reply = texts(chat.say(LETTER))
    assert "我读了您发来的全文" in reply and "律师函或侵权警告函" in reply and "15 March 2027" in reply
    kept = [e["text"] for e in chat.tracker()["events"] if e["event"] == "user"]
    assert kept[-1] == LETTER  # the conversation keeps all of it, not the classifier's 500 characters


@pytest.mark.parametrize(
    "message",
    [
        "<script>alert('x')</script>",
        "<b>商标</b>被抢注了<img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "1' OR '1'='1",
        "你好\x00\x08在吗",
        "😀" * 3000,
        "a" * 9000,
    ],
)
def test_hostile_or_odd_input_gets_a_polite_reply_and_the_server_lives(chat, message):
    replies = chat.say(message)
    assert replies and all(r.get("text") for r in replies)
    assert "<script>" not in texts(replies)
    assert chat.say("你好")


def test_a_missing_message_field_is_not_a_server_error(servers):
    response = requests.post(
        f"{servers.settings.rasa_url}/webhooks/rest/webhook", json={"sender": "no-message"}, timeout=30
    )
    assert response.status_code < 500


def test_the_whole_long_message_is_kept_in_the_conversation(chat):
    letter = "尊敬的先生：贵司产品涉嫌侵犯我方外观设计专利。" * 200
    chat.say(letter)
    user_texts = [e["text"] for e in chat.tracker()["events"] if e["event"] == "user"]
    assert user_texts[-1] == letter


def test_parse_finds_a_country_no_training_example_mentions(servers):
    response = requests.post(
        f"{servers.settings.rasa_url}/model/parse",
        params={"token": servers.settings.rasa_token},
        json={"text": "孟加拉国和吉尔吉斯斯坦的商标怎么注册"},
        timeout=30,
    )
    entities = [(e["entity"], e["value"]) for e in response.json()["entities"]]
    assert ("country", "孟加拉国") in entities and ("country", "吉尔吉斯斯坦") in entities
    assert len(entities) == len({(e["start"], e["end"]) for e in response.json()["entities"]})
