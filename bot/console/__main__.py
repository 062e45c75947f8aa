"""`python -m bot.console`: serves the staff API on HOST:CONSOLE_PORT."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.console.app import make_app
from knowledge import settings as settings_module


def main() -> None:
    settings = settings_module.load()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    web.run_app(make_app(settings), host=settings.host, port=settings.console_port, print=None)


if __name__ == "__main__":
    main()
