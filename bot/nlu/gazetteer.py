"""The NLU files generated from the gazetteer (knowledge/core/vocabulary.yml).

This module renders the jieba dictionary and the Rasa synonyms from it;
`python -m bot.nlu.gazetteer` (`make sync-gazetteer`) rewrites both.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Dict, Text

from knowledge.core.vocabulary import Vocabulary, vocabulary

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
JIEBA_DICT_PATH = HERE / "jieba_dict" / "gazetteer.txt"
SYNONYMS_PATH = HERE.parent.parent / "data" / "nlu" / "synonyms.yml"


def render_jieba_dict(words_of: Vocabulary) -> Text:
    """One jieba user-dictionary line per form that jieba can keep as one word.

    jieba's dictionary format has no comments, so the file cannot say it is generated.
    """
    words = sorted({f.text for f in words_of.forms() if " " not in f.text})
    # jieba's own dictionary keeps 服装行业 and 机械行业 whole, hiding the industry in them;
    # frequency 0 makes them no word, so it cuts them as the form and 行业.
    split = sorted({f"{f.text}行业" for f in words_of.forms() if f.entity == "industry" and " " not in f.text})
    return "".join(f"{w} nz\n" for w in words) + "".join(f"{w} 0 nz\n" for w in split)


def render_synonyms(words_of: Vocabulary) -> Text:
    """Rasa NLU synonyms: every canonical value with its surface forms."""
    lines = [
        "# Generated from knowledge/core/vocabulary.yml by `make sync-gazetteer`; do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for values in words_of.gazetteer.values():
        for value, synonyms in values.items():
            if not synonyms:
                continue
            lines.append(f"- synonym: {value}")
            lines.append("  examples: |")
            lines.extend(f"    - {s}" for s in synonyms)
    return "\n".join(lines) + "\n"


def generated_files(words_of: Vocabulary) -> Dict[Path, Text]:
    """The files derived from the gazetteer, with their expected content."""
    return {
        JIEBA_DICT_PATH: render_jieba_dict(words_of),
        SYNONYMS_PATH: render_synonyms(words_of),
    }


def main() -> int:
    """Rewrites the generated files from the gazetteer."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path, content in generated_files(vocabulary()).items():
        path.write_text(content, encoding="utf-8")
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
