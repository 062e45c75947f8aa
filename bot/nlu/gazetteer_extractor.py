"""Rasa component: the closed entity sets, found by a spaCy EntityRuler.

The ruler runs on `spacy.blank("zh")` with jieba segmentation, so it finds whole jieba
words, like the rest of the pipeline. Its patterns are generated from the gazetteer at
training time and persisted with the model, so a trained model needs nothing outside its
archive. Because it sees every surface form of the gazetteer, it finds a country that no
training example mentions.

The component also has the last word on entities: it runs after the other extractors,
maps their closed-set values onto canonical ones (dropping values that are none), and
keeps one entity per span, preferring deterministic extractors over DIET (a company name
written with its legal suffix is found whole by rule). Last, a dispute
or IP type the message describes rather than names (货被海关扣了) is added from the
situation lexicon (knowledge/core/situations.yml), when no extractor found one.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import gazetteer
from knowledge.core.situations import SITUATIONS_PATH, Lexicon, Situations
from knowledge.core.situations import read as read_situations
from knowledge.core.validation import company_spans
from knowledge.core.vocabulary import VOCABULARY_PATH, Gazetteer, Vocabulary, read

logger = logging.getLogger(__name__)

STORED_FILE = "gazetteer.json"
# Who wins when two extractors claim overlapping text: exact rules before learned guesses.
EXTRACTOR_PRIORITY = {"RegexEntityExtractor": 0, "GazetteerEntityExtractor": 1}
LEARNED_PRIORITY = 2
UPPERCASE_ENTITIES = {"report_id"}
VERBATIM_ENTITIES = {"company_name"}
# Entities read also at the start or end of a longer word (版权 in 版权保护): every IP type's
# forms, and countries by their own names only (巴黎 in 巴黎公约 is no France).
GLUED_ENTITIES = ("country", "ip_type")


def read_jieba_words(directory: Path) -> List[Tuple[Text, Optional[int]]]:
    """The words of every jieba user dictionary in `directory`, each with its frequency
    when the line gives one (0: not a word, so that jieba cuts it)."""
    words: List[Tuple[Text, Optional[int]]] = []
    for path in sorted(directory.iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if fields:
                words.append((fields[0], int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None))
    return words


def build_ruler(patterns: List[Dict[Text, Any]], words: List[Tuple[Text, Optional[int]]]):
    """A blank Chinese spaCy pipeline with jieba segmentation and an EntityRuler.

    jieba's dictionary is process-wide; the component adds the project's words itself so
    that it segments like JiebaTokenizer whatever ran first.
    """
    import jieba
    import spacy
    from spacy.pipeline import EntityRuler

    for word, frequency in words:
        jieba.add_word(word, frequency)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    assert isinstance(ruler, EntityRuler)
    ruler.add_patterns(patterns)
    return nlp


def patterns_from(words_of: Vocabulary) -> List[Dict[Text, Any]]:
    """EntityRuler phrase patterns; the pattern id carries the canonical value."""
    return [{"label": f.entity, "pattern": f.text, "id": f.value} for f in words_of.forms()]


def company_names(text: Text) -> List[Dict[Text, Any]]:
    """Company names written with their legal suffix: whole, where DIET may find a part."""
    return [
        {"entity": "company_name", "start": start, "end": end, "value": name, "confidence_entity": 1.0}
        for start, end, name in company_spans(text)
    ]


def _inside_a_word(text: Text, start: int, end: int) -> bool:
    """Whether a span is part of a longer Latin word or number (337 in 13912337890)."""

    def latin(i: int) -> bool:
        return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()

    return (latin(start - 1) and latin(start)) or (latin(end) and latin(end - 1))


def _overlaps(a: Dict[Text, Any], b: Dict[Text, Any]) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _rank(entity: Dict[Text, Any]) -> tuple:
    priority = EXTRACTOR_PRIORITY.get(entity.get("extractor", ""), LEARNED_PRIORITY)
    return (priority, -(entity["end"] - entity["start"]), entity["start"])


def _inside(inner: Dict[Text, Any], outer: Dict[Text, Any]) -> bool:
    return (
        outer is not inner
        and outer["start"] <= inner["start"]
        and inner["end"] <= outer["end"]
        and outer["end"] - outer["start"] > inner["end"] - inner["start"]
    )


def resolve(entities: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """One entity per span, in text order.

    What lies inside a verbatim entity (a company name such as 铜川华陶瓷业有限公司) is part
    of the name, not an entity of its own; of any other overlapping group the best-ranked
    entity stays.
    """
    names = [e for e in entities if e["entity"] in VERBATIM_ENTITIES]
    candidates = [e for e in entities if not any(_inside(e, name) for name in names)]
    kept: List[Dict[Text, Any]] = []
    for entity in sorted(candidates, key=_rank):
        if not any(_overlaps(entity, other) for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: e["start"])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class GazetteerEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds gazetteer entities and normalises and de-duplicates all entities."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`closed_entities` take only canonical values; other gazetteer entities
        (industry) are normalised when known and kept as found otherwise."""
        return {
            "gazetteer": str(VOCABULARY_PATH),
            "situations": str(SITUATIONS_PATH),
            "jieba_dictionary": str(gazetteer.JIEBA_DICT_PATH.parent),
            "closed_entities": ["country", "ip_type", "dispute_type", "district"],
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """The files the component reads, so that Rasa's cache retrains it when they change."""
        config = {**cls.get_default_config(), **config}
        digest = hashlib.sha256(Path(config["gazetteer"]).read_bytes())
        digest.update(Path(config["situations"]).read_bytes())
        for path in sorted(Path(config["jieba_dictionary"]).iterdir()):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        gazetteer: Optional[Gazetteer] = None,
        words: Optional[List[Tuple[Text, Optional[int]]]] = None,
        lexicon: Optional[Lexicon] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._closed = set(self._config["closed_entities"])
        self._set_vocabulary(gazetteer or {}, words or [], lexicon or {})

    def _set_vocabulary(self, gazetteer: Gazetteer, words: List[Tuple[Text, Optional[int]]], lexicon: Lexicon) -> None:
        self._vocabulary = Vocabulary(gazetteer)
        self._situations = Situations(lexicon)
        self._words = words
        patterns = patterns_from(self._vocabulary)
        self._glued_forms = {
            f.text.lower(): (f.entity, f.value)
            for f in self._vocabulary.forms()
            if f.entity in GLUED_ENTITIES
            and len(f.text) >= 2
            and not f.text.isascii()
            and (f.entity != "country" or f.text == f.value)
        }
        self._nlp = build_ruler(patterns, words) if patterns else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GazetteerEntityExtractor:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GazetteerEntityExtractor:
        with model_storage.read_from(resource) as directory:
            stored = rasa.shared.utils.io.read_json_file(directory / STORED_FILE)
        words = [(word, frequency) for word, frequency in stored["words"]]
        return cls(config, model_storage, resource, stored["gazetteer"], words, stored["situations"])

    def train(self, training_data: TrainingData) -> Resource:
        """Reads the gazetteer, the jieba words and the situation lexicon; stores them with the model."""
        self._set_vocabulary(
            read(Path(self._config["gazetteer"])),
            read_jieba_words(Path(self._config["jieba_dictionary"])),
            read_situations(Path(self._config["situations"])),
        )
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / STORED_FILE,
                {"gazetteer": self._vocabulary.gazetteer, "words": self._words, "situations": self._situations.lexicon},
            )
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the ruler's entities, normalises and de-duplicates all of them, then adds
        what the message describes of the entities none of them found."""
        for message in messages:
            text = message.get(TEXT) or ""
            found = self.add_extractor_name(self._extract(text) + company_names(text))
            normalised = [self._normalise(e) for e in message.get(ENTITIES, [])]
            entities = resolve(found + [e for e in normalised if e is not None])
            named = {e["entity"] for e in entities}
            described = [
                {"entity": s.entity, "value": s.value, "start": s.start, "end": s.end, "confidence_entity": 1.0}
                for s in self._situations.find(text)
                if s.entity not in named
            ]
            entities = sorted(entities + self.add_extractor_name(described), key=lambda e: e["start"])
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _extract(self, text: Text) -> List[Dict[Text, Any]]:
        if self._nlp is None or not text:
            return []
        doc = self._nlp(text)
        found = [
            {
                "entity": ent.label_,
                "start": ent.start_char,
                "end": ent.end_char,
                "value": ent.ent_id_,
                "confidence_entity": 1.0,
            }
            for ent in doc.ents
            if not _inside_a_word(text, ent.start_char, ent.end_char)
        ]
        return found + [e for token in doc if not token.ent_type_ for e in self._glued(token.text, token.idx)]

    def _glued(self, word: Text, start: int) -> List[Dict[Text, Any]]:
        """A country or IP type at the start or end of a longer word of jieba's own
        dictionary, which the ruler (matching whole words) misses: 版权 in 版权保护, 美国 in
        美国公司."""
        for length in range(len(word) - 1, 1, -1):
            for offset in (0, len(word) - length):
                part = self._glued_forms.get(word[offset : offset + length].lower())
                if part is not None:
                    entity, value = part
                    span = {"start": start + offset, "end": start + offset + length}
                    return [{"entity": entity, **span, "value": value, "confidence_entity": 1.0}]
        return []

    def _normalise(self, entity: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        """Canonical value for a known form; None for a closed-set value that is no
        canonical one (a misread span is worse than none)."""
        name, value = entity["entity"], str(entity.get("value", ""))
        if name in UPPERCASE_ENTITIES:
            return {**entity, "value": value.upper()}
        if name not in self._vocabulary.gazetteer:
            return entity
        canonical = self._vocabulary.canonical(name, value)
        if canonical is not None:
            return {**entity, "value": canonical}
        if name in self._closed:
            logger.debug("dropping %s=%r: not a canonical value", name, value)
            return None
        return entity
