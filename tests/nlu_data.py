"""Shared helpers for tests and benchmarks that read the NLU data and the contract."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Set, Text, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_PATH = Path(__file__).parent / "nlu_contract.yml"
HOLDOUT_PATH = Path(__file__).parent / "nlu_holdout.yml"
JIEBA_DICT_DIR = ROOT / "bot" / "nlu" / "jieba_dict"


@lru_cache(maxsize=None)
def contract() -> Dict[Text, Any]:
    """The NLU contract (a copy of ../shared/spec/nlu-contract.yml)."""
    return yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))


def closed_values() -> Dict[Text, Set[Text]]:
    """Entity name -> canonical values, for the entities the contract closes."""
    return {name: set(spec["values"]) for name, spec in contract()["entities"].items() if "values" in spec}


def load_nlu(path: Path):
    """Rasa's own reader, so the tests see exactly what training sees."""
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


@lru_cache(maxsize=None)
def _jieba():
    import jieba

    for file in sorted(JIEBA_DICT_DIR.iterdir()):
        jieba.load_userdict(str(file))
    return jieba


def token_bounds(text: Text) -> Tuple[Set[int], Set[int]]:
    """Start and end offsets of the jieba tokens of `text` as the pipeline tokenizes it:
    normalised by InputGuard, with the domain dictionary."""
    from knowledge.core.text import normalise

    starts, ends = set(), set()
    for _, start, end in _jieba().tokenize(normalise(text)):
        starts.add(start)
        ends.add(end)
    return starts, ends


def gold_entities(message) -> List[Tuple[Text, Text]]:
    """(entity, value) pairs annotated on a training or test message."""
    return sorted((e["entity"], str(e["value"])) for e in message.get("entities") or [])


def problems(data, synonyms: Dict[Text, Text]) -> List[Text]:
    """What is wrong with the annotations of `data`: unknown entity names, closed-set
    values that are not canonical, and spans that cut through a jieba token."""
    from knowledge.core.text import normalise

    names = set(contract()["entities"])
    closed = closed_values()
    found = []
    for m in data.training_examples:
        text = m.get("text")
        starts, ends = token_bounds(text)
        for e in m.get("entities") or []:
            value = str(e["value"])
            value = synonyms.get(value, synonyms.get(value.lower(), value))
            if e["entity"] not in names:
                found.append(f"unknown entity {e['entity']!r} in {text!r}")
            elif e["entity"] in closed and value not in closed[e["entity"]]:
                found.append(f"{e['entity']}={value!r} is not canonical in {text!r}")
            if e["start"] not in starts or e["end"] not in ends:
                span = text[e["start"] : e["end"]]
                tokens = [w for w, _, _ in _jieba().tokenize(normalise(text))]
                found.append(f"span {span!r} cuts jieba tokens {tokens} in {text!r}")
    return found


def main(argv: List[Text]) -> int:
    """Checks NLU files one by one: `python -m tests.nlu_data FILE...`."""
    from collections import Counter

    from knowledge.core.vocabulary import vocabulary

    synonyms = {f.text: f.value for f in vocabulary().forms()}
    synonyms.update({k.lower(): v for k, v in synonyms.items()})
    status = 0
    for path in argv:
        data = load_nlu(Path(path))
        counts = Counter(m.get("intent") for m in data.intent_examples)
        entities = Counter(e["entity"] for m in data.training_examples for e in m.get("entities") or [])
        print(f"{path}: intents {dict(counts)}; entities {dict(entities)}")
        unknown = set(counts) - set(contract()["intents"])
        found = problems(data, synonyms) + [f"intent {i!r} is not in the contract" for i in unknown]
        for line in found:
            print("  " + line)
        status = status or int(bool(found))
    return status


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
