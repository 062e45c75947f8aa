"""What the Rasa server says to a message that arrives while staff hold the conversation.

A handoff pauses the conversation (`actions/handoff.py`): Rasa stores what the user writes
for staff and predicts nothing, so the user gets no reply at all. "人工服务 有人吗" or
"刚才那个进度怎么样" met silence, and on WeChat or the REST channel the user could not tell
whether anyone had seen it. `install` (run at the Rasa server's start, `bot/rasa_server.py`)
answers the first message of each pause with `HELD` (with the hotline when one is
configured): the message is kept for staff, who reply here, and when. Later messages stay
silent, so the note is not repeated over staff's replies, and none is given once staff have
written since the pause: the user knows a person is there.
"""

from __future__ import annotations

from typing import Text

from rasa.core.actions.action import create_bot_utterance
from rasa.core.channels.channel import OutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker

HELD, HELD_WITH_HOTLINE = "utter_handoff_held", "utter_handoff_held_hotline"
RASA_PREDICTION_LOOP = MessageProcessor._run_prediction_loop  # Rasa's own, which `install` wraps


def noted_since_pause(tracker: DialogueStateTracker) -> bool:
    """Whether the user has been told, since the conversation was last paused, that it is
    held, or staff have written to them."""
    for event in reversed(tracker.events):
        if isinstance(event, ConversationPaused):
            return False
        if isinstance(event, BotUttered) and (
            event.metadata.get("utter_action") in (HELD, HELD_WITH_HOTLINE) or event.metadata.get("staff")
        ):
            return True
    return False


def install(hours: Text, hotline_phone: Text, hotline_hours: Text) -> None:
    """Makes the first message of each pause answered with the note, in this process (again:
    the newest settings)."""

    async def predict_or_note_held(
        self: MessageProcessor, output_channel: OutputChannel, tracker: DialogueStateTracker
    ) -> None:
        if self._should_handle_message(tracker) or noted_since_pause(tracker):
            await RASA_PREDICTION_LOOP(self, output_channel, tracker)  # Rasa's loop stays silent when paused
            return
        response = HELD_WITH_HOTLINE if hotline_phone else HELD
        values = {"hours": hours, "hotline_phone": hotline_phone, "hotline_hours": hotline_hours}
        message = await self.nlg.generate(response, tracker, output_channel.name(), **values)
        note = create_bot_utterance({**(message or {}), "utter_action": response})
        tracker.update(note)
        await output_channel.send_response(tracker.sender_id, note.message())

    MessageProcessor._run_prediction_loop = predict_or_note_held
