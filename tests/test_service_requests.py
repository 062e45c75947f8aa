"""Requests in so many words (bot/nlu/service_requests.py): to register a dispute, to report
unfair treatment, a report's status by its id, whatever the classifier made of them."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.service_requests import ServiceRequestClassifier
from knowledge.core.requests import requested_report, story_alone


@pytest.mark.parametrize(
    "text, wanted",
    [
        ("我们一批货在汉堡港被海关扣了 说是侵权 帮忙登记下", "report_dispute"),
        ("我们的商标在泰国被当地人抢先注册了，想登记一下", "report_dispute"),
        ("登记纠纷：铜川华瓷陶瓷有限公司，美国，外观设计", "report_dispute"),
        ("被区别对待了想反映，公司在巴西", "report_unfair_treatment"),
        ("帮我查一下HW-2026-1", "check_report_status"),
        ("HW-20261124-ABCD", "check_report_status"),
        ("怎么登记纠纷", None),
        ("登记需要什么材料", None),
        ("不用登记了", None),
        ("我登记的那个到哪一步了", "check_report_status"),
        ("查一下刚登记的状态", "check_report_status"),
        ("想反映一下情况", None),
        ("德国的商标怎么注册", None),
        ("美国海关那边能不能备案专利，还是只能备商标", None),
        # Help asked for at the end of a story is to take the dispute up; a question is not.
        ("越南那边的代理商把我们的牌子抢注了，还发函让我们停止销售，请你们帮忙处理", "report_dispute"),
        ("越南那边的代理商把我们的牌子抢注了，还发函让我们停止销售，请帮忙看看怎么办", None),
        ("请帮忙", None),
        ("再登记一个，这次是新西兰", "report_dispute"),
        ("你好，我们有批灯具在鹿特丹港被海关扣了，能帮我们处理一下吗", "report_dispute"),
        ("我们在美国的网店被告了，钱也冻结了，麻烦你们跟进一下", "report_dispute"),
        ("展会上被投诉了，展品被撤下来了，想申请维权援助", "report_dispute"),
        ("公司在土耳其的商标被人抢注了，想让你们帮忙", "report_dispute"),
        ("我们的货在釜山港被韩国海关扣了，你们能管吗", "report_dispute"),
        ("我们的灯具在意大利被海关扣了，帮我登一下", "report_dispute"),
        ("亚马逊店铺被冻结了，钱都取不出来，怎么办？帮帮我们", "report_dispute"),
        ("出口前怎么做商标检索，能帮忙吗", None),
        ("在迪拜展会上被当地公司投诉抄袭了，想找人帮忙处理", "report_dispute"),
        ("对方发律师函说我们侵权，怎么处理比较好", None),
        ("对方发律师函说我们侵权，处理起来麻烦吗", None),
        # One's own dispute told with nothing asked is brought to be taken up; asked about,
        # someone else's, or one that may come, it is not.
        ("美国那边有人申请了TRO，我们速卖通店铺的钱全被冻了，急！！", "report_dispute"),
        ("收到法院传票了，德国杜塞尔多夫法院的，说我们专利侵权", "report_dispute"),
        ("我们在美国被起诉了", "report_dispute"),
        ("我们在美国被起诉了，多少天内要答辩", None),
        ("收到警告函，我们能不能直接回信承认侵权", None),
        ("我们发出去的律师函对方收到没", None),
        ("原告律师同不同意和解，我们被告的那个案子", None),
        ("听说隔壁公司在美国被起诉了", None),
        ("如果我们的货在德国被海关扣了", None),
        # Asking what to do about it asks for guidance.
        ("我们在西班牙的一柜货被海关扣了，怎么办啊", None),
        ("收到律师函怎么办", None),
        ("欧盟海关发了扣货通知，这批货会被怎么处理", None),
        ("我们被起诉了，怎么办，要多久答辩", None),
        ("亚马逊说我们的杯子侵犯外观设计，把链接下了", "report_dispute"),
        ("你给我出个书面保证，说我们这款产品不侵权", None),
    ],
)
def test_what_is_asked_for_in_words(text, wanted):
    assert requested_report(text) == wanted


@pytest.mark.parametrize(
    "text, alone",
    [
        ("我们在美国被起诉了", True),
        ("我们在美国被起诉了，怎么办？", False),
        # Asking for the form is a request, not a story alone: the form starts at once.
        ("我们在美国被起诉了，帮我登记一下", False),
        ("我们在美国被起诉了，多少天内要答辩", False),
    ],
)
def test_a_story_alone(text, alone):
    assert story_alone(text) is alone


def test_the_request_replaces_the_classifiers_intent_and_keeps_its_confidence():
    message = Message(
        {
            "text": "店铺被冻结了，帮我登记",
            "intent": {"name": "ask_dispute_guidance", "confidence": 0.9},
            "intent_ranking": [
                {"name": "ask_dispute_guidance", "confidence": 0.9},
                {"name": "report_dispute", "confidence": 0.05},
            ],
        }
    )
    ServiceRequestClassifier().process([message])
    assert message.get("intent") == {"name": "report_dispute", "confidence": 0.9}
    assert message.get("intent_ranking") == [
        {"name": "report_dispute", "confidence": 0.9},
        {"name": "ask_dispute_guidance", "confidence": 0.05},
    ]


@pytest.mark.parametrize("intent", ["stop", "request_human", "request_expert", "check_report_status"])
def test_control_intents_and_other_services_are_kept(intent):
    message = Message({"text": "算了，不登记了，帮我登记别的", "intent": {"name": intent, "confidence": 0.8}})
    ServiceRequestClassifier().process([message])
    assert message.get("intent")["name"] == intent


@pytest.mark.parametrize(
    "text, wanted",
    [
        ("能推荐个知识产权专家吗", "request_expert"),
        ("帮我找个专家", "request_expert"),
        ("找专家要收费吗", None),
        ("能推荐律师事务所吗", None),
        ("能不能保证登记以后一定解决", None),
        # An expert met before is spoken of, not asked for.
        ("我们之前对接的那个专家叫啥来着", None),
    ],
)
def test_an_expert_asked_for_in_words(text, wanted):
    assert requested_report(text) == wanted


def test_a_control_intent_the_classifier_is_unsure_of_gives_way_to_the_words():
    message = Message({"text": "再登记一个，这次是日本的", "intent": {"name": "stop", "confidence": 0.37}})
    ServiceRequestClassifier().process([message])
    assert message.get("intent")["name"] == "report_dispute"
