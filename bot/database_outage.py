"""What the Rasa server does when it cannot read a conversation: the database is down.

Rasa wraps every tracker store in a `FailSafeTrackerStore`, whose `retrieve` logs a failure
and returns None, as if the conversation were new. A message that arrives while the
database is down (restarting, unreachable) is then read in an empty conversation: a user
confirming a report is answered as if nothing had been asked ("确认" out of context), and
the turn starts a new session with whatever the policies make of it. `install` (run at the
Rasa server's start, `bot/rasa_server.py`) makes that failure a failure: `retrieve` logs as
Rasa does and raises `ConversationUnavailable`; a message that meets it is answered with
the honest "系统暂时繁忙…" (with the hotline when configured, as `action_outage.py` says
it for the action server) and changes nothing, so the form is where it was when the
database is back and the same confirmation saves the report. Rasa's HTTP API answers such
a read with an error rather than an empty conversation; saving still falls back as Rasa's
does (a turn that was read is not lost for its reply).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.action_outage import BUSY, BUSY_WITH_HOTLINE

logger = logging.getLogger(__name__)

# Rasa's own, which `install` replaces.
RASA_RETRIEVE = FailSafeTrackerStore.retrieve
RASA_HANDLE_MESSAGE = MessageProcessor.handle_message


class ConversationUnavailable(RasaException):
    """The tracker store could not be read (not: the conversation is new)."""

    def __init__(self, sender_id: Text) -> None:
        super().__init__(f"the conversation {sender_id!r} cannot be read: the tracker store failed")
        self.sender_id = sender_id


def install(hotline_phone: Text, hotline_hours: Text) -> None:
    """Makes a failed read of a conversation an error, and a message that meets it answered
    with the busy message, in this process (again: the newest settings)."""

    async def retrieve_or_raise(self: FailSafeTrackerStore, sender_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return await self._tracker_store.retrieve(sender_id)
        except Exception as error:
            self.on_tracker_store_retrieve_error(error)  # Rasa's log line
            raise ConversationUnavailable(sender_id) from error

    async def handle_or_say_busy(self: MessageProcessor, message: UserMessage) -> Optional[List[Dict[Text, Any]]]:
        try:
            return await RASA_HANDLE_MESSAGE(self, message)
        except ConversationUnavailable as error:
            logger.error("%s; telling the user, the message is not processed", error)
        channel = message.output_channel
        response = BUSY_WITH_HOTLINE if hotline_phone else BUSY
        values = {"hotline_phone": hotline_phone, "hotline_hours": hotline_hours} if hotline_phone else {}
        nobody = DialogueStateTracker(message.sender_id or "", self.domain.slots)
        reply = await self.nlg.generate(response, nobody, channel.name(), **values)
        if reply:
            await channel.send_response(message.sender_id or "", reply)
        return channel.messages if isinstance(channel, CollectingOutputChannel) else None

    FailSafeTrackerStore.retrieve = retrieve_or_raise
    MessageProcessor.handle_message = handle_or_say_busy
