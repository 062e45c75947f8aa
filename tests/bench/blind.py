"""The blind knowledge benchmark: `tests/blind/knowledge_blind.yml` through the REST channel.

The set was written by someone who saw neither the content nor the training data nor the
replies (tests/blind/README.md). Each entry's turns go to a new conversation; the reply to
the last turn is judged:

- answerable (fact, follow_up, document): every group of `must_contain` has one of its
  alternatives in the reply (case-insensitive), else it is wrong or an honest "don't know";
- unanswerable: the reply says plainly that the knowledge base does not know, and offers a
  person (a 转人工 / 人工服务 button or the words).

Only figures are printed by default: reading the questions to tune wording to them would
make the benchmark measure the tuning. `--misses` lists the ids of the misses, for checking
that a mechanism (not a wording) is at fault.

`tests/blind/knowledge_dev.yml` is a second set written the same way by another blind
helper: the one to read when looking for what goes wrong. `python -m tests.bench.knowledge --dev`
runs it and prints each miss with its question, the terms wanted and the reply. Mechanisms
are fixed on the dev set and measured on the test set, which nobody reads.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Text

import yaml

from tests.e2e.conftest import Chat

BLIND_PATH = Path(__file__).resolve().parent.parent / "blind" / "knowledge_blind.yml"
DEV_PATH = BLIND_PATH.with_name("knowledge_dev.yml")
LIMITS_PATH = BLIND_PATH.with_name("limits_check.yml")
# How the assistant says it does not know (utter_no_answer and its kin).
DONT_KNOW = re.compile(r"知识库里暂时没有|无法(预测|保证|判断|提供|代为)|不能(预测|保证|替您|提供)")
TO_A_PERSON = re.compile(r"人工|专家|热线")
TARGET_ANSWERED, TARGET_DONT_KNOW, TARGET_MEDIAN_CHARS = 0.85, 0.80, 300
# The shape of a reply, told by its opening words: which mechanism answered (for `--why`).
SHAPES = [
    ("no fact", "知识库里暂时没有这个问题要的"),
    ("no answer", "知识库里暂时没有能准确回答"),
    ("cannot answer", "知识库里暂时没有能回答这个问题"),
    ("clarify", "抱歉，我不太确定您的意思"),
    ("asks country", "请问您想了解哪个国家或地区"),
    ("offers topics", "收到"),
    ("out of scope", "抱歉，这个问题不在"),
    ("capabilities", "我可以帮您"),
    ("form", "好的，我来帮您"),
    ("cases", "为您找到以下相似案例"),
    ("document", "我读了您发来的全文"),
    ("handoff", "转接人工"),
]


@dataclass
class Figures:
    """What the run found, by kind of entry."""

    answered: Counter = field(default_factory=Counter)
    wrong: Counter = field(default_factory=Counter)
    dont_know: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    by_topic: Dict[Text, Counter] = field(default_factory=lambda: defaultdict(Counter))
    lengths: List[int] = field(default_factory=list)
    misses: List[Text] = field(default_factory=list)
    # Of the misses, by kind of entry: the shape of the reply (`SHAPES`, else "answer").
    shapes: Dict[Text, Counter] = field(default_factory=lambda: defaultdict(Counter))


def shape_of(messages: List[dict]) -> Text:
    text = texts_of(messages)
    return next((name for name, opening in SHAPES if text.startswith(opening) or opening in text[:60]), "answer")


def texts_of(messages: List[dict]) -> Text:
    """What the reply says (button titles are not answers)."""
    return "\n".join(m.get("text") or "" for m in messages)


def reply_of(messages: List[dict]) -> Text:
    """The reply as the user sees it: texts, then button titles."""
    buttons = [b.get("title") or "" for m in messages for b in m.get("buttons") or []]
    return "\n".join([texts_of(messages), *buttons])


def has_terms(reply: Text, groups: List[List]) -> bool:
    lowered = reply.lower()
    return all(any(str(alternative).lower() in lowered for alternative in group) for group in groups)


def says_dont_know(messages: List[dict]) -> bool:
    return bool(DONT_KNOW.search(texts_of(messages))) and bool(TO_A_PERSON.search(reply_of(messages)))


def evaluate(rasa_url: Text, path: Path = BLIND_PATH, show: bool = False) -> Figures:
    """Sends every entry through the REST channel and judges the replies; `show` prints
    each miss whole (only for the dev set)."""
    figures = Figures()
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
        chat = Chat(rasa_url)
        messages: List[dict] = []
        for turn in entry["turns"]:
            messages = chat.say(turn)
        kind, topic = entry["kind"], entry["topic"]
        answerable = kind != "unanswerable"
        figures.totals[kind] += 1
        figures.by_topic[topic]["total"] += 1
        if answerable:
            figures.lengths.append(len(texts_of(messages)))
        if answerable and has_terms(texts_of(messages), entry["must_contain"]):
            figures.answered[kind] += 1
            figures.by_topic[topic]["right"] += 1
        elif says_dont_know(messages):
            figures.dont_know[kind] += 1
            figures.by_topic[topic]["right"] += not answerable
            if answerable:
                figures.misses.append(f"{entry['id']} (don't know)")
                if show:
                    print_miss(entry, messages)
        else:
            figures.wrong[kind] += 1
            figures.misses.append(entry["id"])
            figures.shapes[kind][shape_of(messages)] += 1
            if show:
                print_miss(entry, messages)
    return figures


def print_miss(entry: dict, messages: List[dict]) -> None:
    print(f"--- {entry['id']} {entry['kind']}/{entry['topic']}: " + " | ".join(t[:200] for t in entry["turns"]))
    print(f"    wanted: {entry['must_contain']}")
    print("    got: " + reply_of(messages).replace("\n", " / ")[:400])


def report(figures: Figures, show_misses: bool = False) -> bool:
    """Prints the figures; True when every target is met."""
    kinds = ("fact", "follow_up", "document")
    answerable = sum(figures.totals[k] for k in kinds)
    answered = sum(figures.answered[k] for k in kinds)
    unanswerable = figures.totals["unanswerable"]
    honest = figures.dont_know["unanswerable"]
    median = statistics.median(figures.lengths) if figures.lengths else 0
    print(f"blind set: {answerable} answerable, {unanswerable} unanswerable")
    for kind in kinds:
        total = figures.totals[kind]
        print(
            f"  {kind:10} {figures.answered[kind]:4}/{total:<4} answered with the fact, "
            f"{figures.wrong[kind]} wrong, {figures.dont_know[kind]} don't know"
        )
    print(f"  answered with the fact: {answered}/{answerable} = {answered / max(answerable, 1):.3f}")
    print(f"  answered wrongly: {sum(figures.wrong[k] for k in kinds)}")
    print(
        f'  unanswerable answered "don\'t know" with a way to a person: {honest}/{unanswerable} = '
        f"{honest / max(unanswerable, 1):.3f}"
    )
    print(f"  median answer length: {median:.0f} characters")
    print(
        "  by topic (right/total): "
        + ", ".join(f"{topic} {c['right']}/{c['total']}" for topic, c in sorted(figures.by_topic.items()))
    )
    if show_misses:
        print("  misses: " + " ".join(figures.misses))
        for kind, shapes in sorted(figures.shapes.items()):
            print(f"  {kind} misses by reply shape: " + ", ".join(f"{n} {c}" for n, c in shapes.most_common()))
    met = (
        answered / max(answerable, 1) >= TARGET_ANSWERED
        and honest / max(unanswerable, 1) >= TARGET_DONT_KNOW
        and median <= TARGET_MEDIAN_CHARS
    )
    print(
        f"  targets: answered >= {TARGET_ANSWERED}, don't know >= {TARGET_DONT_KNOW}, "
        f"median <= {TARGET_MEDIAN_CHARS}: {'MET' if met else 'NOT MET'}"
    )
    return met


def limits_report(path: Path = LIMITS_PATH, folds: int = 5) -> None:
    """The limits (knowledge/library/limits.py, no servers): the rules alone on the limits
    check, and the learned half in cross-validation on its own examples."""
    import numpy as np

    from knowledge.library import limits

    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    caught = Counter(e["kind"] for e in entries if limits.beyond_reach(e["text"], learned=False))
    totals = Counter(e["kind"] for e in entries)
    print(
        f"limits check, rules alone: {caught['unanswerable']}/{totals['unanswerable']} unanswerable recognised, "
        f"{caught['answerable']}/{totals['answerable']} answerable look-alikes refused"
    )
    texts, labels = limits.examples()
    order = np.random.default_rng(7).permutation(len(texts))
    flagged = np.zeros(len(texts), dtype=bool)
    for fold in range(folds):
        held = order[fold::folds]
        kept = np.setdiff1d(order, held)
        vectorizer, model = limits.train([texts[i] for i in kept], [labels[i] for i in kept])
        probability = model.predict_proba(vectorizer.transform([texts[i] for i in held]))[:, 1]
        flagged[held] = probability > limits.LEARNED_THRESHOLD
    truth = np.array(labels)
    print(
        f"limits, learned half ({folds}-fold cross-validation at {limits.LEARNED_THRESHOLD}): "
        f"{int((flagged & truth).sum())}/{int(truth.sum())} unanswerable examples recognised, "
        f"{int((flagged & ~truth).sum())}/{int((~truth).sum())} answerable ones refused"
    )
