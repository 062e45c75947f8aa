"""The gazetteer of closed entity sets and the files generated from it.

`bot/nlu/gazetteer.yml` is the single source. This module reads it and renders the jieba
dictionary and the Rasa synonyms from it; `python -m bot.nlu.gazetteer` rewrites both.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Text

import yaml

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
GAZETTEER_PATH = HERE / "gazetteer.yml"
JIEBA_DICT_PATH = HERE / "jieba_dict" / "gazetteer.txt"
SYNONYMS_PATH = HERE.parent.parent / "data" / "nlu" / "synonyms.yml"

Gazetteer = Dict[Text, Dict[Text, List[Text]]]


@dataclass(frozen=True)
class Form:
    """One surface form of a canonical entity value."""

    entity: Text
    text: Text
    value: Text


def load(path: Path = GAZETTEER_PATH) -> Gazetteer:
    """Reads and checks the gazetteer: entity -> canonical value -> surface forms."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    seen: Dict[Text, Text] = {}
    for entity, values in data.items():
        for value, forms in values.items():
            for text in [value, *forms]:
                key = f"{entity}:{str(text).lower()}"
                if key in seen and seen[key] != value:
                    raise ValueError(f"{path}: '{text}' maps to both {seen[key]} and {value}")
                seen[key] = value
    return {
        entity: {str(value): [str(f) for f in forms] for value, forms in values.items()}
        for entity, values in data.items()
    }


def forms(gazetteer: Gazetteer) -> Iterator[Form]:
    """Every surface form, the canonical value itself included."""
    for entity, values in gazetteer.items():
        for value, synonyms in values.items():
            for text in [value, *synonyms]:
                yield Form(entity, text, value)


def render_jieba_dict(gazetteer: Gazetteer) -> Text:
    """One jieba user-dictionary line per form that jieba can keep as one word.

    jieba's dictionary format has no comments, so the file cannot say it is generated.
    """
    words = sorted({f.text for f in forms(gazetteer) if " " not in f.text})
    return "".join(f"{w} nz\n" for w in words)


def render_synonyms(gazetteer: Gazetteer) -> Text:
    """Rasa NLU synonyms: every canonical value with its surface forms."""
    lines = [
        "# Generated from bot/nlu/gazetteer.yml by `make sync-gazetteer`; do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for values in gazetteer.values():
        for value, synonyms in values.items():
            if not synonyms:
                continue
            lines.append(f"- synonym: {value}")
            lines.append("  examples: |")
            lines.extend(f"    - {s}" for s in synonyms)
    return "\n".join(lines) + "\n"


def generated_files(gazetteer: Gazetteer) -> Dict[Path, Text]:
    """The files derived from the gazetteer, with their expected content."""
    return {
        JIEBA_DICT_PATH: render_jieba_dict(gazetteer),
        SYNONYMS_PATH: render_synonyms(gazetteer),
    }


def main() -> int:
    """Rewrites the generated files from the gazetteer."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path, content in generated_files(load()).items():
        path.write_text(content, encoding="utf-8")
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
