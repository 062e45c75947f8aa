"""Starting, watching, restarting and stopping the action server, the Rasa server and the
console (and, for the cluster, nginx: `bot/cluster.py`)."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Dict, List, Optional, Text

from knowledge.core.settings import ROOT, Settings
from knowledge.core.tokens import with_secrets

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 120
STOP_TIMEOUT_S = 20

# A crashed server is restarted after 1 s, then 2, 4, 8 … s while it keeps crashing: a
# one-off crash costs a second, a server that cannot start does not spin a core (two on the
# target machine). 30 s caps the wait, so a server whose cause went away (the database is
# back) is up again within half a minute.
RESTART_FIRST_DELAY_S = 1.0
RESTART_MAX_DELAY_S = 30.0
# A server that stayed up this long was healthy: its next crash starts from the first delay
# again. Longer than the Rasa server's model loading (about 30 s), so a server that crashes
# while loading keeps backing off.
RESTART_RESET_AFTER_S = 60.0
# How often the supervisor looks at its children: a crash is noticed within a second.
SUPERVISE_POLL_S = 1.0


# The project's Rasa inputs, as `rasa train` and `rasa data validate` take them.
PROJECT_ARGS = ["--config", "config.yml", "--domain", "domain.yml", "--data", "data"]
# The single instance's endpoints; the cluster's are generated from them (`bot/cluster.py`).
ENDPOINTS = ROOT / "endpoints.yml"


def rasa_command(*args: Text) -> List[Text]:
    """`rasa ARGS` run by this interpreter, so the venv's Rasa is the one used."""
    return [sys.executable, "-m", "rasa", *args]


def subprocess_env(settings: Settings) -> Dict[Text, Text]:
    """The environment every child process gets: settings (secrets included) made explicit,
    no noise, no telemetry, nothing fetched from outside. Only the owner can read a
    process's environment; command lines are public."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "ACTION_ENDPOINT_URL": settings.action_url,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "LOG_LEVEL": settings.log_level,
            "HOST": settings.host,
            "RASA_PORT": str(settings.rasa_port),
            "ACTION_HOST": settings.action_host,
            "ACTION_PORT": str(settings.action_port),
            "ACTION_TIMEOUT_S": str(settings.action_timeout_s),
            "CONSOLE_PORT": str(settings.console_port),
            "RASA_TOKEN": settings.rasa_token,
            "ACTION_TOKEN": settings.action_token,
            "CHANNEL_TOKEN": settings.channel_token,
            "SESSION_SECRET": settings.session_secret,
            "ALLOWED_ORIGINS": ",".join(settings.allowed_origins),
            "PUBLIC_MODE": "1" if settings.public_mode else "0",
            "MAX_BODY_BYTES": str(settings.max_body_bytes),
            "MAX_MESSAGE_CHARS": str(settings.max_message_chars),
            "TURNS_PER_MINUTE": str(settings.sender_turns_per_minute),
            "TURNS_PER_MINUTE_PER_ADDRESS": str(settings.address_turns_per_minute),
            "PHONE_CHECKS_PER_HOUR": str(settings.phone_checks_per_hour),
            "WECHAT_TOKEN": settings.wechat_token,
            "WECHAT_APP_ID": settings.wechat_app_id,
            "WECHAT_APP_SECRET": settings.wechat_app_secret,
            "WECHAT_ENCODING_AES_KEY": settings.wechat_aes_key,
            "WECHAT_API_URL": settings.wechat_api_url,
            "WECHAT_PASSIVE_ONLY": "1" if settings.wechat_passive_only else "0",
            "WECHAT_PASSIVE_WITHIN_S": str(settings.wechat_passive_within_s),
            "WECHAT_ALERT_TEMPLATE_ID": settings.wechat_alert_template_id,
            "HOTLINE_PHONE": settings.hotline_phone,
            "HOTLINE_HOURS": settings.hotline_hours,
            "STAFF_TOKEN": settings.staff_token,
            "STAFF_WEBHOOK_URL": settings.staff_webhook_url,
            "OFFICE_HOURS": settings.office_hours,
            "OFFICE_DAYS": settings.office_days,
            "REPORT_REPLY_DAYS": str(settings.report_reply_days),
        }
    )
    return env


def _get_json(url: Text, body: Optional[dict] = None, timeout: float = 5) -> Optional[dict]:
    """The JSON answer of a GET (or of a POST of `body`), None when there is none."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return None


def action_server_ready(settings: Settings) -> bool:
    """The action server answers its health route."""
    return _get_json(f"http://{settings.action_host}:{settings.action_port}/health") is not None


def console_ready(settings: Settings) -> bool:
    """The console answers its health route."""
    return _get_json(f"{settings.console_url}/health") is not None


def rasa_server_ready(settings: Settings) -> bool:
    """Rasa has loaded a model and parses a message; its log line alone proves nothing."""
    token = f"token={settings.rasa_token}"
    status = _get_json(f"{settings.rasa_url}/status?{token}")
    if not status or not status.get("model_file"):
        return False
    parsed = _get_json(f"{settings.rasa_url}/model/parse?{token}", {"text": "你好"})
    return bool(parsed and parsed.get("intent", {}).get("name"))


def crashes_in_a_row(before: int, uptime_s: float) -> int:
    """How many times in a row a server has now crashed, `before` counted until its last
    start and the run that just ended having lasted `uptime_s`."""
    return 1 if uptime_s >= RESTART_RESET_AFTER_S else before + 1


