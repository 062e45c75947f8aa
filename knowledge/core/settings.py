"""The one settings module: environment variables with defaults, and an optional `.env`.

Every process (launcher, action server, console, tests) reads its configuration here, once,
and passes it on. A setting that cannot be read stops the process with the setting named.
With no environment at all it runs locally: SQLite under `var/`, everything on 127.0.0.1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Text, Tuple
from urllib.parse import unquote, urlsplit

from knowledge.core.office_hours import OfficeHours

ROOT = Path(__file__).resolve().parents[2]
# Owner-only: the SQLite database, the generated secrets, logs.
VAR = ROOT / "var"
# `make run-cluster`'s instances (CLUSTER_SIZE) and its lock store (REDIS_URL).
DEFAULT_CLUSTER_SIZE, MAX_CLUSTER_SIZE = 2, 8
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it."""


def read_env_file(path: Path) -> Dict[Text, Text]:
    """KEY=VALUE lines of a `.env` file; comments and blank lines are skipped."""
    values: Dict[Text, Text] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    """Configuration of every process of the assistant."""

    database_url: Text
    host: Text
    rasa_port: int
    action_port: int
    log_level: Text
    hotline_phone: Text
    hotline_hours: Text
    contacts_file: Path
    console_port: int
    # The shared secrets; each one left empty is made once and kept in var/ (`tokens.py`).
    staff_token: Text  # the staff API (console)
    rasa_token: Text  # Rasa's HTTP API
    action_token: Text  # Rasa to the action server
    channel_token: Text  # integrations on the REST channel
    session_secret: Text  # signs the web widget's session tokens
    # Where urgent reports are announced to the on-duty staff (empty: not configured).
    staff_webhook_url: Text
    # When people answer handed-off conversations, e.g. "09:00-17:00" on days "1-5" (Mon-Fri).
    office_hours: Text
    office_days: Text
    # Working days within which the centre contacts the reporter of a non-urgent report.
    report_reply_days: int
    # Where the action server listens (loopback: only Rasa calls it).
    action_host: Text = "127.0.0.1"
    # How long the Rasa server waits for an action before telling the user the system is busy.
    action_timeout_s: int = 10
    # Origins (scheme://host[:port]) whose pages may call the Rasa server (the widget's host).
    allowed_origins: Tuple[Text, ...] = ()
    # Public deployment: the REST channel needs the channel token from every client.
    public_mode: bool = False
    # Request bodies above this get 413 before they are read; messages above
    # max_message_chars are answered with the limit and not processed.
    max_body_bytes: int = 64 * 1024
    max_message_chars: int = 10000
    # Turns per minute on the public channels, per conversation and per client address.
    sender_turns_per_minute: int = 20
    address_turns_per_minute: int = 60
    # Wrong phone numbers per report id per hour before status checks of it are refused.
    phone_checks_per_hour: int = 5
    # The WeChat Official Account (`bot/channels/wechat.py`); no token: the channel is off.
    wechat_token: Text = ""
    wechat_app_id: Text = ""
    wechat_app_secret: Text = ""
    wechat_aes_key: Text = ""  # empty: plaintext mode
    wechat_api_url: Text = "https://api.weixin.qq.com"
    # An account without the customer-service API (unverified) replies passively only.
    wechat_passive_only: bool = False
    # How long a turn may take and still be answered passively (WeChat waits 5 s).
    wechat_passive_within_s: float = 4.0
    # The template message risk alerts are pushed with; empty: alerts wait for the user's next message.
    wechat_alert_template_id: Text = ""
    # `make run-cluster`: how many instances, and the Redis their lock store is in (a
    # `redis://[:password@]host[:port][/db]` URL, checked by `redis_address`).
    cluster_size: int = DEFAULT_CLUSTER_SIZE
    redis_url: Text = DEFAULT_REDIS_URL
    # Parsed from office_hours and office_days when the settings are made.
    hours: OfficeHours = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            hours = OfficeHours.parse(self.office_hours, self.office_days)
        except ValueError as error:  # the message names OFFICE_HOURS or OFFICE_DAYS
            raise SettingsError(str(error)) from None
        object.__setattr__(self, "hours", hours)

    @property
    def rasa_url(self) -> Text:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> Text:
        return f"http://{self.action_host}:{self.action_port}/webhook"

    @property
    def console_url(self) -> Text:
        return f"http://{self.host}:{self.console_port}"

    @property
    def browser_origins(self) -> Tuple[Text, ...]:
        """The origins whose pages may use the Rasa server from a browser: ALLOWED_ORIGINS
        and the console's own (its demo page of the widget; on loopback by either name)."""
        names = ("127.0.0.1", "localhost") if self.host in ("127.0.0.1", "localhost") else (self.host,)
        own = tuple(f"http://{name}:{self.console_port}" for name in names if name not in ("0.0.0.0", "::"))
        return tuple(dict.fromkeys(self.allowed_origins + own))


