"""Guards the NLU pipeline against input it cannot understand.

`InputGuard` runs first. It normalises the text character for character, so that every
offset stays valid: control characters become spaces, full-width ASCII becomes ASCII, and
traditional characters become simplified ones (OpenCC's character table), because the
training data is mostly simplified. It cuts what the classifiers read to `max_chars`, and
marks messages that are empty of meaning (whitespace, emoji, punctuation only) or too long.
`GuardedFallbackClassifier` runs last: it is Rasa's FallbackClassifier that also falls
back on marked messages, and it gives the message back its full text, so that the
tracker keeps what the user sent (a pasted letter stays whole).
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.core.text import normalise

logger = logging.getLogger(__name__)

INPUT_CHECK = "input_check"
FULL_TEXT = "input_guard_full_text"
EMPTY = "empty"
TOO_LONG = "too_long"


def has_meaning(text: Text) -> bool:
    """True when the text holds at least one letter or digit (emoji and marks do not count)."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def check(text: Optional[Text], max_chars: int) -> Optional[Dict[Text, Any]]:
    """What is wrong with a message for the classifiers, or None when nothing is."""
    text = text or ""
    if not has_meaning(text):
        return {"problem": EMPTY, "length": len(text)}
    if len(text) > max_chars:
        return {"problem": TOO_LONG, "length": len(text), "limit": max_chars}
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class InputGuard(GraphComponent):
    """Normalises and bounds the text the rest of the pipeline reads."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Messages longer than `max_chars` are not classified; a reply says why."""
        return {"max_chars": 500}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training text gets the same normalisation as user text (never cut)."""
        for message in training_data.training_examples:
            if message.get(TEXT):
                message.set(TEXT, normalise(message.get(TEXT)))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalises each message and marks the ones the classifiers must not trust."""
        for message in messages:
            original = message.get(TEXT) or ""
            problem = check(original, self._max_chars)
            message.set(FULL_TEXT, original)
            text = normalise(original)
            if problem:
                message.set(INPUT_CHECK, problem, add_to_output=True)
                if problem["problem"] == TOO_LONG:
                    text = text[: self._max_chars]
                logger.info("input guard: %s", problem)
            message.set(TEXT, text)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class GuardedFallbackClassifier(FallbackClassifier):
    """FallbackClassifier that also falls back on messages InputGuard marked."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Predicts `nlu_fallback` when unsure or when the input was marked."""
        messages = super().process(messages)
        for message in messages:
            if message.get(INPUT_CHECK):
                fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
                message.data[INTENT] = fallback
                ranking = [
                    r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != DEFAULT_NLU_FALLBACK_INTENT_NAME
                ]
                message.data[INTENT_RANKING_KEY] = [fallback, *ranking]
            full_text = message.get(FULL_TEXT)
            if full_text is not None:
                message.set(TEXT, full_text)
                message.data.pop(FULL_TEXT, None)
        return messages
