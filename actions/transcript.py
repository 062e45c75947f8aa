"""What a record keeps of a conversation: its channel, transcript and slots."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker

# Slots that steer the dialogue rather than say anything about the enterprise.
INTERNAL_SLOTS = {"requested_slot", "pending_topic", "case_query", "report_confirmed", "deadline_candidate"}


def channel_of(tracker: Tracker) -> Text:
    """The input channel of the conversation's latest message (rest, socketio, wechat...)."""
    return tracker.get_latest_input_channel() or "unknown"


def transcript(tracker: Tracker) -> List[Dict[Text, Any]]:
    """Every user and bot message so far, oldest first, with UTC times."""
    lines: List[Dict[Text, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        at = datetime.fromtimestamp(event.get("timestamp") or 0, timezone.utc).isoformat()
        lines.append({"at": at, "from": kind, "text": event["text"]})
    return lines


def filled_slots(tracker: Tracker) -> Dict[Text, Any]:
    """The slots that hold something the enterprise said."""
    return {
        name: value
        for name, value in tracker.current_slot_values().items()
        if value is not None and name not in INTERNAL_SLOTS
    }
