"""The domain vocabulary: canonical entity values and their surface forms.

`knowledge/vocabulary.yml` (the gazetteer) is the single source. The NLU generates its
jieba dictionary, its synonyms and its spaCy patterns from it (bot/nlu/gazetteer.py); the
knowledge base checks its tags against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Text

import yaml

VOCABULARY_PATH = Path(__file__).parent / "vocabulary.yml"

Gazetteer = Dict[Text, Dict[Text, List[Text]]]


@dataclass(frozen=True)
class Form:
    """One surface form of a canonical entity value."""

    entity: Text
    text: Text
    value: Text


def load(path: Path = VOCABULARY_PATH) -> Gazetteer:
    """Reads and checks the gazetteer: entity -> canonical value -> surface forms."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    seen: Dict[Text, Text] = {}
    for entity, values in data.items():
        for value, forms in values.items():
            for text in [value, *forms]:
                key = f"{entity}:{str(text).lower()}"
                if key in seen and seen[key] != value:
                    raise ValueError(f"{path}: '{text}' maps to both {seen[key]} and {value}")
                seen[key] = value
    return {
        entity: {str(value): [str(f) for f in forms] for value, forms in values.items()}
        for entity, values in data.items()
    }


def forms(gazetteer: Gazetteer) -> Iterator[Form]:
    """Every surface form, the canonical value itself included."""
    for entity, values in gazetteer.items():
        for value, synonyms in values.items():
            for text in [value, *synonyms]:
                yield Form(entity, text, value)


@lru_cache(maxsize=None)
def canonical_values(entity: Text) -> FrozenSet[Text]:
    """The canonical values of one entity (empty for an entity the gazetteer does not list)."""
    return frozenset(load().get(entity, {}))
