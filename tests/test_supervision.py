"""The launcher's supervision: the backoff between restarts of a crashed server, and the
loop that restarts only the child that exited (with stand-in children, no servers)."""

from __future__ import annotations

import logging
import sys
import threading
import time

import pytest

from bot import processes
from bot.processes import Servers, crashes_in_a_row, restart_delay
from tests.conftest import settings_for


@pytest.mark.parametrize(
    "crashes, delay",
    [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (6, 30.0), (7, 30.0), (100_000, 30.0)],
)
def test_the_delay_doubles_from_one_second_and_is_capped(crashes, delay):
    assert restart_delay(crashes) == delay


@pytest.mark.parametrize(
    "before, uptime_s, after",
    [
        (0, 0.5, 1),  # the first crash
        (3, 2.0, 4),  # crashing soon after a restart: one more in a row
        (3, 59.9, 4),
        (3, 60.0, 1),  # up for a minute: healthy, the count starts again
        (6, 3600.0, 1),
    ],
)
def test_a_server_that_stayed_up_a_minute_starts_its_count_again(before, uptime_s, after):
    assert crashes_in_a_row(before, uptime_s) == after


def test_a_history_of_crashes_backs_off_and_resets_after_a_long_run():
    uptimes = [3, 1, 1, 1, 1, 1, 1, 600, 2]
    crashes, delays = 0, []
    for uptime in uptimes:
        crashes = crashes_in_a_row(crashes, uptime)
        delays.append(restart_delay(crashes))
    assert delays == [1, 2, 4, 8, 16, 30, 30, 1, 2]


@pytest.fixture
def children(tmp_path, monkeypatch):
    """Servers whose children are one-line Python programs, with millisecond backoff."""
    monkeypatch.setattr(processes, "RESTART_FIRST_DELAY_S", 0.05)
    monkeypatch.setattr(processes, "RESTART_MAX_DELAY_S", 0.1)
    monkeypatch.setattr(processes, "SUPERVISE_POLL_S", 0.02)
    secrets = {
        name: "test" for name in ("STAFF_TOKEN", "RASA_TOKEN", "ACTION_TOKEN", "CHANNEL_TOKEN", "SESSION_SECRET")
    }
    servers = Servers(settings_for(**secrets), tmp_path / "model.tar.gz", tmp_path / "logs")
    yield servers
    servers.stop()


def supervise_for(servers: Servers, seconds: float) -> None:
    stopping = threading.Event()
    thread = threading.Thread(target=servers.supervise, args=(stopping,))
    thread.start()
    time.sleep(seconds)
    stopping.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_only_the_child_that_exits_is_restarted_with_its_command_and_log(children, caplog):
    children._spawn("flaky", [sys.executable, "-c", "print('flaky run', flush=True); raise SystemExit(3)"])
    children._spawn("steady", [sys.executable, "-c", "import time; time.sleep(60)"])
    steady_pid = children.processes["steady"].pid
    with caplog.at_level(logging.INFO, logger="bot.processes"):
        supervise_for(children, 2.0)
    runs = (children.log_dir / "flaky.log").read_text().count("flaky run")
    assert runs >= 3  # restarted, its output appended to the same log
    assert children.processes["steady"].pid == steady_pid
    assert children.processes["steady"].poll() is None
    exits = [r.getMessage() for r in caplog.records if "exited" in r.getMessage()]
    assert exits and all(m.startswith("flaky server exited with code 3") for m in exits)
    assert any(r.getMessage().startswith("restarting flaky server") for r in caplog.records)


def test_a_crashed_child_waits_out_its_backoff_before_it_is_started_again(children, monkeypatch):
    monkeypatch.setattr(processes, "RESTART_FIRST_DELAY_S", 1.5)
    monkeypatch.setattr(processes, "RESTART_MAX_DELAY_S", 1.5)
    children._spawn("flaky", [sys.executable, "-c", "print('flaky run', flush=True); raise SystemExit(3)"])
    supervise_for(children, 1.0)
    assert (children.log_dir / "flaky.log").read_text().count("flaky run") == 1
