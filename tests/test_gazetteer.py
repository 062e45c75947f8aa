"""The gazetteer, the files generated from it, and the spaCy extractor built on it."""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import gazetteer
from bot.nlu.gazetteer_extractor import GazetteerEntityExtractor, resolve
from knowledge.core.vocabulary import read, vocabulary
from tests.nlu_data import closed_values


def test_generated_files_are_in_sync_with_the_gazetteer():
    for path, expected in gazetteer.generated_files(vocabulary()).items():
        assert path.read_text(encoding="utf-8") == expected, f"run `make sync-gazetteer`: {path}"


def test_gazetteer_values_are_exactly_the_contracts_closed_sets():
    table = vocabulary().gazetteer
    for entity, values in closed_values().items():
        assert set(table[entity]) == values, entity


def test_a_form_mapped_to_two_values_is_refused(tmp_path):
    path = tmp_path / "g.yml"
    path.write_text("country:\n  美国: [US]\n  英国: [us]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="maps to both"):
        read(path)


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("gazetteer")
    config = GazetteerEntityExtractor.get_default_config()
    GazetteerEntityExtractor(config, storage, resource).train(TrainingData())
    # Loaded back from model storage, as the server does: nothing read from the repo.
    return GazetteerEntityExtractor.load(config, storage, resource, None)


def _entities(extractor, text, entities=()):
    message = Message({"text": text, "entities": list(entities)})
    extractor.process([message])
    return [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in message.get("entities")]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "我们在吉尔吉斯斯坦被起诉了",
            [("country", "吉尔吉斯斯坦", "吉尔吉斯斯坦"), ("dispute_type", "侵权诉讼", "被起诉")],
        ),
        ("孟加拉国的商标怎么注册", [("country", "孟加拉国", "孟加拉国"), ("ip_type", "商标", "商标")]),
        ("纽西兰有地理标志保护吗", [("country", "新西兰", "纽西兰"), ("ip_type", "地理标志", "地理标志")]),
        ("美國亚马逊店铺被TRO了", [("country", "美国", "美國"), ("dispute_type", "临时禁令", "TRO")]),
        ("想在usa申请patent", [("country", "美国", "usa"), ("ip_type", "专利", "patent")]),
        ("Schedule A 案件", [("dispute_type", "临时禁令", "Schedule A")]),
        ("新区的工作站在哪", [("district", "铜川新区", "新区")]),
        ("耀州瓷出口德國", [("industry", "陶瓷", "耀州瓷"), ("country", "德国", "德國")]),
        ("巴黎公约的优先权", []),
        # A country or IP type glued to a word of jieba's own dictionary is still read.
        ("美国版权保护多长时间", [("country", "美国", "美国"), ("ip_type", "著作权", "版权")]),
        ("美国专利局在哪", [("country", "美国", "美国")]),
        ("专利申请要多久", [("ip_type", "专利", "专利")]),
    ],
)
def test_ruler_finds_and_normalises_closed_entities(extractor, text, expected):
    assert _entities(extractor, text) == expected


def test_no_span_is_reported_twice(extractor):
    diet = [
        {"entity": "country", "value": "吉尔吉斯斯坦", "start": 3, "end": 9, "extractor": "DIETClassifier"},
        {"entity": "phone", "value": "3185678", "start": 17, "end": 24, "extractor": "DIETClassifier"},
    ]
    regex = [{"entity": "phone", "value": "0919-3185678", "start": 12, "end": 24, "extractor": "RegexEntityExtractor"}]
    found = _entities(extractor, "我们在吉尔吉斯斯坦，电话0919-3185678", diet + regex)
    assert found == [("country", "吉尔吉斯斯坦", "吉尔吉斯斯坦"), ("phone", "0919-3185678", "0919-3185678")]


def test_learned_closed_values_are_normalised_or_dropped(extractor):
    diet = [
        {"entity": "country", "value": "美利坚", "start": 0, "end": 3, "extractor": "DIETClassifier"},
        {"entity": "country", "value": "火星", "start": 4, "end": 6, "extractor": "DIETClassifier"},
        {"entity": "industry", "value": "光伏", "start": 7, "end": 9, "extractor": "DIETClassifier"},
        {
            "entity": "report_id",
            "value": "hw-20261124-abcd",
            "start": 10,
            "end": 26,
            "extractor": "RegexEntityExtractor",
        },
    ]
    found = _entities(extractor, "美利坚 火星 光伏 hw-20261124-abcd", diet)
    assert found == [
        ("country", "美国", "美利坚"),
        ("industry", "光伏", "光伏"),
        ("report_id", "HW-20261124-ABCD", "hw-20261124-abcd"),
    ]


