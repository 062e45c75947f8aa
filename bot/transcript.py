"""A conversation's messages as the people in it saw them (the user's, the bot's, staff's),
read from a tracker's events: the console's conversation view and the widget's history."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

# The responses that start and end a handoff (`actions/handoff.py`, the console's close and
# hand-back), so that a channel can show who is answering.
WAITING, STAFF, ENDED = "waiting", "staff", "ended"
HANDOFF_RESPONSES = {
    "utter_handoff_in_hours": WAITING,
    "utter_handoff_after_hours": WAITING,
    "utter_handoff_after_hours_phone": WAITING,
    "utter_handed_back": ENDED,
    "utter_handoff_closed": ENDED,
}
# A widget's button click sends the payload; the title it showed comes as this metadata.
BUTTON_TITLE = "button_title"


def author(metadata: Dict[Text, Any]) -> Text:
    return STAFF if metadata.get("staff") else "bot"


def handoff_state(metadata: Dict[Text, Any]) -> Optional[Text]:
    """What a bot message says of the handoff: waiting for a person, staff answering, ended."""
    if metadata.get("staff"):
        return STAFF
    return HANDOFF_RESPONSES.get(metadata.get("utter_action") or "")


def buttons_of(buttons: Any) -> List[Dict[Text, Text]]:
    return [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons or []]


def messages(tracker: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """The user's and the bot's (or staff's) messages of a tracker, oldest first; a clicked
    button is shown by its title, a bot message with its buttons and what it says of a
    handoff."""
    found = []
    for event in tracker.get("events") or []:
        if event.get("event") not in ("user", "bot") or not event.get("text"):
            continue
        metadata = event.get("metadata") or {}
        if event["event"] == "user":
            shown = metadata.get(BUTTON_TITLE)
            text = shown if isinstance(shown, str) and shown else event["text"]
            found.append({"at": event.get("timestamp"), "from": "user", "text": text})
            continue
        entry = {"at": event.get("timestamp"), "from": author(metadata), "text": event["text"]}
        buttons = buttons_of((event.get("data") or {}).get("buttons"))
        if buttons:
            entry["buttons"] = buttons
        state = HANDOFF_RESPONSES.get(metadata.get("utter_action") or "")
        if state:  # (staff's messages say so by their author)
            entry["handoff"] = state
        found.append(entry)
    return found
