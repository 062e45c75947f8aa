"""How the Rasa server finds an event's class by its type name: once per type, not per event.

Every turn Rasa reads the conversation from the tracker store and makes each stored event
again (`Event.from_parameters` -> `Event.resolve_by_type`), and `resolve_by_type` walks the
whole tree of Event's subclasses for every single event (`all_subclasses`, recursive,
with an `inspect.isabstract` per class). In a conversation of 200 turns (about 1100
events) that walk was a third of the Rasa server's time per turn (profile: 4.2 s of 12.9 s
over 30 turns), and it grows with every turn.

`install` (run at the Rasa server's start, `bot/rasa_server.py`) answers known type names
from a table made from the same walk, in the same order, so the class found is the one
Rasa's loop finds (the first subclass with that `type_name`). The table is made again
whenever a new subclass of Event is defined (`__init_subclass__`), so an event class
imported later (a custom one) is found as Rasa finds it. A name the table does not have
goes to Rasa's own function: the old `topic` events, the default, the error.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text, Type

import rasa.shared.utils.common
from rasa.shared.core.events import Event

logger = logging.getLogger(__name__)

# Rasa's own, which `install` replaces and which answers every name the table lacks.
RASA_RESOLVE = Event.resolve_by_type


def type_table() -> Dict[Text, Type[Event]]:
    """Each type name with the class Rasa's `resolve_by_type` returns for it: the first
    of Event's (non-abstract) subclasses, in Rasa's order, that has the name."""
    table: Dict[Text, Type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def install() -> None:
    """Resolves event type names from the table in this process."""
    table: Dict[Text, Type[Event]] = type_table()
    stale = [False]

    def init_subclass(cls: Any, **kwargs: Any) -> None:
        super(Event, cls).__init_subclass__(**kwargs)  # object's: Rasa's Event has none
        # Made again at the next look-up: ABCMeta tells whether the new class is abstract
        # only after this hook has run.
        stale[0] = True

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        if stale[0]:
            stale[0] = False
            table.clear()
            table.update(type_table())
        found = table.get(type_name)
        return found if found is not None else RASA_RESOLVE(type_name, default)

    Event.__init_subclass__ = classmethod(init_subclass)
    Event.resolve_by_type = staticmethod(resolve_by_type)
