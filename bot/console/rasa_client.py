"""The few calls the console makes to Rasa's HTTP API about one conversation."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional, Text
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=15)


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    """Reads a conversation and writes staff actions into it, pushing bot messages to the
    user's channel where it can push (socketio; REST cannot)."""

    def __init__(self, session: aiohttp.ClientSession, rasa_url: Text, token: Text) -> None:
        self.session = session
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token

    def _url(self, sender_id: Text, path: Text) -> Text:
        return f"{self.rasa_url}/conversations/{quote(sender_id, safe='')}/{path}"

    async def _call(self, method: Text, url: Text, params: Optional[Dict[Text, Text]] = None, **kwargs: Any) -> Any:
        # Rasa's API takes its token as a query parameter; it is never logged here.
        params = {**(params or {}), "token": self.token}
        try:
            async with self.session.request(method, url, params=params, timeout=TIMEOUT, **kwargs) as response:
                if response.status >= 400:
                    body = await response.text()
                    raise RasaUnavailable(f"{method} {url}: {response.status} {body[:300]}")
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(f"{method} {url}: {error}") from error

    async def tracker(self, sender_id: Text) -> Dict[Text, Any]:
        """The conversation's tracker (all events since the last restart)."""
        return await self._call("GET", self._url(sender_id, "tracker"), params={"include_events": "AFTER_RESTART"})

    async def say(self, sender_id: Text, text: Text, staff: Text) -> None:
        """Records a staff message in the conversation and sends it to the user. The
        conversation is paused first: a queued handoff (`actions/handoff.py`) is taken over,
        so the bot does not answer over staff."""
        events = [{"event": "pause"}, {"event": "bot", "text": text, "metadata": {"staff": staff}}]
        params = {"output_channel": "latest", "execute_side_effects": "true"}
        await self._call("POST", self._url(sender_id, "tracker/events"), json=events, params=params)

    async def resume(self, sender_id: Text, response: Text) -> None:
        """Ends the pause, so the bot answers again, and tells the user with `response`."""
        await self._call("POST", self._url(sender_id, "tracker/events"), json=[{"event": "resume"}])
        params = {"output_channel": "latest"}
        await self._call("POST", self._url(sender_id, "execute"), json={"name": response}, params=params)
        # `execute` runs one action and stops; the bot then listens, as after any turn, so
        # that the user's next message is predicted from a normal state.
        listen = {"event": "action", "name": "action_listen", "policy": None, "confidence": None}
        await self._call("POST", self._url(sender_id, "tracker/events"), json=[listen])
