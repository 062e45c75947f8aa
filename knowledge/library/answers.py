"""Answers the size of a fact: the passage or two of the best items that carry what was asked.

The items are ranked by `KnowledgeIndex.suggest`; within the best few, every passage (the
short answer, each point of the details) is scored by how much of the question it covers,
weighted by how good its item is. A question that asks for a duration, an amount or a body
is answered only by a passage that states one; when none does, the answer says so rather
than offering the nearest text. Passages are the content's own words, never generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Text, Tuple

from knowledge.library import answer_types
from knowledge.library.search import Entities, KnowledgeIndex, Suggestion

CANDIDATE_ITEMS = 5
# How a passage's own coverage of the question and its item's rank share its score.
COVERAGE_WEIGHT, ITEM_WEIGHT = 0.6, 0.4
# An overview question (how to proceed, or no kind of fact asked) prefers the item's own
# short answer, which the content writes as the overview.
OVERVIEW_BONUS = 0.15
MAX_ANSWER_CHARS = 300
# A second passage is added when it is nearly as good and covers words the first does not.
SECOND_PASSAGE_SHARE = 0.75


@dataclass(frozen=True)
class Answer:
    """The item that answers, the passages to show (in the item's order), the kind of fact
    asked, and whether the item lacks it (`passages` is then empty)."""

    item: Suggestion
    passages: Tuple[Text, ...]
    asked: Optional[Text]

    @property
    def missing(self) -> bool:
        return not self.passages

    @property
    def text(self) -> Text:
        return "\n".join(self.passages)


@dataclass(frozen=True)
class _Scored:
    item: Suggestion
    position: int
    score: float
    words: frozenset


def _trim(passage: Text) -> Text:
    if len(passage) <= MAX_ANSWER_CHARS:
        return passage
    cut = max(passage.rfind(mark, 0, MAX_ANSWER_CHARS - 1) for mark in "。；")
    return passage[: cut + 1] if cut > 0 else passage[: MAX_ANSWER_CHARS - 1] + "…"


def answer(
    index: KnowledgeIndex,
    text: Text,
    entities: Optional[Entities] = None,
    kinds: Optional[Iterable[Text]] = None,
    topics: Optional[Iterable[Text]] = None,
    min_confidence: float = 0.2,
    kind: Optional[Text] = None,
) -> Optional[Answer]:
    """The best answer to `text` within the scope, or None when no item is good enough.
    `kind` is the kind of fact asked when the caller knows it (a follow-up's own), else it is
    read from `text`."""
    items = index.suggest(text, entities, k=CANDIDATE_ITEMS, kinds=kinds, topics=topics, min_confidence=min_confidence)
    if not items:
        return None
    asked = kind or answer_types.asked(text)
    asking = answer_types.asking_words(text)
    query = [w for w in index.query(text, entities) if not any(w in phrase for phrase in asking)]
    weights = index.weights(query)
    total = sum(weights.values()) or 1.0
    top = items[0].score or 1.0
    scored: List[_Scored] = []
    for item in items:
        context = {w for values in item.tags.values() for w in values}
        for position, (passage, words) in enumerate(zip(item.passages, item.passage_words, strict=True)):
            if asked in answer_types.STRICT and not answer_types.states(asked, passage):
                continue
            covered = words | context
            coverage = sum(weight for word, weight in weights.items() if word in covered) / total
            score = COVERAGE_WEIGHT * coverage + ITEM_WEIGHT * item.score / top
            if position == 0 and asked in (None, answer_types.PROCEDURE):
                score += OVERVIEW_BONUS
            scored.append(_Scored(item, position, score, covered))
    if not scored:
        return Answer(items[0], (), asked)
    best = max(scored, key=lambda s: s.score)
    chosen = [best]
    uncovered = {w for w in weights if w not in best.words}
    second = max(
        (s for s in scored if s.item.id == best.item.id and s.position != best.position and uncovered & s.words),
        key=lambda s: s.score,
        default=None,
    )
    passages = best.item.passages
    if (
        second is not None
        and second.score >= SECOND_PASSAGE_SHARE * best.score
        and len(passages[best.position]) + len(passages[second.position]) < MAX_ANSWER_CHARS
    ):
        chosen.append(second)
    chosen.sort(key=lambda s: s.position)
    return Answer(best.item, tuple(_trim(passages[s.position]) for s in chosen), asked)
