"""The shared secrets: each from its setting, or made once and kept owner-only in `var/`.

Every process reads them through `with_secrets`, so the launcher, the Rasa server, the action
server, the console and the tests agree without passing secrets on command lines.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, Text

from knowledge.core.files import private_directory
from knowledge.core.settings import VAR, Settings

logger = logging.getLogger(__name__)

# Setting → the file that keeps it when the setting is empty.
SECRET_FILES = {
    "staff_token": "staff-token",
    "rasa_token": "rasa-token",
    "action_token": "action-token",
    "channel_token": "channel-token",
    "session_secret": "session-secret",
}


def stored_secret(path: Path) -> Text:
    """The secret kept in `path`; a new random one, written owner-only, when there is none.
    Processes starting together get the same secret: each writes a whole file of its own and
    links it into place, which only the first can do."""
    if not path.is_file():
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
            logger.warning("%s is not set; generated one in %s", path.name.replace("-", "_").upper(), path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text(encoding="utf-8").strip()


def with_secrets(settings: Settings, directory: Path = VAR) -> Settings:
    """`settings` with every secret that is not configured filled from `directory` (made
    owner-only)."""
    private_directory(directory)
    missing: Dict[Text, Any] = {
        name: stored_secret(directory / file) for name, file in SECRET_FILES.items() if not getattr(settings, name)
    }
    return replace(settings, **missing) if missing else settings


def same_secret(given: Text, expected: Text) -> bool:
    """A constant-time comparison; an empty expected secret matches nothing."""
    return bool(expected) and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def bearer(header: Text) -> Text:
    """The token of an `Authorization: Bearer <token>` header, or ''."""
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""
