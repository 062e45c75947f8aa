"""`python -m bot.console`: serves the staff API on HOST:CONSOLE_PORT."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.console.app import make_app
from knowledge.core import settings as settings_module
from knowledge.core.tokens import with_secrets


def main() -> int:
    try:
        settings = with_secrets(settings_module.load())
    except settings_module.SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    web.run_app(make_app(settings), host=settings.host, port=settings.console_port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
