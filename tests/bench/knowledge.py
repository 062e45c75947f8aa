"""Knowledge benchmarks: `make bench-knowledge`.

1. The blind set (tests/bench/blind.py): questions written by someone who saw neither the
   content nor the training data nor the replies, through the REST channel of the running
   bot: answered with the fact, answered wrongly, "don't know" on unanswerable questions,
   median answer length. This is the figure that says how well the assistant answers.
2. The regression set, tests/knowledge_questions.yml, written beside the content: hit@1,
   hit@3 and MRR of `suggest` (unscoped, as the hotline staff use it), how often it returns
   nothing for questions the content cannot answer, and the share of questions the bot
   answers from a right item through the REST channel. It catches regressions; it does not
   measure quality.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Text

import requests
import yaml

from bot.database import create_schema
from bot.processes import Servers
from bot.training import newest_model
from knowledge.library import loader
from knowledge.library.search import MIN_CONFIDENCE, KnowledgeIndex
from tests.bench import blind
from tests.e2e.conftest import Chat, make_settings

QUESTIONS_PATH = Path(__file__).resolve().parent.parent / "knowledge_questions.yml"
TARGET_HIT1, TARGET_HIT3 = 0.75, 0.9


async def parse_all(model: Path, texts: List[Text]) -> List[dict]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    return [await agent.parse_message(t) for t in texts]


def _text(question) -> Text:
    """An unanswerable question, written either as text or as {q: text}."""
    return question["q"] if isinstance(question, dict) else question


def entity_map(parsed: dict) -> Dict[Text, Text]:
    found: Dict[Text, Text] = {}
    for e in parsed.get("entities", []):
        found.setdefault(e["entity"], str(e["value"]))
    return found


def rest_share(rasa_url: Text, questions: List[dict], titles: Dict[Text, Text], verbose: bool = False) -> float:
    """The share of questions the running bot answers from a right item (its title shown)."""
    right = 0
    for q in questions:
        reply = " ".join(m.get("text", "") for m in Chat(rasa_url).say(q["q"]))
        if any(titles[i] in reply for i in q["answers"]):
            right += 1
        elif verbose:
            print(f"  REST miss: {q['q']!r} want {q['answers']} got {reply[:70]!r}")
    return right / len(questions)


def through_rest(model: Path, database_url: Text, questions: List[dict], titles: Dict[Text, Text], args) -> bool:
    """Runs the servers and both sets through the REST channel; True when the blind targets are met."""
    servers = Servers(make_settings(database_url), model, Path(database_url.removeprefix("sqlite:///")).parent / "logs")
    try:
        servers.start()
        if args.dev:
            dev_set = blind.BLIND_PATH.with_name(args.dev)
            return blind.report(blind.evaluate(servers.settings.rasa_url, dev_set, show=True), True)
        blind.limits_report()
        met = blind.report(blind.evaluate(servers.settings.rasa_url), show_misses=args.misses)
        share = rest_share(servers.settings.rasa_url, questions, titles, args.verbose)
        print(f"regression set through REST: {share:.3f} of questions answered from a right item")
        return met
    except requests.RequestException as error:
        print(f"REST channel failed: {error}")
        return False
    finally:
        servers.stop()


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-rest", action="store_true", help="skip the REST-channel measurement")
    parser.add_argument("--verbose", action="store_true", help="print every miss of the regression set")
    parser.add_argument("--misses", action="store_true", help="list the ids of the blind set's misses")
    parser.add_argument(
        "--dev",
        nargs="?",
        const=blind.DEV_PATH.name,
        metavar="FILE",
        help="run only a dev set of tests/blind/ (default knowledge_dev.yml), printing its misses whole",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    data = yaml.safe_load(QUESTIONS_PATH.read_text(encoding="utf-8"))
    questions, unanswerable = data["questions"], data["unanswerable"]
    model = newest_model()
    if model is None:
        print("no model: run `make train`")
        return 1
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{Path(directory) / 'kb.db'}"
        engine = create_schema(database_url)
        report = loader.load(engine)
        index = KnowledgeIndex.from_engine(engine)
        titles = {d.id: d.title for d in index.docs}
        missing = {i for q in questions for i in q["answers"]} - set(titles)
        if missing or report.errors:
            print(f"content problems: unknown ids {sorted(missing)}, load errors {report.errors}")
            return 1
        parsed = asyncio.run(parse_all(model, [q["q"] for q in questions] + [_text(u) for u in unanswerable]))
        n = len(questions)
        print(f"regression set: {n} questions, {len(unanswerable)} unanswerable, {len(index.docs)} items")
        # Rank once without a threshold, then apply each threshold as suggest() would.
        ranked_all = [
            index.suggest(q["q"], entity_map(p), k=10, min_confidence=0.0)
            for q, p in zip(questions, parsed, strict=False)
        ]
        ranked_none = [
            index.suggest(_text(q), entity_map(p), k=10, min_confidence=0.0)
            for q, p in zip(unanswerable, parsed[n:], strict=True)
        ]
        results = {}
        for threshold in sorted({0.0, 0.1, 0.2, 0.3, MIN_CONFIDENCE}):
            hit1 = hit3 = reciprocal = 0.0
            for q, found in zip(questions, ranked_all, strict=True):
                ranked = [s.id for s in found if s.confidence >= threshold][:3]
                rank = next((i for i, item in enumerate(ranked, 1) if item in q["answers"]), None)
                hit1 += rank == 1
                hit3 += rank is not None
                reciprocal += 1 / rank if rank else 0
                if args.verbose and threshold == MIN_CONFIDENCE and rank != 1:
                    print(f"  miss@{rank}: {q['q']!r} want {q['answers']} got {ranked}")
            abstained = sum(not [s for s in found if s.confidence >= threshold] for found in ranked_none)
            results[threshold] = (hit1 / n, hit3 / n, reciprocal / n)
            marker = "  <- suggest() uses this threshold" if threshold == MIN_CONFIDENCE else ""
            print(
                f"threshold {threshold:.2f}: hit@1 {hit1 / n:.3f}  hit@3 {hit3 / n:.3f}  MRR {reciprocal / n:.3f}  "
                f"no answer for {abstained}/{len(unanswerable)} unanswerable{marker}"
            )
        hit1, hit3, _ = results[MIN_CONFIDENCE]
        hit1, hit3 = hit1 * n, hit3 * n
        ok = hit1 / n >= TARGET_HIT1 and hit3 / n >= TARGET_HIT3
        print(f"regression targets: hit@3 >= {TARGET_HIT3}, hit@1 >= {TARGET_HIT1}: {'MET' if ok else 'NOT MET'}")
        if not args.no_rest:
            ok = through_rest(model, database_url, questions, titles, args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
