"""The pure parts of the load benchmark (`tests/bench/load.py`): percentiles, lost and
doubled turns counted from a tracker's events, and the targets' verdicts. No servers."""

from __future__ import annotations

import pytest

from tests.bench.cpu import CORES, Usage
from tests.bench.latency import percentile
from tests.bench.load import Result, cluster_targets, lost_and_doubled, one_instance_targets


def user(text: str) -> dict:
    return {"event": "user", "text": text}


def bot(text: str) -> dict:
    return {"event": "bot", "text": text}


SESSION = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"}]


@pytest.mark.parametrize(
    "q, expected",
    [(50, 50), (95, 95), (99, 99), (100, 100), (0, 1), (1, 1)],
)
def test_percentile_of_one_to_a_hundred(q, expected):
    assert percentile([float(v) for v in range(100, 0, -1)], q) == expected


def test_percentile_of_few_values_is_one_of_them():
    assert percentile([30.0, 10.0, 20.0], 50) == 20.0
    assert percentile([30.0, 10.0, 20.0], 95) == 30.0
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize(
    "sent, events, expected",
    [
        # Every turn once, among the bot's events and a session start.
        (["你好", "谢谢"], [*SESSION, user("你好"), bot("您好"), user("谢谢"), bot("不客气")], (0, 0)),
        # The second turn never reached the tracker.
        (["你好", "谢谢"], [*SESSION, user("你好"), bot("您好")], (1, 0)),
        # The second turn was taken twice.
        (["你好", "谢谢"], [user("你好"), user("谢谢"), user("谢谢")], (0, 1)),
        # One lost and one doubled do not cancel out.
        (["你好", "谢谢"], [user("你好"), user("你好")], (1, 1)),
        # The same text sent twice is two turns.
        (["你好", "你好"], [user("你好")], (1, 0)),
        (["你好", "你好"], [user("你好"), user("你好")], (0, 0)),
        # A bot's message with the user's text is no turn.
        (["你好"], [bot("你好")], (1, 0)),
        # A turn never sent is doubled.
        ([], [user("再见")], (0, 1)),
    ],
)
def test_lost_and_doubled(sent, events, expected):
    assert lost_and_doubled(sent, events) == expected


def result(mix, concurrency, turns_per_s=10.0, p95=100.0, errors=0, lost=0, doubled=0, silent=0) -> Result:
    """A result of 100 turns in the time that gives `turns_per_s`, whose p95 is `p95`."""
    latencies = [p95 / 2] * 90 + [p95] * 10
    return Result(mix, concurrency, latencies, errors, 100 / turns_per_s, lost, doubled, silent)


def test_result_figures():
    r = result("plain", 32, turns_per_s=25.0, p95=80.0)
    assert r.throughput == pytest.approx(25.0)
    assert r.p(95) == 80.0
    assert r.p(50) == 40.0


def ours(changes=None) -> dict:
    """One instance's results that meet every target against INIT, with `changes`."""
    made = {
        ("plain", 1): result("plain", 1, p95=40.0),
        ("plain", 32): result("plain", 32, turns_per_s=35.0),
        ("knowledge", 32): result("knowledge", 32, turns_per_s=20.0),
        ("plain", 64): result("plain", 64),
        ("knowledge", 64): result("knowledge", 64),
    }
    made.update(changes or {})
    return made


INIT = {("plain", 1): result("plain", 1, p95=45.0), ("plain", 32): result("plain", 32, turns_per_s=30.0)}


def test_all_one_instance_targets_met():
    assert [met for _, met in one_instance_targets(ours(), INIT)] == [True, True, True, True]


@pytest.mark.parametrize(
    "change, failing",
    [
        ({("plain", 1): result("plain", 1, p95=46.0)}, 0),
        ({("plain", 32): result("plain", 32, turns_per_s=29.0)}, 1),
        # 0.6 x 30 = 18 turns/s
        ({("knowledge", 32): result("knowledge", 32, turns_per_s=17.9)}, 2),
        ({("knowledge", 64): result("knowledge", 64, errors=1)}, 3),
        ({("plain", 64): result("plain", 64, lost=1)}, 3),
        ({("plain", 64): result("plain", 64, doubled=1)}, 3),
        # A turn answered with no message at all is no answer.
        ({("plain", 64): result("plain", 64, silent=1)}, 3),
    ],
)
def test_each_one_instance_target_fails_alone(change, failing):
    verdicts = [met for _, met in one_instance_targets(ours(change), INIT)]
    assert verdicts == [index != failing for index in range(4)]


def test_errors_below_64_conversations_are_not_the_correctness_target():
    verdicts = [
        met for _, met in one_instance_targets(ours({("plain", 32): result("plain", 32, 35.0, errors=3)}), INIT)
    ]
    assert verdicts[3] is True


@pytest.mark.parametrize("turns_per_s, met", [(16.0, True), (15.9, False)])
def test_cluster_throughput_against_one_instance(turns_per_s, met):
    cluster = {("mixed", 64): result("mixed", 64, turns_per_s=turns_per_s)}
    verdicts = [m for _, m in cluster_targets(cluster, {("mixed", 64): 10.0})]
    assert verdicts == [True, met]


def test_cluster_without_one_instance_figures_is_not_met():
    cluster = {("mixed", 64): result("mixed", 64, turns_per_s=100.0)}
    assert [m for _, m in cluster_targets(cluster, {})] == [True, False]


@pytest.mark.parametrize("busy, met", [(0.97, True), (0.6, False)])
def test_cluster_short_of_the_ratio_is_explained_only_when_every_core_was_busy(busy, met):
    slow = result("mixed", 64, turns_per_s=13.0)
    # 100 turns, 80 ms of CPU each: the ceiling is CORES x 12.5 turns/s.
    slow.cpu = Usage({"rasa": 6.0, "postgresql": 2.0}, busy)
    (text, verdict) = cluster_targets({("mixed", 64): slow}, {("mixed", 64): 10.0})[1]
    assert verdict is met
    assert ("ceiling is " + f"{CORES * 12.5:.1f}" in text) is met
