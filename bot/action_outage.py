"""What the Rasa server does when the action server fails a turn (down, slow, or erring).

Rasa waits 5 minutes for the action server (a constant in `rasa.core.actions.action`) and,
when it fails, logs the error and answers nothing: the user sees silence, and a confirmed
report that was not saved is never mentioned. `install` (run at the Rasa server's start,
`bot/rasa_server.py`) sets that wait to ACTION_TIMEOUT_S and makes a failed custom action
say so: "系统暂时繁忙…" (with the hotline when one is configured), recorded in the
conversation like any reply. The action's own events are not applied, so nothing is taken
as done that was not: a report whose saving failed is not acknowledged and can be confirmed
again. A session that cannot start through the action server starts as Rasa's own does.
"""

from __future__ import annotations

import logging
from typing import Any, List, Text

from rasa.core.actions import action as rasa_action
from rasa.shared.core.events import Event

logger = logging.getLogger(__name__)

BUSY, BUSY_WITH_HOTLINE = "utter_service_busy", "utter_service_busy_hotline"
RASA_RUN = rasa_action.RemoteAction.run  # Rasa's own, which `install` wraps


def install(timeout_s: float, hotline_phone: Text, hotline_hours: Text) -> None:
    """Applies the wait and the message to every custom action this process runs (again:
    the newest settings)."""
    rasa_action.DEFAULT_REQUEST_TIMEOUT = timeout_s

    async def run_or_say_busy(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await RASA_RUN(self, output_channel, nlg, tracker, domain)
        except rasa_action.ActionExecutionRejection:
            raise  # a form's own "not an answer": Rasa's control flow, not an outage
        except Exception as error:  # down, timed out, or an error of the action server
            logger.error("custom action %s failed (%s: %s); telling the user", self.name(), type(error).__name__, error)
        if self.name() == rasa_action.ACTION_SESSION_START_NAME:
            return await rasa_action.ActionSessionStart().run(output_channel, nlg, tracker, domain)
        response = BUSY_WITH_HOTLINE if hotline_phone else BUSY
        values = {"hotline_phone": hotline_phone, "hotline_hours": hotline_hours} if hotline_phone else {}
        message = await nlg.generate(response, tracker, output_channel.name(), **values)
        return [rasa_action.create_bot_utterance({**(message or {}), "utter_action": response})]

    rasa_action.RemoteAction.run = run_or_say_busy
