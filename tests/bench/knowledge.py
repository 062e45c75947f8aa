"""Knowledge benchmark: does search find the item that answers a question?

`make bench-knowledge`. Questions in tests/knowledge_questions.yml name the ids of the
items that answer them; none is copied from the content. Entities come from the trained
NLU model, as in the bot. Prints hit@1, hit@3 and MRR of `suggest` (unscoped, as the
hotline staff will use it), how often it correctly returns nothing for questions the
content cannot answer, and the share of questions the running bot answers from a right
item through the REST channel.
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


def rest_share(
    model: Path, database_url: Text, questions: List[dict], titles: Dict[Text, Text], verbose: bool = False
) -> float:
    servers = Servers(make_settings(database_url), model, Path(database_url.removeprefix("sqlite:///")).parent / "logs")
    try:
        servers.start()
        right = 0
        for q in questions:
            chat = Chat(servers.settings.rasa_url)
            reply = " ".join(m.get("text", "") for m in chat.say(q["q"]))
            if any(titles[i] in reply for i in q["answers"]):
                right += 1
            elif verbose:
                print(f"  REST miss: {q['q']!r} want {q['answers']} got {reply[:70]!r}")
        return right / len(questions)
    except requests.RequestException as error:
        print(f"REST channel failed: {error}")
        return 0.0
    finally:
        servers.stop()


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-rest", action="store_true", help="skip the REST-channel measurement")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
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
        print(f"{n} questions, {len(unanswerable)} unanswerable, {len(index.docs)} items")
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
        if not args.no_rest:
            share = rest_share(model, database_url, questions, titles, args.verbose)
            print(f"REST channel: {share:.3f} of questions answered from a right item")
    print(f"targets: hit@3 >= {TARGET_HIT3}, hit@1 >= {TARGET_HIT1}: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
