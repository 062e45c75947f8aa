"""Risk alerts published to subscribers: who gets one, once each; pushes with retries; the
next message as the way for everyone else (a real SQLite database with the real content)."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from bot.__main__ import main
from bot.channels.alerts import load_template, market, message, publish, template_data
from bot.database import create_schema
from knowledge.core.dates import utc_now
from knowledge.core.errors import NotFound
from knowledge.library import loader
from knowledge.records import alerts
from knowledge.records.models import ANY, AlertDelivery, AlertPublication
from knowledge.records.outbox import claim
from knowledge.records.subscriptions import subscribe

EU_BUILDING = "alert-building-hardware-design-eu"  # 欧盟, 建材
ANY_ALUMINIUM = "alert-aluminum-profile-patent-fto"  # every market, 铝业
PUSHED = {"wechat"}


@pytest.fixture
def engine(tmp_path):
    engine = create_schema(f"sqlite:///{tmp_path / 'alerts.db'}")
    assert loader.load(engine).errors == []
    return engine


def about(country, industry):
    return AlertPublication(country=country, industry=industry)


@pytest.mark.parametrize(
    "subscription, alert, wanted",
    [
        (("欧盟", ANY), about("欧盟", "建材"), True),
        ((ANY, "建材"), about("欧盟", "建材"), True),
        (("德国", ANY), about("欧盟", "建材"), True),  # a member state gets the EU's alerts
        (("美国", ANY), about("欧盟", "建材"), False),
        (("欧盟", "陶瓷"), about("欧盟", "建材"), False),
        (("美国", "铝业"), about(None, "铝业"), True),  # an alert for every market
        (("美国", ANY), about(None, "铝业"), False),  # names nothing the subscriber named
        ((ANY, "铝业"), about("美国", None), False),
    ],
)
def test_which_subscriptions_want_an_alert(subscription, alert, wanted):
    assert alerts.matches(*subscription, alert) is wanted


def test_an_alert_reaches_each_matching_subscriber_once_even_with_two_matching_subscriptions(engine):
    subscribe(engine, "rest", "alice", ["欧盟"], [])
    subscribe(engine, "rest", "alice", [], ["建材"])
    subscribe(engine, "socketio", "web-bob", [], ["建材"])
    subscribe(engine, "rest", "carol", ["美国"], [])
    published = publish(engine, EU_BUILDING, PUSHED)
    assert (published.new, published.already) == (2, 0)
    assert [(d.channel, d.sender_id) for d in alerts.deliveries_of(engine, EU_BUILDING)] == [
        ("rest", "alice"),
        ("socketio", "web-bob"),
    ]


def test_publishing_again_reaches_only_those_who_subscribed_since(engine):
    subscribe(engine, "rest", "alice", ["欧盟"], [])
    publish(engine, EU_BUILDING, PUSHED)
    assert [a.alert_id for a in alerts.take_waiting(engine, "rest", "alice")] == [EU_BUILDING]
    subscribe(engine, "rest", "dave", [], ["建材"])
    again = publish(engine, EU_BUILDING, PUSHED)
    assert (again.new, again.already) == (1, 1)
    assert alerts.take_waiting(engine, "rest", "alice") == []
    assert [a.alert_id for a in alerts.take_waiting(engine, "rest", "dave")] == [EU_BUILDING]


def test_the_next_message_gets_waiting_alerts_once_oldest_first(engine):
    subscribe(engine, "rest", "alice", [], ["建材", "铝业"])
    publish(engine, EU_BUILDING, PUSHED)
    publish(engine, ANY_ALUMINIUM, PUSHED)
    assert [a.alert_id for a in alerts.take_waiting(engine, "rest", "alice")] == [EU_BUILDING, ANY_ALUMINIUM]
    assert alerts.take_waiting(engine, "rest", "alice") == []
    assert alerts.take_waiting(engine, "wechat", "alice") == []  # another channel's alice


def test_an_unknown_alert_is_not_found(engine):
    with pytest.raises(NotFound):
        publish(engine, "alert-nonexistent", PUSHED)
    with pytest.raises(NotFound):
        alerts.deliveries_of(engine, EU_BUILDING)  # never published


def test_a_wechat_follower_is_pushed_the_alert_and_does_not_get_it_again(engine):
    subscribe(engine, "wechat", "wx-o1", ["欧盟"], [])
    subscribe(engine, "rest", "alice", ["欧盟"], [])
    publish(engine, EU_BUILDING, PUSHED)
    sent = []
    round_ = alerts.push_due(engine, "wechat", lambda sender, alert: sent.append((sender, alert.alert_id)))
    assert sent == [("wx-o1", EU_BUILDING)] and len(round_.pushed) == 1
    assert alerts.push_due(engine, "wechat", lambda *_: sent.append("again")).pushed == []
    assert alerts.take_waiting(engine, "wechat", "wx-o1") == []
    delivery = alerts.deliveries_of(engine, EU_BUILDING)[0]
    assert (delivery.delivered_by, delivery.attempts) == (alerts.BY_PUSH, 1)


def test_without_a_pushed_channel_wechat_followers_get_it_with_their_next_message(engine):
    subscribe(engine, "wechat", "wx-o1", ["欧盟"], [])
    publish(engine, EU_BUILDING, set())
    assert alerts.push_due(engine, "wechat", lambda *_: pytest.fail("pushed")).pushed == []
    assert [a.alert_id for a in alerts.take_waiting(engine, "wechat", "wx-o1")] == [EU_BUILDING]


def failing(sender, alert):
    raise RuntimeError("WeChat could not be reached")


def test_a_failed_push_is_tried_again_later_then_left_for_the_next_message(engine):
    subscribe(engine, "wechat", "wx-o1", ["欧盟"], [])
    publish(engine, EU_BUILDING, PUSHED)
    now = utc_now()
    for attempt, delay in enumerate(alerts.PUSH_DELAYS_S, start=1):
        assert alerts.push_due(engine, "wechat", failing, now=now).failed, attempt
        assert alerts.push_due(engine, "wechat", failing, now=now + timedelta(seconds=delay - 1)).failed == []
        now += timedelta(seconds=delay)
    assert alerts.push_due(engine, "wechat", failing, now=now).failed  # the last try
    delivery = alerts.deliveries_of(engine, EU_BUILDING)[0]
    assert (delivery.attempts, delivery.next_push_at) == (len(alerts.PUSH_DELAYS_S) + 1, None)
    assert "could not be reached" in delivery.last_error
    assert alerts.push_due(engine, "wechat", failing, now=now + timedelta(days=1)).failed == []
    assert [a.alert_id for a in alerts.take_waiting(engine, "wechat", "wx-o1")] == [EU_BUILDING]


def test_a_follower_who_left_is_not_pushed_again(engine):
    subscribe(engine, "wechat", "wx-gone", ["欧盟"], [])
    publish(engine, EU_BUILDING, PUSHED)

    def gone(sender, alert):
        raise alerts.Undeliverable("43004 require subscribe")

    assert alerts.push_due(engine, "wechat", gone).failed
    delivery = alerts.deliveries_of(engine, EU_BUILDING)[0]
    assert (delivery.attempts, delivery.next_push_at, delivery.delivered_at) == (1, None, None)


def test_an_alert_being_pushed_is_not_also_given_with_the_next_message(engine):
    subscribe(engine, "wechat", "wx-o1", ["欧盟"], [])
    publish(engine, EU_BUILDING, PUSHED)
    delivery_id = alerts.deliveries_of(engine, EU_BUILDING)[0].id
    with Session(engine) as session, session.begin():
        assert claim(session, AlertDelivery, delivery_id, utc_now(), alerts.CLAIM_S)  # a push in flight
    assert alerts.take_waiting(engine, "wechat", "wx-o1") == []
    later = utc_now() + timedelta(seconds=alerts.CLAIM_S + 1)  # the pusher died: its claim ran out
    assert [a.alert_id for a in alerts.take_waiting(engine, "wechat", "wx-o1", now=later)] == [EU_BUILDING]


def test_what_was_published_is_a_copy_that_names_its_source(engine):
    subscribe(engine, "rest", "alice", ["欧盟"], [])
    publish(engine, EU_BUILDING, PUSHED)
    alert = alerts.take_waiting(engine, "rest", "alice")[0]
    text = message(alert)
    assert text.startswith("【风险预警·中】卫浴五金、门窗五金出口欧盟的外观设计风险")
    assert "欧盟、建材" in text and "2026年11月24日" in text and "来源：" in text and "退订" in text
    assert market(AlertPublication(country=None, industry="铝业")) == "各国市场、铝业"


def test_template_data_fills_the_templates_keywords_and_cuts_thing_values(engine, tmp_path):
    subscribe(engine, "rest", "alice", ["欧盟"], [])
    publish(engine, EU_BUILDING, PUSHED)
    alert = alerts.take_waiting(engine, "rest", "alice")[0]
    data = template_data(alert, load_template())
    assert set(data) == {"thing1", "thing2", "time3", "thing4"}
    assert all(len(v["value"]) <= 20 for k, v in data.items() if k.startswith("thing"))
    assert data["thing1"]["value"] == alert.title and data["thing4"]["value"].endswith("…")
    assert data["time3"]["value"] == "2026年11月24日"
    wrong = tmp_path / "template.yml"
    wrong.write_text("data:\n  thing1: headline\n", encoding="utf-8")
    with pytest.raises(ValueError, match="headline"):
        load_template(wrong)


def test_the_command_line_publishes_an_alert_and_names_an_unknown_one(engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    subscribe(engine, "rest", "alice", ["欧盟"], [])
    assert main(["publish-alert", EU_BUILDING]) == 0
    assert f"alert {EU_BUILDING}: 1 new subscribers (0 reached before)" in capsys.readouterr().out
    assert main(["publish-alert", "alert-nonexistent"]) == 1
    assert "no alert 'alert-nonexistent'" in capsys.readouterr().err
