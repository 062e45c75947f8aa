"""Command line of the assistant: `python -m bot run|run-cluster|train|shell|init-db|wechat-menu|publish-alert`."""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
from typing import List, Optional, Text

from sqlalchemy.engine import make_url

from bot.channels.alerts import publish, pushed_channels
from bot.channels.wechat_api import WeChatApi, WeChatApiError
from bot.channels.wechat_menu import MENU_FILE, published_menu
from bot.cluster import Cluster, LockStore, shared_database
from bot.database import create_database_if_missing, prepare_database
from bot.processes import Servers, rasa_command, subprocess_env
from bot.training import ensure_model
from knowledge.core import settings as settings_module
from knowledge.core.db import make_engine
from knowledge.core.errors import NotFound
from knowledge.core.settings import ROOT

logger = logging.getLogger("bot")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Ctrl-C, SIGTERM and a closed terminal (SIGHUP) all end in stopping the servers, even
    when this process was started with SIGINT ignored (as background jobs of a
    non-interactive shell are)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)


def run(settings: settings_module.Settings) -> int:
    """Prepares the database and the model, then serves until Ctrl-C, restarting a server
    that crashes."""
    prepare_database(settings.database_url)
    model = ensure_model(settings)
    servers = Servers(settings, model)
    _stop_on_signals()
    try:
        servers.start()
        print(
            "\n铜川海外知识产权纠纷应对助手 is running.\n"
            f"  REST:      POST {settings.rasa_url}/webhooks/rest/webhook  "
            '{"sender": "me", "message": "你好"}\n'
            f"  Socket.IO: {settings.rasa_url}/socket.io (web chat widget)\n"
            f"  WeChat:    {wechat_status(settings)}\n"
            f"  Rasa API:  {settings.rasa_url}/model/parse?token=<RASA_TOKEN, or the token in var/rasa-token>\n"
            f"  Actions:   {settings.action_url}\n"
            f"  Staff API: {settings.console_url}/api/handoffs\n"
            "             (header Authorization: Bearer <STAFF_TOKEN, or the token in var/staff-token>)\n"
            "  Chat in the terminal: make shell.  Stop: Ctrl-C.\n",
            flush=True,
        )
        servers.supervise()
        return 0
    except KeyboardInterrupt:
        logger.info("stopping")
        return 0
    finally:
        servers.stop()


def run_cluster(settings: settings_module.Settings) -> int:
    """`run` as several instances behind nginx, sharing the database and a Redis lock store
    (`bot/cluster.py`), until Ctrl-C."""
    try:
        create_database_if_missing(shared_database(settings.database_url))
    except settings_module.SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    prepare_database(settings.database_url)
    model = ensure_model(settings)
    lock_store = LockStore.from_url(settings.redis_url)  # checked when the settings were read
    cluster = Cluster(settings, model, lock_store)
    _stop_on_signals()
    try:
        cluster.start()
        front = cluster.settings
        instances = ", ".join(f"{s.settings.rasa_url} + actions :{s.settings.action_port}" for s in cluster.instances)
        print(
            f"\n铜川海外知识产权纠纷应对助手 is running as a cluster of {len(cluster.instances)}.\n"
            f"  nginx:     {front.rasa_url} (REST, Socket.IO, WeChat, Rasa API), actions {front.action_url}\n"
            f"  instances: {instances}\n"
            f"  shared:    {make_url(front.database_url).render_as_string(hide_password=True)}, "
            f"lock store {lock_store.host}:{lock_store.port} db {lock_store.db}\n"
            f"  Staff API: {front.console_url}/api/handoffs\n"
            f"  Logs:      {cluster.log_dir}/  Stop: Ctrl-C.\n",
            flush=True,
        )
        cluster.supervise()
        return 0
    except KeyboardInterrupt:
        logger.info("stopping")
        return 0
    except RuntimeError as error:  # Redis, nginx or a server that would not start
        logger.error("%s", error)
        return 1
    finally:
        cluster.stop()


def wechat_status(settings: settings_module.Settings) -> Text:
    if not settings.wechat_token:
        return "off (WECHAT_TOKEN is not set)"
    mode = "safe mode" if settings.wechat_aes_key else "plaintext mode"
    replies = "passive replies only" if settings.wechat_passive_only else "customer-service API"
    return f"{settings.rasa_url}/webhooks/wechat/webhook ({mode}, {replies})"


def wechat_menu(settings: settings_module.Settings) -> int:
    """Publishes bot/channels/wechat_menu.yml as the account's custom menu."""
    if not settings.wechat_token or settings.wechat_passive_only:
        print("error: publishing the menu needs WECHAT_TOKEN, WECHAT_APP_ID and WECHAT_APP_SECRET", file=sys.stderr)
        return 2
    prepare_database(settings.database_url)
    try:
        WeChatApi(settings, make_engine(settings.database_url)).create_menu(published_menu())
    except WeChatApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"published the WeChat menu ({MENU_FILE.relative_to(ROOT)})")
    return 0


def publish_alert(settings: settings_module.Settings, alert_id: Optional[Text]) -> int:
    """Publishes a library alert to its subscribers (the console pushes it to WeChat)."""
    if not alert_id:
        print("error: name the alert: python -m bot publish-alert <alert id>", file=sys.stderr)
        return 2
    prepare_database(settings.database_url)
    try:
        published = publish(make_engine(settings.database_url), alert_id, pushed_channels(settings))
    except NotFound:
        print(f"error: the knowledge content has no alert {alert_id!r}", file=sys.stderr)
        return 1
    ways = "by template message (WeChat) or " if pushed_channels(settings) else ""
    print(
        f"alert {alert_id}: {published.new} new subscribers ({published.already} reached before); "
        f"they get it {ways}with their next message"
    )
    return 0


def shell(settings: settings_module.Settings) -> int:
    """Chats in the terminal, with the action server running behind."""
    prepare_database(settings.database_url)
    model = ensure_model(settings)
    servers = Servers(settings, model)
    _stop_on_signals()
    try:
        servers.start_actions()
        servers.wait_ready()
        # The shell's own channel takes any sender: it listens on loopback only.
        command = rasa_command(
            "shell", "--model", str(model), "--endpoints", "endpoints.yml", "--interface", "127.0.0.1"
        )
        return subprocess.call(command, env=subprocess_env(servers.settings))
    except KeyboardInterrupt:
        return 0
    finally:
        servers.stop()


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = ["run", "run-cluster", "train", "shell", "init-db", "wechat-menu", "publish-alert"]
    parser.add_argument("command", choices=commands)
    parser.add_argument("alert_id", nargs="?", help="publish-alert: the id of an alert in knowledge/library/content")
    parser.add_argument("--force", action="store_true", help="train even if the model is fresh")
    args = parser.parse_args(argv)
    try:
        settings = settings_module.load()
    except settings_module.SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "run":
        return run(settings)
    if args.command == "run-cluster":
        return run_cluster(settings)
    if args.command == "shell":
        return shell(settings)
    if args.command == "wechat-menu":
        return wechat_menu(settings)
    if args.command == "publish-alert":
        return publish_alert(settings, args.alert_id)
    if args.command == "train":
        print(ensure_model(settings, force=args.force))
        return 0
    report = prepare_database(settings.database_url)
    print(f"knowledge content: {report}")
    for problem in report.errors:
        print(f"  error: {problem}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
