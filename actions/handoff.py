"""Handing a conversation to a person: the record, the message, and the bot's silence.

While a conversation is held, Rasa's conversation pause keeps the bot silent and still stores
what the user writes. A user who asked for a person waits for one: the handoff pauses at once.
Otherwise (an urgent report, an expert request, the bot failing twice) a person comes to the
user, who may still want the bot (another question, a second report, a status check): the
handoff is queued and the bot keeps answering until staff write, which pauses it
(`bot/console/rasa_client.py`). Staff close or hand back through the console, which resumes
the conversation.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge_base import knowledge_base
from actions.tracker import channel_of, filled_slots, transcript
from knowledge.core.office_hours import describe_moment
from knowledge.records import handoffs

logger = logging.getLogger(__name__)


async def hand_off(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: Text,
    urgent: bool = False,
    report_id: Optional[Text] = None,
    pause: bool = False,
) -> List[Dict[Text, Any]]:
    """Records the handoff, tells the user who takes over and when, and says the bot answers
    until staff write (with `pause`, for a user who asked for a person: pauses the bot). If
    the record cannot be written, the bot says so and does not go silent."""
    config = knowledge_base.settings
    try:
        await knowledge_base.run(
            handoffs.open_handoff,
            knowledge_base.engine(),
            channel_of(tracker),
            tracker.sender_id,
            reason,
            filled_slots(tracker),
            transcript(tracker),
            urgent=urgent,
            report_id=report_id,
        )
    except Exception:
        logger.exception("could not record the handoff of %s (%s)", tracker.sender_id, reason)
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    hours = config.hours
    now = datetime.now(timezone.utc)
    phone = tracker.get_slot("phone")
    if hours.is_open(now):
        dispatcher.utter_message(response="utter_handoff_in_hours", hours=hours.describe())
    elif phone:
        next_opening = describe_moment(hours.next_opening(now))
        dispatcher.utter_message(
            response="utter_handoff_after_hours_phone", hours=hours.describe(), next_opening=next_opening, phone=phone
        )
    else:
        next_opening = describe_moment(hours.next_opening(now))
        dispatcher.utter_message(
            response="utter_handoff_after_hours", hours=hours.describe(), next_opening=next_opening
        )
    dispatcher.utter_message(response="utter_handoff_paused" if pause else "utter_handoff_queued")
    if config.hotline_phone:
        dispatcher.utter_message(
            response="utter_handoff_hotline",
            hotline_phone=config.hotline_phone,
            hotline_hours=config.hotline_hours or hours.describe(),
        )
    events: List[Dict[Text, Any]] = [ActiveLoop(None), SlotSet("requested_slot", None)]
    return [*events, ConversationPaused()] if pause else events


class ActionSessionStart(Action):
    """Starts a new session as Rasa does, carrying the slots over, and keeps the bot silent
    if staff still hold the conversation (a new session would otherwise end the pause); a
    queued handoff that never paused does not pause the new session."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in tracker.current_slot_values().items() if value is not None]
        try:
            held = await knowledge_base.run(handoffs.open_handoff_of, knowledge_base.engine(), tracker.sender_id)
        except Exception:  # the session still starts; staff see the messages in the tracker
            logger.exception("could not check for an open handoff of %s", tracker.sender_id)
            held = None
        if held is not None and tracker.is_paused():
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
