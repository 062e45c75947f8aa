"""The one settings module: environment variables with defaults, and an optional `.env`.

Every process (launcher, Rasa's tracker store, the action server, tests) reads its
configuration here. With no environment at all it runs locally: SQLite under `var/`,
everything on 127.0.0.1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Text

ROOT = Path(__file__).resolve().parent.parent


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
    # Staff API token; empty means the console makes one and keeps it in var/staff-token.
    staff_token: Text
    # Where urgent reports are announced to the on-duty staff (empty: not configured).
    staff_webhook_url: Text
    # When people answer handed-off conversations, e.g. "09:00-17:00" on days "1-5" (Mon-Fri).
    office_hours: Text
    office_days: Text
    # Working days within which the centre contacts the reporter of a non-urgent report.
    report_reply_days: int

    @property
    def rasa_url(self) -> Text:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> Text:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def console_url(self) -> Text:
        return f"http://{self.host}:{self.console_port}"


def load(environ: Optional[Mapping[Text, Text]] = None) -> Settings:
    """Settings from `environ` (default: the process environment) over `.env`."""
    env = {**read_env_file(ROOT / ".env"), **(os.environ if environ is None else environ)}
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'assistant.db'}",
        host=env.get("HOST") or "127.0.0.1",
        rasa_port=int(env.get("RASA_PORT") or 5005),
        action_port=int(env.get("ACTION_PORT") or 5055),
        log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        hotline_phone=env.get("HOTLINE_PHONE") or "",
        hotline_hours=env.get("HOTLINE_HOURS") or "",
        contacts_file=Path(env.get("CONTACTS_FILE") or ROOT / "var" / "contacts.yml"),
        console_port=int(env.get("CONSOLE_PORT") or 8000),
        staff_token=env.get("STAFF_TOKEN") or "",
        staff_webhook_url=env.get("STAFF_WEBHOOK_URL") or "",
        office_hours=env.get("OFFICE_HOURS") or "09:00-17:00",
        office_days=env.get("OFFICE_DAYS") or "1-5",
        report_reply_days=int(env.get("REPORT_REPLY_DAYS") or 2),
    )
