"""Risk-alert subscriptions by country and/or industry, per sender and channel."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.database import create_schema
from knowledge.records.models import Subscription
from knowledge.records.subscriptions import subscribe, subscriptions_of, unsubscribe


@pytest.fixture
def engine(tmp_path):
    return create_schema(f"sqlite:///{tmp_path / 't.db'}")


def count_rows(engine):
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Subscription))


def test_subscribe_to_a_country_only(engine):
    assert subscribe(engine, "rest", "alice", ["美国"], []) == [("美国", "")]
    assert subscriptions_of(engine, "rest", "alice") == [("美国", "")]


def test_subscribe_to_an_industry_only(engine):
    assert subscribe(engine, "rest", "alice", [], ["陶瓷"]) == [("", "陶瓷")]
    assert subscriptions_of(engine, "rest", "alice") == [("", "陶瓷")]


def test_subscribe_to_countries_and_industries_is_every_combination(engine):
    expected = [("美国", "陶瓷"), ("美国", "建材"), ("德国", "陶瓷"), ("德国", "建材")]
    assert subscribe(engine, "rest", "alice", ["美国", "德国"], ["陶瓷", "建材"]) == expected
    assert subscriptions_of(engine, "rest", "alice") == expected


def test_a_subscription_is_not_added_twice(engine):
    subscribe(engine, "rest", "alice", ["美国"], [])
    assert subscribe(engine, "rest", "alice", ["美国"], []) == []
    assert subscribe(engine, "rest", "alice", ["美国", "日本"], []) == [("日本", "")]
    assert subscriptions_of(engine, "rest", "alice") == [("美国", ""), ("日本", "")]
    assert count_rows(engine) == 2


def test_any_country_and_one_country_are_different_subscriptions(engine):
    subscribe(engine, "rest", "alice", [], ["陶瓷"])
    assert subscribe(engine, "rest", "alice", ["美国"], ["陶瓷"]) == [("美国", "陶瓷")]
    assert subscriptions_of(engine, "rest", "alice") == [("", "陶瓷"), ("美国", "陶瓷")]


def test_a_country_repeated_in_one_call_is_added_once(engine):
    assert subscribe(engine, "rest", "alice", ["美国", "美国"], []) == [("美国", "")]
    assert subscriptions_of(engine, "rest", "alice") == [("美国", "")]


@pytest.mark.parametrize("countries, industries", [([], []), (None, None), ([], None)])
def test_a_subscription_needs_a_country_or_an_industry(engine, countries, industries):
    with pytest.raises(ValueError):
        subscribe(engine, "rest", "alice", countries, industries)
    assert count_rows(engine) == 0


def subscribe_four(engine, channel="rest", sender_id="alice"):
    subscribe(engine, channel, sender_id, ["美国", "德国"], ["陶瓷"])
    subscribe(engine, channel, sender_id, ["美国"], ["建材"])
    subscribe(engine, channel, sender_id, ["日本"], [])


def test_unsubscribe_by_country(engine):
    subscribe_four(engine)
    assert len(unsubscribe(engine, "rest", "alice", ["美国"], [])) == 2
    assert subscriptions_of(engine, "rest", "alice") == [("德国", "陶瓷"), ("日本", "")]


def test_unsubscribe_by_industry(engine):
    subscribe_four(engine)
    assert len(unsubscribe(engine, "rest", "alice", [], ["陶瓷"])) == 2
    assert subscriptions_of(engine, "rest", "alice") == [("美国", "建材"), ("日本", "")]


def test_unsubscribe_by_country_or_industry(engine):
    subscribe_four(engine)
    assert len(unsubscribe(engine, "rest", "alice", ["日本"], ["建材"])) == 2
    assert subscriptions_of(engine, "rest", "alice") == [("美国", "陶瓷"), ("德国", "陶瓷")]


def test_unsubscribe_from_something_not_subscribed_removes_nothing(engine):
    subscribe_four(engine)
    assert len(unsubscribe(engine, "rest", "alice", ["巴西"], [])) == 0
    assert len(subscriptions_of(engine, "rest", "alice")) == 4


def test_unsubscribe_all(engine):
    subscribe_four(engine)
    assert len(unsubscribe(engine, "rest", "alice", [], [])) == 4
    assert subscriptions_of(engine, "rest", "alice") == []
    assert len(unsubscribe(engine, "rest", "alice", [], [])) == 0


def test_subscriptions_are_per_sender_and_channel(engine):
    subscribe_four(engine, "rest", "alice")
    assert subscribe(engine, "telegram", "alice", ["美国"], ["陶瓷"]) == [("美国", "陶瓷")]
    assert subscribe(engine, "rest", "bob", ["美国"], ["陶瓷"]) == [("美国", "陶瓷")]

    assert subscriptions_of(engine, "telegram", "alice") == [("美国", "陶瓷")]
    assert subscriptions_of(engine, "rest", "bob") == [("美国", "陶瓷")]
    assert subscriptions_of(engine, "rest", "carol") == []

    assert len(unsubscribe(engine, "rest", "alice", [], [])) == 4
    assert len(unsubscribe(engine, "rest", "bob", ["美国"], [])) == 1
    assert subscriptions_of(engine, "telegram", "alice") == [("美国", "陶瓷")]
    assert subscriptions_of(engine, "rest", "bob") == []
    assert count_rows(engine) == 1
