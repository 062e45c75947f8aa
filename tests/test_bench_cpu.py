"""Reading CPU use from /proc for the load benchmark (`tests/bench/cpu.py`)."""

import os

import pytest

from tests.bench.cpu import CLIENT, TICKS_PER_S, Meter, Reading, machine_busy_s, process_cpu_s, role_of


@pytest.mark.parametrize(
    "command, role",
    [
        ("/work/.venv/bin/python -m bot.rasa_server models/x.tar.gz endpoints.yml", "rasa"),
        ("/work/.venv/bin/python -m rasa run --enable-api -p 4000", "rasa"),
        ("/work/.venv/bin/python -m bot.action_server", "actions"),
        ("nginx: worker process", "nginx"),
        ("postgres: 15/main: postgres bench_load_ab 127.0.0.1(5000) idle", "postgresql"),
        ("/usr/bin/redis-server 127.0.0.1:6379", "redis"),
        ("/usr/sbin/sshd -D", "other"),
    ],
)
def test_role_of_a_command_line(command, role):
    assert role_of(command) == role


def test_process_cpu_with_a_name_that_holds_spaces_and_parentheses():
    # Fields after the name: state, ppid, pgrp, session, tty, tpgid, flags, minflt,
    # cminflt, majflt, cmajflt, utime, stime, ...
    stat = f"123 (a (b) c) S 1 123 123 0 -1 4194304 10 0 0 0 {3 * TICKS_PER_S} {TICKS_PER_S} 0 0 20 0 1 0"
    assert process_cpu_s(stat) == pytest.approx(4.0)


def test_machine_busy_leaves_out_idle_and_iowait():
    stat = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n"
    busy, total = machine_busy_s(stat)
    assert (busy * TICKS_PER_S, total * TICKS_PER_S) == (pytest.approx(150), pytest.approx(1000))


def test_usage_between_readings():
    before = Reading({"rasa": 1.0, CLIENT: 0.5}, busy_s=10.0, total_s=20.0)
    after = Reading({"rasa": 3.0, CLIENT: 1.0, "nginx": 0.5}, busy_s=13.0, total_s=24.0)
    usage = Meter.usage(before, after)
    assert usage.by_role == {"rasa": 2.0, CLIENT: 0.5, "nginx": 0.5}
    assert usage.busy_share == pytest.approx(0.75)
    assert usage.per_turn_ms(100)["rasa"] == pytest.approx(20.0)


def test_reading_this_machine_finds_this_process_as_the_load_generator():
    meter = Meter()
    before = meter.read()
    sum(i * i for i in range(2_000_000))  # spend some CPU here
    usage = meter.usage(before, meter.read())
    assert meter.own_pid == os.getpid()
    assert usage.by_role.get(CLIENT, 0.0) > 0
    assert 0 < usage.busy_share <= 1
