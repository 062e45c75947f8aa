"""`python -m bot.rasa_server MODEL [ENDPOINTS]`: `rasa run` as the project serves it
(ENDPOINTS: endpoints.yml; a cluster's instances get theirs, with the lock store).

The HTTP API needs the Rasa token (RASA_TOKEN or var/rasa-token), given to Rasa inside this
process so that it never shows on a command line; only ALLOWED_ORIGINS may call it from a
browser; Sanic refuses bodies over MAX_BODY_BYTES with 413 before reading them and answers
every error it raises itself as JSON; malformed API bodies get 400 (`api_guard.py`), through
Rasa's `create_app` wrapped here, the one place the app is made. Before Rasa starts, the
adjustments to Rasa are installed: action-server responses checked against a schema
validated once (`action_response.py`); stored events' classes found from a table, not a
walk of every Event subclass per event (`event_types.py`); the action timeout and the
message when the action server fails (`action_outage.py`); the message when the database
cannot be read, instead of an empty conversation (`database_outage.py`).
"""

from __future__ import annotations

import os
import sys
from typing import Any, List, Text

from bot.api_guard import body_guard
from knowledge.core import settings as settings_module
from knowledge.core.settings import Settings
from knowledge.core.tokens import with_secrets


def rasa_arguments(settings: Settings, model: Text, endpoints: Text = "endpoints.yml") -> List[Text]:
    """The arguments of `rasa run` for `settings`."""
    arguments = [
        "run",
        "--enable-api",
        "--auth-token",
        settings.rasa_token,
        "--interface",
        settings.host,
        "--port",
        str(settings.rasa_port),
        "--model",
        model,
        "--credentials",
        "credentials.yml",
        "--endpoints",
        endpoints,
    ]
    if settings.browser_origins:
        arguments += ["--cors", *settings.browser_origins]
    return arguments


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print("usage: python -m bot.rasa_server MODEL [ENDPOINTS]", file=sys.stderr)
        return 2
    try:
        settings = with_secrets(settings_module.load())
    except settings_module.SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    os.environ["SANIC_REQUEST_MAX_SIZE"] = str(settings.max_body_bytes)
    os.environ["SANIC_FALLBACK_ERROR_FORMAT"] = "json"
    import rasa.__main__  # late: Rasa's import is slow and reads the environment
    import rasa.server

    from bot import action_outage, action_response, database_outage, event_types, held_conversation

    action_response.install()
    event_types.install()
    hotline_hours = settings.hotline_hours or settings.hours.describe()
    action_outage.install(settings.action_timeout_s, settings.hotline_phone, hotline_hours)
    database_outage.install(settings.hotline_phone, hotline_hours)
    held_conversation.install(settings.hours.describe(), settings.hotline_phone, hotline_hours)

    create_app = rasa.server.create_app

    def guarded_app(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        app.register_middleware(body_guard(settings.rasa_token), "request")
        return app

    rasa.server.create_app = guarded_app
    sys.argv = ["rasa", *rasa_arguments(settings, *sys.argv[1:])]
    rasa.__main__.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
