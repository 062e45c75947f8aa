"""Answers the size of a fact: the passage or two of the best items that carry what was asked.

Candidates are the best items of the intent's scope and the best of the whole library (the
intent is a preference, not a wall: a question the NLU filed under the wrong topic still
finds its item). Every passage of a candidate (the short answer, each point of the details)
is scored by how much of the question it covers, weighted by how good its item is. A
question that asks for a duration, an amount or a body is answered only by a passage that
states one; when none does, the answer says so rather than offering the nearest text.
Passages are the content's own words, never generated.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Text, Tuple

from knowledge.library import answer_types
from knowledge.library.answer_types import STRICT
from knowledge.library.search import EXCLUSIVE_ENTITIES, Entities, KnowledgeIndex, Suggestion

CANDIDATE_ITEMS = 5
# The intent's scope may be a near miss, so it needs less confidence than the whole library.
SCOPED_MIN_CONFIDENCE, LIBRARY_MIN_CONFIDENCE = 0.1, 0.2
# How a passage's own coverage of the question and its item's rank share its score; an item
# of the intent's own scope is preferred.
COVERAGE_WEIGHT, ITEM_WEIGHT, IN_SCOPE_BONUS = 0.6, 0.4, 0.1
# An overview question (what it is, how to proceed, or no kind of fact asked) prefers the item's own
# short answer, which the content writes as the overview.
OVERVIEW_BONUS = 0.15
OVERVIEW_KINDS = (None, answer_types.PROCEDURE, answer_types.DEFINITION, answer_types.YES_NO)
# A general item applies to every country, but saying the country counts for more.
NEUTRAL_SHARE = 0.5
MAX_ANSWER_CHARS = 300
# A second passage is added when it is nearly as good and covers words the first does not.
SECOND_PASSAGE_SHARE = 0.75
# Below this share of the question covered by the answer, the library does not answer it:
# on the regression set (tests/knowledge_questions.yml) 95% of right answers cover more.
MIN_COVERAGE = 0.15
# Words of a question about what happened to someone: a case, a suit, a judgment.
CASE_TALK = re.compile(r"案|判|诉|告|官司|v\.|vs", re.I)
# A point's label: up to the first colon near its start, after its number (“3. ”, “- ”).
LABEL = re.compile(r"^(?:\d+\.\s*|-\s*)?([^：:。；]{2,30})[：:]")
LABEL_WEIGHT = 0.2
# A point whose label names what the question asks about (“有效期” in “商标有效期多久”, “法院”
# in “哪个法院”) is the point that answers it, more than a neighbour that shares more words.
FOCUS_BONUS = 0.15
# The entities whose words choose a passage at least as much as a typical word.
NAMED_ENTITIES = ("country", "ip_type", "dispute_type")
# IP types a passage about the other also speaks to: a design is a kind of patent in China
# (外观设计专利) and in the US (design patent).
KINDRED_IP_TYPES = {"外观设计": {"专利"}, "专利": {"外观设计"}}


@dataclass(frozen=True)
class Answer:
    """The item that answers, the passages to show (in the item's order), the kind of fact
    asked, and whether the item lacks it (`passages` is then empty)."""

    item: Suggestion
    passages: Tuple[Text, ...]
    asked: Optional[Text]
    # The share of the question's weight the chosen passages cover.
    coverage: float = 0.0

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
    # How much of each question word the passage says (1 for the word itself).
    covered: Mapping[Text, float]


def _share(word: Text, lowered: Text) -> float:
    """How much of a compound Chinese word (商标注册, 被海关扣) a passage says where it lacks
    the word itself: the share of the word's character pairs it has."""
    if word.isascii() or len(word) < 3:
        return 0.0
    pairs = [word[i : i + 2] for i in range(len(word) - 1)]
    return sum(pair in lowered for pair in pairs) / len(pairs)


def _union(covered: Iterable[Mapping[Text, float]]) -> Dict[Text, float]:
    found: Dict[Text, float] = {}
    for shares in covered:
        for word, share in shares.items():
            found[word] = max(share, found.get(word, 0.0))
    return found


def _trim(passage: Text) -> Text:
    if len(passage) <= MAX_ANSWER_CHARS:
        return passage
    cut = max(passage.rfind(mark, 0, MAX_ANSWER_CHARS - 1) for mark in "。；")
    return passage[: cut + 1] if cut > 0 else passage[: MAX_ANSWER_CHARS - 1] + "…"


def _values(entities: Optional[Entities]) -> Dict[Text, Set[Text]]:
    return {name: {value} if isinstance(value, str) else set(value) for name, value in (entities or {}).items()}


def _label(passage: Text) -> Text:
    match = LABEL.match(passage)
    return match.group(1).lower() if match else ""


def _label_shares(passages: Sequence[Text], weights: Mapping[Text, float], total: float) -> List[float]:
    """How much of the question each passage's label says. The content writes each point as
    “what it is about：the fact” (“Schedule A案件集中的法院：…”, “337调查的答复期限：…”), so
    a label that says what was asked marks the point that answers it. Only the words that
    tell one label of the item from the others count: in “202号通知的文号”, “202号通知的日期”
    the subject is every label's."""
    labels = [_label(p) for p in passages]
    named = [label for label in labels if label]
    telling = {w: x for w, x in weights.items() if 2 * sum(w in label for label in named) <= len(named)}
    return [sum(x for w, x in telling.items() if w in label) / total if label else 0.0 for label in labels]


def _focus_labels(passages: Sequence[Text], focus: Optional[Text]) -> List[bool]:
    """Which points' labels name the question's focus, or the head of a compound focus (保护
    of 版权保护: “美国著作权的保护期”)."""
    if focus is None:
        return [False] * len(passages)
    heads = {focus, focus[-2:]} if len(focus) >= 4 else {focus}
    return [any(head in _label(p) for head in heads) for p in passages]


def _points_elsewhere(item: Suggestion, shares: Sequence[float], weights: Mapping[Text, float]) -> bool:
    """Whether a point's label says a question word that neither the item's title nor its
    short answer says: the question then asks for that point (“202号文是根据哪些文件制定的”
    and “…的依据：”), not for the overview."""
    summary = " ".join([item.title, *item.passages[:1]]).lower()
    return any(
        share > 0 and any(w in _label(p) and w not in summary for w in weights)
        for p, share in zip(item.passages[1:], shares[1:], strict=True)
    )


def _weights(index: KnowledgeIndex, query: List[Text], values: Dict[Text, Set[Text]]) -> Dict[Text, float]:
    """How much each question word says in choosing a passage: its IDF over the items, and at
    least a typical word's for the country, IP or dispute type the question names. 商标 is in
    most items, so it hardly chooses an item, but in a country's guide it is what tells the
    trademark passage from the patent one."""
    weights = index.weights(query)
    named = {v for name, vals in values.items() if name in NAMED_ENTITIES for v in vals}
    if not weights or not named:
        return weights
    typical = statistics.median(weights.values())
    return {w: max(weight, typical) if w in named else weight for w, weight in weights.items()}


def _speaks_of(case: Suggestion, text: Text, weights: Mapping[Text, float], values: Dict[Text, Set[Text]]) -> bool:
    """Whether the question speaks of cases or suits, or names what only this case is about."""
    return CASE_TALK.search(text) is not None or _names_case(case, weights, values)


def _names_case(case: Suggestion, weights: Mapping[Text, float], values: Dict[Text, Set[Text]]) -> bool:
    """Whether the question names what only this case is about (王致和, 华为 and 中兴: a word of
    its title, not an entity value, rarer than the question's typical word)."""
    typical = statistics.median(weights.values()) if weights else 0.0
    named = {v for vals in values.values() for v in vals}
    title = case.title.lower()
    return any(weight > typical and w not in named and w in title for w, weight in weights.items())


def _agrees(item: Suggestion, values: Dict[Text, Set[Text]]) -> bool:
    """Whether an item is about the question's own country or district, when it names one."""
    return all(values[name] & item.tags.get(name, frozenset()) for name in EXCLUSIVE_ENTITIES if values.get(name))


def _candidates(
    index: KnowledgeIndex,
    text: Text,
    entities: Optional[Entities],
    kinds: Optional[Iterable[Text]],
    topics: Optional[Iterable[Text]],
    neighbours: bool,
) -> List[Tuple[Suggestion, bool]]:
    """(item, in scope): the scope's best, then the library's best that are about the
    question's place (a general item outside the scope is a neighbour, not an answer). A
    case outside the scope tells what happened to someone, not what the question asks."""
    scoped = kinds is not None or topics is not None
    found = index.suggest(
        text, entities, k=CANDIDATE_ITEMS, kinds=kinds, topics=topics, min_confidence=SCOPED_MIN_CONFIDENCE
    )
    candidates = [(item, True) for item in found] if scoped else []
    if scoped and not neighbours:
        return candidates
    values, seen = _values(entities), {item.id for item, _ in candidates}
    for item in index.suggest(text, entities, k=CANDIDATE_ITEMS, min_confidence=LIBRARY_MIN_CONFIDENCE):
        if item.id not in seen and (not scoped or _agrees(item, values)):
            candidates.append((item, not scoped))
    return candidates


def answer(
    index: KnowledgeIndex,
    text: Text,
    entities: Optional[Entities] = None,
    kinds: Optional[Iterable[Text]] = None,
    topics: Optional[Iterable[Text]] = None,
    kind: Optional[Text] = None,
    min_coverage: float = MIN_COVERAGE,
    neighbours: bool = True,
) -> Optional[Answer]:
    """The best answer to `text`, preferring the scope (`kinds`, `topics`); None when no item
    is good enough. `kind` is the kind of fact asked when the caller knows it (a follow-up's
    own), else it is read from `text`; `min_coverage` is the share of the question the answer
    must cover; without `neighbours`, only the scope answers."""
    candidates = _candidates(index, text, entities, kinds, topics, neighbours)
    if not candidates:
        return None
    asked = kind or answer_types.asked(text)
    # What the question asks about, unless it asks what a named thing is (TRO是什么: the overview).
    focus = answer_types.focus(text) if asked != answer_types.DEFINITION else None
    asking = answer_types.asking_words(text)
    query = [w for w in index.query(text, entities) if not any(w in phrase for phrase in asking)]
    values = _values(entities)
    # A passage about another IP type (the copyright term, asked the trademark's) answers none of it.
    ip_asked = {t for v in values.get("ip_type", ()) for t in {v, *KINDRED_IP_TYPES.get(v, ())}}
    weights = _weights(index, query, values)
    total = sum(weights.values()) or 1.0
    top = max(item.score for item, _ in candidates) or 1.0
    scored: List[_Scored] = []
    for item, in_scope in candidates:
        # The item's tags (its country, IP and dispute types) are said by each of its passages
        # when the item is about one of them (an item for five IP types says none of them);
        # its keywords are not: they choose the item, the passage's own words choose the passage.
        tagged = {w for tags in item.tags.values() if len(tags) == 1 for w in tags}
        neutral = {v for name, vals in values.items() if not item.tags.get(name) for v in vals}
        places = zip(item.passages, item.passage_words, item.passage_countries, item.passage_ip_types, strict=True)
        label_shares = _label_shares(item.passages, weights, total)
        focused = _focus_labels(item.passages, focus)
        overview = asked in OVERVIEW_KINDS and not _points_elsewhere(item, label_shares, weights)
        for position, (passage, words, countries, ip_types) in enumerate(places):
            if asked in STRICT and not answer_types.states(asked, passage):
                continue
            if values.get("country") and countries and not countries & values["country"]:
                continue
            if ip_asked and ip_types and not ip_types & ip_asked:
                continue
            # A case, unless cases were asked for, tells a story, not the period, amount or body
            # asked for (unless the question names it), nor what a question that does not
            # speak of cases or lawsuits asks.
            told = item.kind == "case" and "case" not in (kinds or ())
            # A strict question about a case it names (华为诉中兴…哪一年判的) is answered by it.
            if told and not (
                _names_case(item, weights, values) if asked in STRICT else _speaks_of(item, text, weights, values)
            ):
                continue
            lowered = passage.lower()
            # A word counts where the passage has it, even inside a longer word (答辩 in 答辩期,
            # 货 in 货物); a Latin word only as a word of its own.
            shares = {
                w: 1.0 if w in words or w in tagged or (not w.isascii() and w in lowered) else _share(w, lowered)
                for w in weights
            }
            covered = {w: share for w, share in shares.items() if share > 0}
            covered.update({w: NEUTRAL_SHARE for w in neutral if w in weights and w not in covered})
            coverage = sum(weights[w] * share for w, share in covered.items())
            if not coverage:  # a passage that says nothing of the question answers none of it
                continue
            score = COVERAGE_WEIGHT * coverage / total + ITEM_WEIGHT * item.score / top + IN_SCOPE_BONUS * in_scope
            score += LABEL_WEIGHT * label_shares[position] + FOCUS_BONUS * focused[position]
            # A case's story is an overview only for a question about cases.
            if position == 0 and overview and (in_scope or item.kind != "case"):
                score += OVERVIEW_BONUS
            scored.append(_Scored(item, position, score, {**covered, **{w: 1.0 for w in neutral if w in weights}}))
    if not scored:  # the item that lacks the fact asked, or none (a yes or no is no fact)
        return Answer(candidates[0][0], (), asked) if asked in STRICT else None
    best = max(scored, key=lambda s: s.score)
    chosen = [best]
    second = max(
        (
            s
            for s in scored
            if s.item.id == best.item.id
            and s.position != best.position
            and any(share > best.covered.get(w, 0.0) for w, share in s.covered.items())
        ),
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
    # Whether the library answers at all is judged on the words' own weights: the named
    # country or IP type chooses among passages, but saying it is no answer.
    # The item's title and keywords say what it answers as a whole (专利三性 for the item on
    # novelty, inventiveness and utility), though no one passage repeats them.
    plain = index.weights(query)
    union = {**_union(s.covered for s in chosen), **{w: 1.0 for w in plain if w in best.item.heading_words}}
    coverage = sum(plain[w] * share for w, share in union.items()) / (sum(plain.values()) or 1.0)
    if coverage < min_coverage:
        return None
    return Answer(best.item, tuple(_trim(passages[s.position]) for s in chosen), asked, round(coverage, 3))
