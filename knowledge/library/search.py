"""Ranked search over the knowledge base: BM25 on jieba words, steered by entities.

One function serves the bot's answers and the hotline staff's suggested answers:
`KnowledgeIndex.suggest(text, entities, k)`. Below `MIN_CONFIDENCE` it returns nothing
rather than a weak match, so that callers offer a person instead of guessing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Text, Tuple, Union

import numpy as np
from rank_bm25 import BM25Okapi
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.core.dates import DIGITS, chinese_number
from knowledge.core.text import normalise, tokenize
from knowledge.core.vocabulary import EU, EU_MEMBERS, HOME_COUNTRY, HOME_FORMS, vocabulary
from knowledge.library.models import Article, Case, CountryGuide, Institution, RiskAlert

MIN_CONFIDENCE = 0.2
TAGGED_ENTITIES = ("country", "ip_type", "dispute_type", "industry", "district")
# A document about another country or district is the wrong answer, not a weaker one.
EXCLUSIVE_ENTITIES = {"country", "district"}
# Boost per agreeing entity; a matching country or district outweighs a general item.
AGREEMENT_BOOST = {"exclusive": 0.6, "other": 0.35}
CONFLICT_FACTOR = {"exclusive": 0.15, "other": 0.7}
MIN_IDF = 0.1
# How much character pairs count beside jieba words in ranking items (tests/bench/blind.py --dev).
GRAM_WEIGHT = 0.5
MIN_PASSAGE_CHARS, MAX_PASSAGE_CHARS = 8, 200

# How people say what the content says in its own words: a question with the left side is
# also searched with the right (“不理它会怎样” asks about not answering a suit).
COLLOQUIAL: Mapping[Text, Tuple[Text, ...]] = {
    "答辩": ("答复", "应诉"),
    "不理": ("不应诉", "不答复", "缺席"),
    "不管": ("不应诉", "缺席"),
    "输了": ("败诉", "救济"),
    "打输": ("败诉", "救济"),
    "官司": ("诉讼",),
    "告了": ("起诉", "被诉"),
    "被告了": ("被诉", "起诉"),
    "搞掉": ("无效", "挑战"),
    "干掉": ("无效", "挑战"),
    "推翻": ("撤销", "无效"),
    "冻了": ("冻结",),
    "被冻": ("冻结",),
    "扣了": ("扣押", "扣留"),
    "被扣": ("扣押", "扣留"),
    "抄袭": ("侵权", "仿冒"),
    "山寨": ("假冒", "仿冒"),
    # Patents and copyright have a 保护期, trademarks an 有效期: people use either.
    "保护期": ("有效期",),
    "有效期": ("保护期",),
    "根据": ("依据",),
    "法规": ("条例",),
    "有救": ("补救", "撤销"),
    "先用": ("使用",),
    "递交": ("提交",),
    "起诉材料": ("起诉状", "诉讼文件"),
    "诉讼材料": ("诉讼文件", "起诉状"),
}

# A number in Chinese before a unit (二十一天, 第五六年): the content writes numbers in digits.
# 哪一年, 每一天, 同一类 ask or say no number.
CHINESE_NUMBER = re.compile(
    r"(?<![哪每同这那单])([零一二两三四五六七八九十]{1,4})(?=个?(?:年|月|天|日|周|倍|类|条|项|款))"
)


def _number(chars: Text) -> List[Text]:
    """二十一 -> [21]; 五六 (a range, “five or six”) -> [5, 6]."""
    if "十" not in chars and len(chars) > 1:
        return [str(DIGITS[c]) for c in chars if c in DIGITS]
    value = chinese_number(chars)
    return [str(value)] if value is not None else []


def in_digits(text: Text) -> Text:
    """The text with the numbers it writes in Chinese characters before a unit in digits
    (第五六年 -> 第5 6年), as the content writes them."""
    return CHINESE_NUMBER.sub(lambda match: " ".join(_number(match.group(1))) + " ", text)


Entities = Mapping[Text, Union[Text, Sequence[Text]]]


@dataclass(frozen=True)
class Document:
    """One searchable item, whatever its table."""

    kind: Text
    id: Text
    topic: Text
    title: Text
    answer: Text
    details: Text
    source: Text
    tags: Mapping[Text, FrozenSet[Text]]
    words: Sequence[Text] = field(repr=False)
    grams: Sequence[Text] = field(repr=False)
    # The pieces an answer is made of: the short answer, then each point of the details.
    passages: Tuple[Text, ...] = field(repr=False)
    passage_words: Tuple[FrozenSet[Text], ...] = field(repr=False)
    # The countries each passage names (“29. 英国诉讼的…” in an item for every country).
    passage_countries: Tuple[FrozenSet[Text], ...] = field(repr=False)
    # The IP types each passage names (“美国著作权的保护期：…” in the guide to every type).
    passage_ip_types: Tuple[FrozenSet[Text], ...] = field(repr=False)
    # The words of the title and keywords: what the item as a whole is about.
    heading_words: FrozenSet[Text] = field(repr=False)


@dataclass(frozen=True)
class Suggestion(Document):
    """A ranked answer: the item, its score and how sure the search is (0-1)."""

    score: float
    confidence: float


def terms(text: Text) -> List[Text]:
    """Search words of a text, each vocabulary form followed by its canonical value, so
    that 汉诺威 also counts as 德国 and 律师函 as 警告函."""
    words: List[Text] = []
    for word in tokenize(text):
        words.append(word)
        value = HOME_COUNTRY if word in HOME_FORMS else vocabulary().canonical_of_word(word)
        if value is not None and value.lower() != word:
            words.append(value)
    return words


def bigrams(text: Text) -> List[Text]:
    """Overlapping pairs of Chinese characters, and Latin words whole: they match where
    jieba cuts a compound differently in the question and in the content (海牙协定, 外观专利)."""
    grams: List[Text] = []
    for run in re.findall(r"[\u4e00-\u9fff]+|[a-z0-9]+", normalise(text).lower()):
        grams.extend([run] if run.isascii() or len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return grams


def split_passages(answer: Text, details: Text) -> Tuple[Text, ...]:
    """The short answer, then each line of the details (a line over `MAX_PASSAGE_CHARS` cut
    at sentence ends); section headings such as “申请：” are not passages of their own."""
    found = [answer.strip()] if answer.strip() else []
    for line in details.splitlines():
        line = line.strip()
        if len(line) < MIN_PASSAGE_CHARS or line.endswith(("：", ":")):
            continue
        piece = ""
        for sentence in re.split(r"(?<=[。；！？])", line):
            if piece and len(piece) + len(sentence) > MAX_PASSAGE_CHARS:
                found.append(piece)
                piece = ""
            piece += sentence
        if piece.strip():
            found.append(piece.strip())
    return tuple(found)


def _tags(**values: Iterable[Optional[Text]]) -> Dict[Text, FrozenSet[Text]]:
    return {key: frozenset(v for v in vals if v) for key, vals in values.items()}


def make_document(
    kind: Text,
    item_id: Text,
    topic: Text,
    title: Text,
    answer: Text,
    details: Text,
    source: Text,
    tags: Mapping[Text, FrozenSet[Text]],
    keywords: Sequence[Text] = (),
) -> Document:
    """A searchable document: the title and keywords count twice, the tags once."""
    tag_words = [w for values in tags.values() for w in values]
    text = " ".join([title, title, *keywords, *keywords, *tag_words, answer, details])
    passages = split_passages(answer, details)
    return Document(
        kind,
        item_id,
        topic,
        title,
        answer,
        details,
        source,
        tags,
        terms(text),
        bigrams(text),
        passages,
        tuple(frozenset(terms(p)) for p in passages),
        tuple(_places(p) for p in passages),
        tuple(frozenset(vocabulary().mentions(p, "ip_type")) for p in passages),
        frozenset(terms(" ".join([title, *keywords]))),
    )


def _places(passage: Text) -> FrozenSet[Text]:
    """The countries a passage names; one about the EU is about its member states too."""
    named = set(vocabulary().mentions(passage, "country"))
    return frozenset(named | EU_MEMBERS if EU in named else named)


def _document(kind: Text, row, topic: Text, answer: Text, details: Text, tags) -> Document:
    return make_document(kind, row.id, topic, row.title, answer, details, row.source.title, tags, row.keywords)


def documents(session: Session) -> List[Document]:
    """Every knowledge item as a searchable document."""
    docs: List[Document] = []
    for a in session.scalars(select(Article)):
        tags = _tags(country=a.countries, ip_type=a.ip_types, dispute_type=a.dispute_types, industry=a.industries)
        docs.append(_document("article", a, a.topic, a.answer, a.details, tags))
    for g in session.scalars(select(CountryGuide)):
        details = f"受理机构：{g.office}\n申请：\n{g.filing}\n常见风险：\n{g.risks}\n维权途径：\n{g.enforcement}"
        docs.append(_document("country_guide", g, "country_guide", g.summary, details, _tags(country=[g.country])))
    for c in session.scalars(select(Case)):
        # The loader guarantees a simulated case's title says 模拟案例.
        answer = f"{c.title}：{c.what_happened}"
        details = f"处理：{c.handling}\n结果：{c.outcome}\n启示：{c.lessons}"
        tags = _tags(country=[c.country], ip_type=[c.ip_type], dispute_type=[c.dispute_type], industry=[c.industry])
        docs.append(_document("case", c, "case", answer, details, tags))
    for r in session.scalars(select(RiskAlert)):
        tags = _tags(country=[r.country], ip_type=[r.ip_type], industry=[r.industry])
        docs.append(_document("alert", r, "risk", r.text, f"风险等级：{r.level}（{r.date.isoformat()}）", tags))
    for i in session.scalars(select(Institution)):
        docs.append(_document("institution", i, "contact", i.role, "", _tags(district=[i.district])))
    return docs


def _values(entities: Optional[Entities]) -> Dict[Text, Set[Text]]:
    found: Dict[Text, Set[Text]] = {}
    for name, value in (entities or {}).items():
        if name in TAGGED_ENTITIES and value:
            found[name] = {value} if isinstance(value, str) else set(value)
    return found


class Scorer:
    """`BM25Okapi.get_scores`, the same sums in the same order, with each known term's column
    over the documents computed once: rank-bm25 rebuilds it from every document's counts for
    every term of every query, most of a knowledge turn's time. A term no document has adds
    nothing there and is not kept here."""

    def __init__(self, bm25: BM25Okapi) -> None:
        self.bm25 = bm25
        self._doc_len = np.array(bm25.doc_len)
        self._columns: Dict[Text, np.ndarray] = {}

    def _column(self, term: Text) -> Optional[np.ndarray]:
        column = self._columns.get(term)
        if column is None and term in self.bm25.idf:
            bm25 = self.bm25
            freq = np.array([(doc.get(term) or 0) for doc in bm25.doc_freqs])
            norm = freq + bm25.k1 * (1 - bm25.b + bm25.b * self._doc_len / bm25.avgdl)
            column = self._columns[term] = (bm25.idf.get(term) or 0) * (freq * (bm25.k1 + 1) / norm)
        return column

    def scores(self, query: Iterable[Text]) -> np.ndarray:
        score = np.zeros(self.bm25.corpus_size)
        for term in query:
            column = self._column(term)
            if column is not None:
                score += column
        return score


class KnowledgeIndex:
    """BM25 over every document, with entity agreement as a boost and conflict as a penalty."""

    def __init__(self, docs: List[Document]) -> None:
        self.docs = docs
        self._bm25 = BM25Okapi([list(d.words) for d in docs]) if docs else None
        self._bm25_grams = BM25Okapi([list(d.grams) for d in docs]) if docs else None
        self._scores = Scorer(self._bm25) if self._bm25 else None
        self._gram_scores = Scorer(self._bm25_grams) if self._bm25_grams else None
        self._word_sets = [frozenset(d.words) for d in docs]
        idfs = sorted(self._bm25.idf.values()) if self._bm25 else [0.0]
        # A word no document has counts like a typical one: it lowers the coverage of
        # questions the content does not speak about, without drowning colloquial ones.
        self._unknown_idf = idfs[len(idfs) // 2]

    @classmethod
    def from_engine(cls, engine: Engine) -> KnowledgeIndex:
        """Builds the index from the database."""
        with Session(engine, future=True) as session:
            return cls(documents(session))

    def _idf(self, word: Text) -> float:
        assert self._bm25 is not None
        return max(self._bm25.idf.get(word, self._unknown_idf), MIN_IDF)

    @staticmethod
    def query(text: Text, entities: Optional[Entities] = None) -> List[Text]:
        """The search words of a question: its terms, the content's words for its colloquial
        ones, then the entity values it lacks (and the EU for a member state)."""
        lowered = normalise(text).lower()
        words = terms(in_digits(lowered))
        words += [w for said, meant in COLLOQUIAL.items() if said in lowered for w in meant if w not in words]
        words += [v for values in _values(entities).values() for v in values if v not in words]
        # A member state's question is partly the EU's (货在荷兰海关被扣了: the EU's customs rules).
        members = _values(entities).get("country", set()) & EU_MEMBERS
        return words + [EU] if members and EU not in words else words

    def weights(self, query: Sequence[Text]) -> Dict[Text, float]:
        """How much each distinct word of a query says (its IDF over the items)."""
        return {w: self._idf(w) for w in set(query)} if self._bm25 is not None else {}

    def suggest(
        self,
        text: Text,
        entities: Optional[Entities] = None,
        k: int = 3,
        kinds: Optional[Iterable[Text]] = None,
        topics: Optional[Iterable[Text]] = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> List[Suggestion]:
        """The `k` best items for a question, best first; nothing below `min_confidence`.

        `entities` (entity name -> canonical value or values) boost items tagged with
        them and push down items tagged with other countries, types or industries;
        `kinds` and `topics` restrict the search to some tables or article topics.
        """
        if self._bm25 is None:
            return []
        wanted = _values(entities)
        query = self.query(text, entities)
        if not query:
            return []
        assert self._scores is not None and self._gram_scores is not None
        scores = self._scores.scores(query)
        grams = self._gram_scores.scores(bigrams(text))
        top_words, top_grams = max(scores.max(), 1e-9), max(grams.max(), 1e-9)
        scores = scores + GRAM_WEIGHT * grams * (top_words / top_grams)
        query_idf = self.weights(query)
        total_idf = sum(query_idf.values())
        kinds_set, topics_set = set(kinds or []), set(topics or [])
        ranked: List[Suggestion] = []
        for doc, words, score in zip(self.docs, self._word_sets, scores, strict=True):
            if score <= 0 or (kinds_set and doc.kind not in kinds_set) or (topics_set and doc.topic not in topics_set):
                continue  # a score of 0 (no word shared) stays 0 whatever the boost
            agree, boost, factor = 0, 1.0, 1.0
            # A general item (no tag for an entity) applies to every value of it: the
            # question's country does not count against an article for all countries.
            neutral: Set[Text] = set()
            for name, values in wanted.items():
                tags = doc.tags.get(name)
                if not tags:
                    neutral |= values
                elif values & tags:
                    agree += 1
                    boost += AGREEMENT_BOOST["exclusive" if name in EXCLUSIVE_ENTITIES else "other"]
                else:
                    factor *= CONFLICT_FACTOR["exclusive" if name in EXCLUSIVE_ENTITIES else "other"]
            coverage = sum(idf for w, idf in query_idf.items() if w in words or w in neutral) / total_idf
            confidence = min(1.0, coverage + 0.1 * agree) * factor
            final = float(score) * boost * factor
            if final <= 0 or confidence < min_confidence or math.isnan(final):
                continue
            ranked.append(Suggestion(**vars(doc), score=round(final, 3), confidence=round(confidence, 3)))
        ranked.sort(key=lambda s: (s.score, s.confidence), reverse=True)
        return ranked[:k]

    def get(self, item_id: Text) -> Optional[Document]:
        """The document with this id, if any."""
        return next((d for d in self.docs if d.id == item_id), None)