def test_resolve_prefers_rules_then_longer_spans():
    entities = [
        {"entity": "industry", "value": "x", "start": 0, "end": 2, "extractor": "DIETClassifier"},
        {"entity": "industry", "value": "y", "start": 0, "end": 4, "extractor": "DIETClassifier"},
        {"entity": "country", "value": "z", "start": 3, "end": 5, "extractor": "GazetteerEntityExtractor"},
    ]
    assert [e["value"] for e in resolve(entities)] == ["x", "z"]


def test_a_company_name_keeps_the_words_inside_it(extractor):
    text = "我们是铜川华陶瓷业有限公司，做陶瓷的"
    diet = [
        {
            "entity": "company_name",
            "value": "铜川华陶瓷业有限公司",
            "start": 3,
            "end": 13,
            "extractor": "DIETClassifier",
        }
    ]
    assert _entities(extractor, text, diet) == [
        ("company_name", "铜川华陶瓷业有限公司", "铜川华陶瓷业有限公司"),
        ("industry", "陶瓷", "陶瓷"),
    ]


def test_a_learned_name_on_a_gazetteer_word_loses_to_the_gazetteer(extractor):
    diet = [{"entity": "company_name", "value": "美国", "start": 1, "end": 3, "extractor": "DIETClassifier"}]
    assert _entities(extractor, "在美国", diet) == [("country", "美国", "美国")]


# -- situations and company names ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("货在汉堡港被海关扣了", ("dispute_type", "海关扣押")),
        ("亚马逊把我们链接下了", ("dispute_type", "电商平台投诉")),
        ("店铺的钱被冻住了", ("dispute_type", "临时禁令")),
        ("收到法院传票", ("dispute_type", "侵权诉讼")),
        ("律师发了封邮件说我们侵权", ("dispute_type", "警告函")),
        ("我们的牌子在越南被别人注册了", ("dispute_type", "商标抢注")),
        ("ITC那边有个投诉", ("dispute_type", "337调查")),
        ("说我们产品外观跟他们的一样", ("ip_type", "外观设计")),
        ("对方说我们用了他们的LOGO", ("ip_type", "商标")),
        ("前员工把技术资料带走了", ("ip_type", "商业秘密")),
        ("技术员跳槽到那边，把我们的配方工艺带过去了", ("ip_type", "商业秘密")),
        ("说我们网站用了他们拍的照片", ("ip_type", "著作权")),
        ("在展会上出的事", ("dispute_type", "展会纠纷")),
        ("当地一家公司把我们的牌子先注册了", ("dispute_type", "商标抢注")),
        ("米兰那边有人把我们告上法院了", ("dispute_type", "侵权诉讼")),
        ("在米兰灯具展上被人投诉侵权", ("dispute_type", "展会纠纷")),
    ],
)
def test_a_described_situation_gives_its_value(extractor, text, expected):
    assert expected in [(entity, value) for entity, value, _ in _entities(extractor, text)]


@pytest.mark.parametrize("text", ["电话13912337890", "被告知要提交材料", "地理标志怎么申请"])
def test_no_situation_is_read_into_other_words(extractor, text):
    assert not {e for e, _, _ in _entities(extractor, text)} & {"dispute_type"}


def test_a_named_value_is_not_overridden_by_a_situation(extractor):
    found = _entities(extractor, "收到律师函，还说要冻结我们的账户")
    assert [v for e, v, _ in found if e == "dispute_type"] == ["警告函"]


def test_a_company_name_is_found_whole_where_diet_finds_a_part(extractor):
    diet = [{"entity": "company_name", "value": "铜川", "start": 0, "end": 2, "extractor": "DIETClassifier"}]
    found = _entities(extractor, "铜川印台服饰有限公司，电话18691907766", diet)
    assert ("company_name", "铜川印台服饰有限公司", "铜川印台服饰有限公司") in found
    assert ("company_name", "铜川", "铜川") not in found


@pytest.mark.parametrize("text", ["对方是当地一家做瓷器的公司", "我们公司被告了"])
def test_a_story_about_a_company_names_none(extractor, text):
    assert "company_name" not in {e for e, _, _ in _entities(extractor, text)}
