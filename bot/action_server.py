"""`python -m bot.action_server`: the rasa-sdk action server, for Rasa only.

Every route but /health needs `Authorization: Bearer <ACTION_TOKEN>` (or the token in
var/action-token), which Rasa sends through `endpoints.yml`; anything else gets 401 before an
action runs. It listens on ACTION_HOST (loopback unless configured) and answers no browser.
The knowledge index is built as it starts.
"""

from __future__ import annotations

import logging
import sys

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.knowledge_base import knowledge_base
from knowledge.core import settings as settings_module
from knowledge.core.settings import Settings
from knowledge.core.tokens import bearer, same_secret, with_secrets

logger = logging.getLogger(__name__)

OPEN_PATHS = ("/health",)


def make_app(settings: Settings) -> Sanic:
    """The action server's app, guarded by the action token."""
    app = create_app("actions", cors_origins=None)

    @app.on_request
    async def require_token(request: Request) -> "HTTPResponse | None":
        if request.path in OPEN_PATHS:
            return None
        if not same_secret(bearer(request.headers.get("Authorization", "")), settings.action_token):
            logger.warning(
                "action server: refused %s %s from %s (no valid token)", request.method, request.path, request.ip
            )
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.after_server_start
    async def build_index(app: Sanic, _loop: object) -> None:
        # The first knowledge question would otherwise wait for it (seconds), past the Rasa
        # server's ACTION_TIMEOUT_S on a slow machine.
        app.add_task(knowledge_base.index())

    return app


def main() -> int:
    try:
        settings = with_secrets(settings_module.load())
    except settings_module.SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = make_app(settings)
    app.run(host=settings.action_host, port=settings.action_port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