def restart_delay(crashes: int) -> float:
    """The wait before restarting a server that crashed `crashes` (at least 1) times in a
    row: the first delay, doubled for each crash before, capped."""
    # The exponent is bounded so that a server crashing for days cannot overflow a float.
    doublings = min(max(crashes - 1, 0), 64)
    return min(RESTART_FIRST_DELAY_S * 2.0**doublings, RESTART_MAX_DELAY_S)


class Servers:
    """The action server, the Rasa server and the console as child processes, sharing
    `settings` with their secrets filled in.

    One of several sets (a cluster's instances) has a `label`, which names its servers in
    the log and their log files (`rasa-1`); `endpoints` is the Rasa server's endpoints file
    and `environment` what its children get on top of `subprocess_env`."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        log_dir: Optional[Path] = None,
        *,
        endpoints: Path = ENDPOINTS,
        label: Text = "",
        environment: Optional[Dict[Text, Text]] = None,
    ) -> None:
        self.settings = with_secrets(settings)
        self.model = model
        self.log_dir = log_dir
        self.endpoints = endpoints
        self.label = label
        self.environment = dict(environment or {})
        self.processes: Dict[Text, subprocess.Popen] = {}
        # What each server was started with and when: a restart repeats the command.
        self.commands: Dict[Text, List[Text]] = {}
        self.started_at: Dict[Text, float] = {}

    def title(self, name: Text) -> Text:
        """How the server `name` of this set is named in the log and its log file."""
        return f"{name}-{self.label}" if self.label else name

    def _spawn(self, name: Text, command: List[Text]) -> None:
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{self.title(name)}.log", "ab")
        logger.info("starting %s: %s", self.title(name), " ".join(command))
        self.commands[name] = command
        self.started_at[name] = time.monotonic()
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**subprocess_env(self.settings), **self.environment},
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )

    def start_actions(self) -> None:
        """Starts the action server (`bot/action_server.py`) on ACTION_HOST:ACTION_PORT."""
        self._spawn("actions", [sys.executable, "-m", "bot.action_server"])

    def start_rasa(self) -> None:
        """Starts the Rasa server (`bot/rasa_server.py`): HTTP API behind the Rasa token, on
        loopback unless configured."""
        self._spawn("rasa", [sys.executable, "-m", "bot.rasa_server", str(self.model), str(self.endpoints)])

    def start_console(self) -> None:
        """Starts the console (staff API) on the configured port."""
        self._spawn("console", [sys.executable, "-m", "bot.console"])

    def start(self) -> None:
        """Starts all three servers and waits until each answers."""
        self.start_actions()
        self.start_rasa()
        self.start_console()
        self.wait_ready()

    def ready_checks(self) -> Dict[Text, Callable[[Settings], bool]]:
        """For each server name, how to tell that it answers."""
        return {"actions": action_server_ready, "rasa": rasa_server_ready, "console": console_ready}

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Blocks until every started server answers; raises if one dies or times out."""
        checks = self.ready_checks()
        pending = {name for name in self.processes}
        deadline = time.monotonic() + timeout
        while pending:
            for name in list(pending):
                if self.processes[name].poll() is not None:
                    code = self.processes[name].returncode
                    raise RuntimeError(f"{self.title(name)} server exited with code {code}")
                if checks[name](self.settings):
                    logger.info("%s server is ready", self.title(name))
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                names = ", ".join(sorted(self.title(name) for name in pending))
                raise TimeoutError(f"not ready after {timeout:.0f} s: {names}")
            if pending:
                time.sleep(0.5)

    def stop(self, names: Optional[List[Text]] = None) -> None:
        """Stops the named servers (default: all): SIGTERM (Sanic shuts down gracefully
        on it, and unlike SIGINT it is never inherited as ignored), then SIGKILL after a
        grace period."""
        for name in names or list(self.processes):
            process = self.processes.pop(name, None)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                logger.warning("%s server did not stop in %s s; killing it", self.title(name), STOP_TIMEOUT_S)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def supervise(self, stopping: Optional[threading.Event] = None) -> None:
        """Watches the started servers until `stopping` is set (for `bot run`, never: Ctrl-C
        or SIGTERM ends it). A server that exits is logged and started again, alone, with
        the same command, settings and log file, after `restart_delay`; the others keep
        serving meanwhile."""
        stopping = stopping or threading.Event()
        crashes: Dict[Text, int] = {}
        restart_at: Dict[Text, float] = {}
        while not stopping.is_set():
            now = time.monotonic()
            for name, process in list(self.processes.items()):
                if name in restart_at:
                    if now >= restart_at[name]:
                        del restart_at[name]
                        logger.warning("restarting %s server (crash %d in a row)", self.title(name), crashes[name])
                        self._spawn(name, self.commands[name])
                    continue
                if process.poll() is None:
                    continue
                uptime = now - self.started_at[name]
                crashes[name] = crashes_in_a_row(crashes.get(name, 0), uptime)
                delay = restart_delay(crashes[name])
                logger.error(
                    "%s server exited with code %s after %.0f s up; restarting it in %.0f s",
                    self.title(name),
                    process.returncode,
                    uptime,
                    delay,
                )
                restart_at[name] = now + delay
            stopping.wait(SUPERVISE_POLL_S)
