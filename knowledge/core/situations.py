"""The situation lexicon: a dispute type or an IP type told by describing what happened.

`situations.yml` beside this module lists, per entity and canonical value, the patterns of
the situations that mean it. The NLU adds the value they give when a message names none
(bot/nlu/gazetteer_extractor.py), so every turn, in a form or not, gets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Text, Tuple

import yaml

from knowledge.core.text import normalise

SITUATIONS_PATH = Path(__file__).parent / "situations.yml"

Lexicon = Dict[Text, Dict[Text, List[Text]]]


@dataclass(frozen=True)
class Situation:
    """A value told by a situation, and where in the text its words are."""

    entity: Text
    value: Text
    start: int
    end: int


def read(path: Path = SITUATIONS_PATH) -> Lexicon:
    """entity -> canonical value -> patterns, in the file's order (checked to compile)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lexicon = {entity: {str(v): [str(p) for p in ps] for v, ps in values.items()} for entity, values in data.items()}
    for values in lexicon.values():
        for patterns in values.values():
            for pattern in patterns:
                re.compile(pattern)
    return lexicon


class Situations:
    """Finds, for each entity, the first value (in the lexicon's order) a text describes."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._compiled: List[Tuple[Text, Text, Pattern[Text]]] = [
            (entity, value, re.compile(pattern, re.I))
            for entity, values in lexicon.items()
            for value, patterns in values.items()
            for pattern in patterns
        ]

    def find(self, text: Text) -> List[Situation]:
        """One situation per entity the text describes, in text order."""
        normalised = normalise(text or "")
        found: Dict[Text, Situation] = {}
        for entity, value, pattern in self._compiled:
            if entity in found:
                continue
            match = pattern.search(normalised)
            if match:
                found[entity] = Situation(entity, value, match.start(), match.end())
        return sorted(found.values(), key=lambda s: s.start)

    def value(self, entity: Text, text: Text) -> Optional[Text]:
        """The value of `entity` the text describes, if any."""
        return next((s.value for s in self.find(text) if s.entity == entity), None)


@lru_cache(maxsize=1)
def situations() -> Situations:
    """The project's situation lexicon, read once per process."""
    return Situations(read())