@dataclass(frozen=True)
class RedisAddress:
    """A Redis server as a `redis://` (or `rediss://`, TLS) URL names it."""

    host: Text
    port: int = 6379
    db: int = 1
    password: Text = ""
    use_ssl: bool = False


def redis_address(url: Text) -> RedisAddress:
    """The Redis server `redis://[:password@]host[:port][/db]` names (db 1 when none is
    given); SettingsError naming REDIS_URL when `url` is no such URL."""
    parts = urlsplit(url)
    try:
        port = parts.port or 6379
        db = int(parts.path.strip("/") or 1)
    except ValueError:
        raise SettingsError(f"REDIS_URL={url!r}: expected redis://host[:port][/db]") from None
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise SettingsError(f"REDIS_URL={url!r}: expected redis://host[:port][/db]")
    return RedisAddress(parts.hostname, port, db, unquote(parts.password or ""), parts.scheme == "rediss")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _integer(env: Mapping[Text, Text], name: Text, default: int, low: int, high: int) -> int:
    raw = env.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r}: expected a whole number from {low} to {high}")
    return value


def _origins(raw: Text) -> Tuple[Text, ...]:
    origins = []
    for origin in filter(None, (part.strip().rstrip("/") for part in raw.split(","))):
        parts = urlsplit(origin)
        if origin == "*" or parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise SettingsError(f"ALLOWED_ORIGINS: {origin!r} is no origin (https://host[:port]; * is not allowed)")
        origins.append(origin)
    return tuple(origins)


def _flag(env: Mapping[Text, Text], name: Text) -> bool:
    raw = (env.get(name) or "0").strip().lower()
    if raw not in ("0", "1", "true", "false", "yes", "no"):
        raise SettingsError(f"{name}={raw!r}: expected 1 or 0")
    return raw in ("1", "true", "yes")


WECHAT_AES_KEY_LENGTH = 43


def _wechat(env: Mapping[Text, Text]) -> Dict[Text, Any]:
    """The WeChat settings; a partial configuration is refused, naming what is missing."""
    names = ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_ENCODING_AES_KEY")
    values = {name: (env.get(name) or "").strip() for name in names}
    passive_only = _flag(env, "WECHAT_PASSIVE_ONLY")
    if any(values.values()) and not values["WECHAT_TOKEN"]:
        given = ", ".join(name for name, value in values.items() if value)
        raise SettingsError(f"WECHAT_TOKEN is missing ({given} set): set it, or unset the others to turn WeChat off")
    if values["WECHAT_TOKEN"]:
        needed = ["WECHAT_APP_ID"] + ([] if passive_only else ["WECHAT_APP_SECRET"])
        missing = [name for name in needed if not values[name]]
        if missing:
            raise SettingsError(f"WeChat is configured without {', '.join(missing)}")
    key = values["WECHAT_ENCODING_AES_KEY"]
    if key and len(key) != WECHAT_AES_KEY_LENGTH:
        raise SettingsError(f"WECHAT_ENCODING_AES_KEY: expected {WECHAT_AES_KEY_LENGTH} characters, got {len(key)}")
    api_url = (env.get("WECHAT_API_URL") or "https://api.weixin.qq.com").rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        raise SettingsError(f"WECHAT_API_URL={api_url!r}: expected an http(s) URL")
    template_id = (env.get("WECHAT_ALERT_TEMPLATE_ID") or "").strip()
    if template_id and (passive_only or not values["WECHAT_TOKEN"]):
        raise SettingsError("WECHAT_ALERT_TEMPLATE_ID needs WeChat's API: WECHAT_TOKEN set, WECHAT_PASSIVE_ONLY=0")
    within = env.get("WECHAT_PASSIVE_WITHIN_S") or "4"
    try:
        passive_within = float(within)
    except ValueError:
        raise SettingsError(f"WECHAT_PASSIVE_WITHIN_S={within!r}: expected seconds from 0 to 4.5") from None
    if not 0 <= passive_within <= 4.5:
        raise SettingsError(f"WECHAT_PASSIVE_WITHIN_S={within!r}: expected seconds from 0 to 4.5")
    return dict(
        wechat_token=values["WECHAT_TOKEN"],
        wechat_app_id=values["WECHAT_APP_ID"],
        wechat_app_secret=values["WECHAT_APP_SECRET"],
        wechat_aes_key=key,
        wechat_api_url=api_url,
        wechat_passive_only=passive_only,
        wechat_passive_within_s=passive_within,
        wechat_alert_template_id=template_id,
    )


