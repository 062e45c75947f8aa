"""NLU benchmark: the trained model on the held-out set, against a TF-IDF baseline.

`make bench-nlu` (trains first if needed). Prints intent accuracy, macro-F1, entity
micro-F1 on (entity, canonical value) pairs, and the most confused intent pairs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Text, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from bot.nlu.input_guard import has_meaning
from bot.training import newest_model
from tests.nlu_data import HOLDOUT_PATH, ROOT, gold_entities, load_nlu

Pairs = Set[Tuple[Text, Text]]
TARGET_ACCURACY = 0.95
TARGET_ENTITY_F1 = 0.92


def entity_f1(gold: Sequence[Pairs], predicted: Sequence[Pairs]) -> float:
    """Micro-F1 over (entity, value) pairs, utterance by utterance."""
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, predicted, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, predicted, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def report(
    name: Text, gold: List[Text], predicted: List[Text], gold_e: List[Pairs], pred_e: List[Pairs]
) -> Dict[Text, float]:
    scores = {
        "intent_accuracy": accuracy_score(gold, predicted),
        # Averaged over the contract's intents: a fallback is a miss, not a class of its own.
        "intent_macro_f1": f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0),
        "entity_micro_f1": entity_f1(gold_e, pred_e),
    }
    print(f"\n{name}")
    for key, value in scores.items():
        print(f"  {key:16s} {value:.3f}")
    confused = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p).most_common(8)
    if confused:
        print("  most confused (gold -> predicted: count):")
        for (g, p), n in confused:
            print(f"    {g} -> {p}: {n}")
    return scores


class DictionaryEntities:
    """Baseline entities: the surface strings annotated in training, longest match first."""

    def __init__(self, training) -> None:
        self.table: Dict[Text, Tuple[Text, Text]] = {}
        for m in training.training_examples:
            for e in m.get("entities") or []:
                surface = m.get("text")[e["start"] : e["end"]]
                value = training.entity_synonyms.get(str(e["value"]), str(e["value"]))
                self.table[surface] = (e["entity"], value)
        self.surfaces = sorted(self.table, key=len, reverse=True)

    def extract(self, text: Text) -> Pairs:
        found: Pairs = set()
        for surface in self.surfaces:
            if surface in text:
                found.add(self.table[surface])
                text = text.replace(surface, " ")
        return found


def baseline(training, texts: List[Text]) -> Tuple[List[Text], List[Pairs]]:
    examples = [m for m in training.intent_examples]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    features = vectorizer.fit_transform([m.get("text") for m in examples])
    classifier = LogisticRegression(max_iter=3000, C=10.0)
    classifier.fit(features, [m.get("intent") for m in examples])
    entities = DictionaryEntities(training)
    return list(classifier.predict(vectorizer.transform(texts))), [entities.extract(t) for t in texts]


async def parse_all(model_path, texts: List[Text]) -> Tuple[List[dict], float]:
    """Parses every text; returns the results and the mean parse time after a warm-up (ms)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model_path))
    for text in texts[:5]:
        await agent.parse_message(text)
    started = time.perf_counter()
    parsed = [await agent.parse_message(text) for text in texts]
    return parsed, (time.perf_counter() - started) * 1000 / len(texts)


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="model archive (default: the newest in models/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    model = args.model or newest_model()
    if model is None:
        print("no model: run `make train`")
        return 1
    training = load_nlu(ROOT / "data" / "nlu")
    holdout = load_nlu(HOLDOUT_PATH)
    # Messages with no letter or digit (emoji only) never reach the classifiers by design:
    # InputGuard answers them. They are counted here, not scored.
    examples = [m for m in holdout.intent_examples if has_meaning(m.get("text"))]
    guarded = len(holdout.intent_examples) - len(examples)
    texts = [m.get("text") for m in examples]
    gold = [m.get("intent") for m in examples]
    gold_e = [set(gold_entities(m)) for m in examples]
    print(
        f"model {model.name}; {len(training.intent_examples)} training examples, "
        f"{len(examples)} held-out examples over {len(set(gold))} intents "
        f"({guarded} emoji-only examples left to InputGuard, not scored)"
    )

    parsed, per_message_ms = asyncio.run(parse_all(model, texts))
    predicted = [p["intent"]["name"] for p in parsed]
    top_non_fallback = [next(r["name"] for r in p["intent_ranking"] if r["name"] != "nlu_fallback") for p in parsed]
    pred_e = [{(e["entity"], str(e["value"])) for e in p["entities"]} for p in parsed]

    rasa_scores = report("Rasa pipeline (DIET + gazetteer), fallback counted as wrong", gold, predicted, gold_e, pred_e)
    fallbacks = sum(p == "nlu_fallback" for p in predicted)
    print(
        f"  fell back on {fallbacks} of {len(texts)} ({fallbacks / len(texts):.1%}); "
        f"top intent ignoring fallback: accuracy {accuracy_score(gold, top_non_fallback):.3f}"
    )
    print(f"  parse time in process: {per_message_ms:.1f} ms per message")
    print("  accuracy (and fallback rate) had the fallback threshold been:")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        kept = [
            (g, r["name"])
            for g, p in zip(gold, parsed, strict=True)
            for r in [next(r for r in p["intent_ranking"] if r["name"] != "nlu_fallback")]
            if r["confidence"] >= threshold
        ]
        right = sum(g == name for g, name in kept)
        print(f"    {threshold:.1f}: accuracy {right / len(gold):.3f}, fallback {1 - len(kept) / len(gold):.1%}")
    for g, p, t in zip(gold, predicted, texts, strict=True):
        if g != p:
            print(f"    miss: {t!r}: {g} -> {p}")
    for ge, pe, t in zip(gold_e, pred_e, texts, strict=True):
        if ge != pe:
            print(f"    entities: {t!r}: missing {sorted(ge - pe)} extra {sorted(pe - ge)}")

    base_intents, base_entities = baseline(training, texts)
    base_scores = report(
        "Baseline (TF-IDF char 1-3-grams + logistic regression; dictionary entities)",
        gold,
        base_intents,
        gold_e,
        base_entities,
    )

    ok = (
        rasa_scores["intent_accuracy"] >= TARGET_ACCURACY
        and rasa_scores["entity_micro_f1"] >= TARGET_ENTITY_F1
        and rasa_scores["intent_accuracy"] > base_scores["intent_accuracy"]
        and rasa_scores["entity_micro_f1"] > base_scores["entity_micro_f1"]
    )
    print(
        f"\ntargets: intent accuracy >= {TARGET_ACCURACY}, entity F1 >= {TARGET_ENTITY_F1}, "
        f"above baseline: {'MET' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
