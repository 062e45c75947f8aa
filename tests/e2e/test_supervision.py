"""A crashed server under `bot run`'s supervision: the action server is killed, comes back
on its own after the first backoff delay, and the turns that need it are answered again."""

import logging
import os
import signal
import threading
import time

import pytest

from bot.processes import RESTART_FIRST_DELAY_S, SUPERVISE_POLL_S, action_server_ready

pytestmark = pytest.mark.e2e

BUSY = "系统暂时繁忙"
# The first delay and the poll, plus the action server's own start (loading the actions and
# the knowledge content takes a few seconds on this machine).
BACK_WITHIN_S = RESTART_FIRST_DELAY_S + SUPERVISE_POLL_S + 30


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_killed_action_server_is_restarted_and_its_turns_answer_again(servers, chat, caplog):
    assert action_server_ready(servers.settings)
    killed = servers.processes["actions"]
    rasa_pid = servers.processes["rasa"].pid
    stopping = threading.Event()
    supervisor = threading.Thread(target=servers.supervise, args=(stopping,), daemon=True)
    supervisor.start()
    try:
        with caplog.at_level(logging.INFO, logger="bot.processes"):
            os.killpg(killed.pid, signal.SIGKILL)
            killed.wait(10)
            assert not action_server_ready(servers.settings)
            assert wait_for(lambda: action_server_ready(servers.settings), BACK_WITHIN_S)
        assert servers.processes["actions"].pid != killed.pid
        assert servers.processes["rasa"].pid == rasa_pid  # only the crashed one was restarted
        messages = [r.getMessage() for r in caplog.records]
        assert any(m.startswith(f"actions server exited with code {-signal.SIGKILL}") for m in messages), messages
        assert any(m.startswith("restarting actions server") for m in messages), messages
        reply = chat.texts("美国ITC对我们发起了337调查，怎么应对")
        assert BUSY not in reply and "337" in reply and "来源：" in reply, reply
    finally:
        stopping.set()
        supervisor.join(10)
        if not action_server_ready(servers.settings):  # leave the session's servers as found
            servers.stop(["actions"])
            servers.start_actions()
            servers.wait_ready()