def load(environ: Optional[Mapping[Text, Text]] = None) -> Settings:
    """Settings from `environ` (default: the process environment) over `.env`.

    Raises SettingsError naming the first setting that cannot be used."""
    env = {**read_env_file(ROOT / ".env"), **(os.environ if environ is None else environ)}
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL={log_level!r}: expected one of {', '.join(LOG_LEVELS)}")
    redis_url = env.get("REDIS_URL") or DEFAULT_REDIS_URL
    redis_address(redis_url)  # refused here, as every setting, not when the cluster starts
    webhook = env.get("STAFF_WEBHOOK_URL") or ""
    if webhook and not webhook.startswith(("http://", "https://")):
        raise SettingsError(f"STAFF_WEBHOOK_URL={webhook!r}: expected an http(s) URL")
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite:///{VAR / 'assistant.db'}",
        host=env.get("HOST") or "127.0.0.1",
        rasa_port=_integer(env, "RASA_PORT", 5005, 1, 65535),
        action_port=_integer(env, "ACTION_PORT", 5055, 1, 65535),
        log_level=log_level,
        hotline_phone=env.get("HOTLINE_PHONE") or "",
        hotline_hours=env.get("HOTLINE_HOURS") or "",
        contacts_file=Path(env.get("CONTACTS_FILE") or VAR / "contacts.yml"),
        console_port=_integer(env, "CONSOLE_PORT", 8000, 1, 65535),
        staff_token=env.get("STAFF_TOKEN") or "",
        rasa_token=env.get("RASA_TOKEN") or "",
        action_token=env.get("ACTION_TOKEN") or "",
        channel_token=env.get("CHANNEL_TOKEN") or "",
        session_secret=env.get("SESSION_SECRET") or "",
        staff_webhook_url=webhook,
        office_hours=env.get("OFFICE_HOURS") or "09:00-17:00",
        office_days=env.get("OFFICE_DAYS") or "1-5",
        report_reply_days=_integer(env, "REPORT_REPLY_DAYS", 2, 1, 60),
        action_host=env.get("ACTION_HOST") or "127.0.0.1",
        allowed_origins=_origins(env.get("ALLOWED_ORIGINS") or ""),
        public_mode=_flag(env, "PUBLIC_MODE"),
        max_body_bytes=_integer(env, "MAX_BODY_BYTES", 64 * 1024, 4096, 16 * 1024 * 1024),
        max_message_chars=_integer(env, "MAX_MESSAGE_CHARS", 10000, 1000, 1_000_000),
        sender_turns_per_minute=_integer(env, "TURNS_PER_MINUTE", 20, 1, 10000),
        address_turns_per_minute=_integer(env, "TURNS_PER_MINUTE_PER_ADDRESS", 60, 1, 100000),
        action_timeout_s=_integer(env, "ACTION_TIMEOUT_S", 10, 1, 300),
        phone_checks_per_hour=_integer(env, "PHONE_CHECKS_PER_HOUR", 5, 1, 1000),
        cluster_size=_integer(env, "CLUSTER_SIZE", DEFAULT_CLUSTER_SIZE, 1, MAX_CLUSTER_SIZE),
        redis_url=redis_url,
        **_wechat(env),
    )
