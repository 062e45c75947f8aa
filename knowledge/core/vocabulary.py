"""The domain vocabulary: canonical entity values and their surface forms.

`vocabulary.yml` beside this module (the gazetteer) is the single source. The NLU generates
its jieba dictionary, its synonyms and its spaCy patterns from it (bot/nlu/gazetteer.py); the
knowledge library checks its tags against it; the forms read answers with it. Every caller
uses one `Vocabulary`, from `vocabulary()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Text, Tuple

import yaml

from knowledge.core.sounds import sound_alike
from knowledge.core.text import normalise

VOCABULARY_PATH = Path(__file__).parent / "vocabulary.yml"
OTHER_COUNTRIES_PATH = Path(__file__).parent / "other_countries.yml"

Gazetteer = Dict[Text, Dict[Text, List[Text]]]
# The enterprises' own country is no value of the NLU's `country` (the contract lists the
# places of overseas disputes). Content about it is tagged with it, so that a question about
# another country is not answered with it, and search reads these words as naming it.
HOME_COUNTRY = "中国"
HOME_FORMS = frozenset({"中国", "国内", "我国", "中国大陆", "中华人民共和国"})
# The EU's rules apply in its member states (those the gazetteer lists): a Germany question
# is partly an EU question.
EU, EU_MEMBERS = "欧盟", frozenset({"德国", "法国", "意大利", "西班牙", "荷兰", "比利时", "波兰", "瑞典"})


@dataclass(frozen=True)
class Form:
    """One surface form of a canonical entity value."""

    entity: Text
    text: Text
    value: Text


def _key(text: Text) -> Text:
    return normalise(str(text)).strip().lower()


def read(path: Path = VOCABULARY_PATH) -> Gazetteer:
    """Reads and checks the gazetteer: entity -> canonical value -> surface forms.

    Raises ValueError when one form maps to two values of the same entity."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    seen: Dict[Text, Text] = {}
    for entity, values in data.items():
        for value, forms in values.items():
            for text in [value, *forms]:
                key = f"{entity}:{_key(text)}"
                if key in seen and seen[key] != str(value):
                    raise ValueError(f"{path}: '{text}' maps to both {seen[key]} and {value}")
                seen[key] = str(value)
    return {
        entity: {str(value): [str(f) for f in forms] for value, forms in values.items()}
        for entity, values in data.items()
    }


@dataclass(frozen=True)
class Vocabulary:
    """Lookups over one gazetteer. Surface forms are compared normalised (full-width,
    traditional characters) and case-insensitively."""

    gazetteer: Gazetteer
    _lookup: Dict[Text, Dict[Text, Text]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: Dict[Text, Dict[Text, Text]] = {}
        for form in self.forms():
            lookup.setdefault(form.entity, {})[_key(form.text)] = form.value
        object.__setattr__(self, "_lookup", lookup)

    def forms(self) -> Iterator[Form]:
        """Every surface form, the canonical value itself included."""
        for entity, values in self.gazetteer.items():
            for value, synonyms in values.items():
                for text in [value, *synonyms]:
                    yield Form(entity, text, value)

    def entities(self) -> List[Text]:
        """The entities the gazetteer lists (country, ip_type, ...)."""
        return list(self.gazetteer)

    def values(self, entity: Text) -> FrozenSet[Text]:
        """The canonical values of one entity (empty for an entity the gazetteer does not list)."""
        return frozenset(self.gazetteer.get(entity, {}))

    def canonical(self, entity: Text, text: Text) -> Optional[Text]:
        """The canonical value `text` names, if it is a value or a known form of `entity`."""
        return self._lookup.get(entity, {}).get(_key(text))

    def canonical_of_word(self, word: Text) -> Optional[Text]:
        """The canonical value a word is a form of, whatever the entity (汉诺威 -> 德国)."""
        key = _key(word)
        return next((table[key] for table in self._lookup.values() if key in table), None)

    def is_form(self, word: Text) -> bool:
        """Whether `word` is a form of any value (a country, an IP type...)."""
        return self.canonical_of_word(word) is not None

    def mentions(self, text: Text, entity: Text) -> List[Text]:
        """The values of `entity` named anywhere in a text of any length, in order of first
        mention. Latin forms count as whole words only, and the short ones (US, EU) only in
        capitals, so that “contact us” names no country."""
        found: Dict[Text, int] = {}
        normalised = normalise(text)
        for form in self.forms():
            if form.entity != entity:
                continue
            if form.text.isascii():
                flags = 0 if len(form.text) <= 3 else re.I
                match = re.search(rf"(?<![A-Za-z]){re.escape(form.text)}(?![A-Za-z])", normalised, flags)
                at = match.start() if match else -1
            else:
                at = normalised.find(form.text)
            if at >= 0 and at < found.get(form.value, len(normalised)):
                found[form.value] = at
        return sorted(found, key=found.__getitem__)


@lru_cache(maxsize=1)
def _other_countries() -> Tuple[Dict[Text, Text], Optional[re.Pattern]]:
    """other_countries.yml as form -> name, and one pattern of every form, longest first
    (巴布亚新几内亚 before 几内亚)."""
    data = yaml.safe_load(OTHER_COUNTRIES_PATH.read_text(encoding="utf-8")) or {}
    names = {_key(text): str(name) for name, forms in data.items() for text in [name, *forms]}
    forms = sorted(names, key=len, reverse=True)
    return names, re.compile("|".join(map(re.escape, forms))) if forms else None


def other_country(text: Text) -> Optional[Text]:
    """The country or region outside the gazetteer a short answer names (葡萄牙, 在葡萄牙),
    when it names exactly one."""
    names, pattern = _other_countries()
    found = {names[m.group()] for m in pattern.finditer(_key(text))} if pattern else set()
    if not found:  # a name typed with characters of the same sound (葡萄雅)
        found = {name for form, name in names.items() if len(form) >= 3 and sound_alike(form, _key(text))}
    return next(iter(found)) if len(found) == 1 else None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The project's vocabulary, read once per process."""
    return Vocabulary(read())
