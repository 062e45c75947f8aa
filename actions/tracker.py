"""Reading the conversation: the one place actions look into the tracker.

The latest message's intent, its entities (one rule for an entity given twice: the first
in the text wins; `entity_values` gives all of them), the words the user typed (a button
payload has none), and what a record keeps of the conversation (channel, transcript, slots).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Tracker

# Rasa's name for “the NLU was not sure” (FallbackClassifier).
FALLBACK_INTENT = "nlu_fallback"
# Slots that steer the dialogue rather than say anything about the enterprise.
INTERNAL_SLOTS = {
    "requested_slot",
    "pending_topic",
    "case_query",
    "answer_context",
    "report_confirmed",
    "deadline_candidate",
}


def latest_intent(tracker: Tracker) -> Text:
    """The intent of the latest user message ("" before the first one)."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def ranked_intents(tracker: Tracker) -> List[Text]:
    """The latest message's intents, likeliest first (its intent, then the ranking)."""
    ranking = [r.get("name") or "" for r in tracker.latest_message.get("intent_ranking") or []]
    return [name for name in dict.fromkeys([latest_intent(tracker), *ranking]) if name]


def _sorted_entities(tracker: Tracker) -> List[Dict[Text, Any]]:
    found = tracker.latest_message.get("entities") or []
    return sorted(found, key=lambda e: e.get("start") if isinstance(e.get("start"), int) else -1)


def message_entities(tracker: Tracker) -> Dict[Text, Text]:
    """Entity name -> value of the latest message; of an entity given twice, the first."""
    found: Dict[Text, Text] = {}
    for entity in _sorted_entities(tracker):
        found.setdefault(entity["entity"], str(entity["value"]))
    return found


def entity_values(tracker: Tracker, name: Text) -> List[Text]:
    """Every distinct value of one entity in the latest message, in text order."""
    return list(dict.fromkeys(str(e["value"]) for e in _sorted_entities(tracker) if e["entity"] == name))


def entity_list(tracker: Tracker) -> List[Dict[Text, Text]]:
    """The latest message's entities as (entity, value) records, in text order."""
    return [{"entity": e["entity"], "value": str(e["value"])} for e in _sorted_entities(tracker)]


def typed_words(tracker: Tracker, name: Text) -> Dict[Text, Text]:
    """Value -> the words typed for it, of one entity in the latest message, where the words
    are not the value's own (苹果 for the industry 食品农产品)."""
    text = tracker.latest_message.get("text") or ""
    words: Dict[Text, Text] = {}
    for e in _sorted_entities(tracker):
        start, end, value = e.get("start"), e.get("end"), str(e["value"])
        if e["entity"] == name and isinstance(start, int) and isinstance(end, int):
            typed = text[start:end].strip()
            if typed and typed not in value:
                words.setdefault(value, typed)
    return words


def entity_spans(tracker: Tracker) -> List[Tuple[int, int]]:
    """Where the latest message's entities are in its text, (start, end), in text order."""
    return [
        (e["start"], e["end"])
        for e in _sorted_entities(tracker)
        if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
    ]


def is_payload(tracker: Tracker) -> bool:
    """Whether the latest message is a button payload (/intent{...}) rather than typed."""
    return (tracker.latest_message.get("text") or "").startswith("/")


def question_text(tracker: Tracker) -> Text:
    """What the user typed; a button payload says it through its intent and entities."""
    return "" if is_payload(tracker) else tracker.latest_message.get("text") or ""


def input_problem(tracker: Tracker) -> Dict[Text, Any]:
    """What the NLU's input guard found wrong with the latest message ({} when nothing):
    `{"problem": "empty" | "too_long", "length": ..., "limit": ...}`."""
    return tracker.latest_message.get("input_check") or {}


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


def slots_set_this_turn(tracker: Tracker) -> set:
    """The slots set since the latest user message (by the NLU's mappings or the actions)."""
    names: set = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            names.add(event.get("name"))
    return names
