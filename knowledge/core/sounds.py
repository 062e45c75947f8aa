"""Words typed with the wrong character of the same sound.

Chinese is typed through pinyin, so the commonest typo is a homophone picked from the input
method's list: 德过 for 德国, 专立 for 专利, 外观涉及 for 外观设计, 葡萄雅 for 葡萄牙. Two words
sound alike when every character has the same syllable, tones aside.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, List, Tuple

from pypinyin import Style, lazy_pinyin

CHINESE = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=4096)
def syllables(word: str) -> Tuple[str, ...]:
    return tuple(lazy_pinyin(word, style=Style.NORMAL))


def sound_alike(a: str, b: str) -> bool:
    """Whether two different Chinese words of the same length are read the same, tones aside."""
    return (
        a != b
        and len(a) == len(b)
        and bool(CHINESE.fullmatch(a) and CHINESE.fullmatch(b))
        and (syllables(a) == syllables(b))
    )


def heard(forms: Iterable[Tuple[str, str]], text: str, min_chars: int = 3) -> List[str]:
    """The values whose form (of `min_chars` or more) the text has in other characters of
    the same sound (律师含 for 律师函, 俄罗丝 for 俄罗斯), in text order."""
    sounds = [syllables(c)[0] if CHINESE.fullmatch(c) else c for c in text]
    found: List[Tuple[int, str]] = []
    for value, form in forms:
        if len(form) < min_chars or not CHINESE.fullmatch(form) or form in text:
            continue
        wanted, n = syllables(form), len(form)
        at = next((i for i in range(len(text) - n + 1) if tuple(sounds[i : i + n]) == wanted), None)
        if at is not None:
            found.append((at, value))
    return list(dict.fromkeys(value for _, value in sorted(found)))
