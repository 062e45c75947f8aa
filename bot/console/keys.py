"""What the console's application holds, under typed keys."""

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console.rasa_client import RasaClient
from knowledge.core.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
RASA = web.AppKey("rasa", RasaClient)
