"""Chinese text handling shared by the NLU pipeline and the knowledge search."""

from __future__ import annotations

import importlib.resources
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Text

from knowledge.core.settings import ROOT

JIEBA_DICTIONARY = ROOT / "bot" / "nlu" / "jieba_dict"
_WORD = re.compile(r"\w")
_jieba_lock = threading.Lock()

# Words that carry no topic: questions, particles, pronouns.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 嘛 么 是 在 有 和 与 及 或 我 我们 你 你们 他们 它 这 那 这个 那个 什么 怎么 "
    "怎么办 如何 哪些 哪个 一下 请问 请 想 要 能 可以 会 需要 一个 一些 问 问题 咨询 关于 还 就 都 也 "
    "被 把 给 对 让 从 到 为 以 上 下 中 嗯 哦 好 谢谢 您好 你好 "
    "个 得 去 来 过 着 咋 啥 些 这些 那些 这边 那边 他 她 其 该 里 咋样 咋办 还是 就是 这样 那样 这种 那种 "
    "现在 已经 然后 如果 要是 的话 时候 东西 这事 事情 一直 比如 大概 一般 起来 打算 定 碰上 碰到 遇到 遇上 "
    "听 说 听说 有个 很 太 到底 究竟 搞 弄 怎样 干脆 其实 真的 突然 一下子 好像 据说 感觉 觉得 以后 还有 "
    # Words of when and who that say nothing of the topic (“公告后多久之内可以提异议”).
    "后 前 之内 以内 之前 以前 提 比较 还能 别人 "
    # How the asker feels and hedges (“刚收到…完全懵了，应该干啥”).
    "刚 刚刚 完全 应该 懵 慌 没 干 "
    # How a yes-or-no question or a plea for help is put (“有没有专家能帮忙看看”).
    "有没有 有无 能不能 可不可以 是不是 帮忙 帮 看看 看一下".split()
)


@lru_cache(maxsize=1)
def _character_table() -> Dict[int, Text]:
    """One character for one: traditional -> simplified (OpenCC's table), full-width -> ASCII."""
    table: Dict[int, Text] = {}
    lines = importlib.resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
    for line in lines.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1:
            table[ord(source)] = target
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    return table


def normalise(text: Text) -> Text:
    """Control characters to spaces, full-width to ASCII, traditional to simplified;
    the result has the same length, so every offset stays valid."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" else ch for ch in text)
    return text.translate(_character_table())


@lru_cache(maxsize=1)
def _segmenter(directory: Path = JIEBA_DICTIONARY):
    """A jieba tokenizer of its own with the project's dictionary, so that searching does
    not depend on what else loaded words into jieba's global one."""
    import jieba

    tokenizer = jieba.Tokenizer()
    for path in sorted(directory.iterdir()):
        tokenizer.load_userdict(str(path))
    return tokenizer


def tokenize(text: Text) -> List[Text]:
    """Search terms of `text`: normalised, lower-cased jieba words without stopwords or punctuation."""
    with _jieba_lock:  # jieba's lazy initialisation is not thread-safe
        words = _segmenter().lcut(normalise(text).lower())
    return [w for w in (w.strip() for w in words) if w and _WORD.search(w) and w not in STOPWORDS]
