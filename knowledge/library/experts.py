"""Matching an enterprise's question to experts of the pool (content: `content/experts.yml`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Text

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.core.vocabulary import EU, EU_MEMBERS
from knowledge.library.models import Expert

# A country weighs most (laws and procedure differ by jurisdiction), then the IP type, then
# the industry; an expert who matches nothing is not offered.
COUNTRY_WEIGHT, IP_TYPE_WEIGHT, INDUSTRY_WEIGHT = 3, 2, 1


@dataclass(frozen=True)
class Match:
    """An expert offered for a question, with the score and the reasons (Chinese)."""

    expert: Expert
    score: int
    reasons: List[Text]
    knows_country: bool = False


def score(expert: Expert, country: Optional[Text], ip_type: Optional[Text], industry: Optional[Text]) -> Match:
    """How well one expert fits, and why."""
    points, reasons, knows_country = 0, [], False
    if country and country in expert.countries:
        points += COUNTRY_WEIGHT
        reasons.append(f"熟悉{country}")
        knows_country = True
    elif country in EU_MEMBERS and EU in expert.countries:
        points += COUNTRY_WEIGHT - 1
        reasons.append(f"熟悉欧盟规则（适用于{country}）")
    if ip_type and ip_type in expert.ip_types:
        points += IP_TYPE_WEIGHT
        reasons.append(f"擅长{ip_type}")
    if industry and any(industry in known or known in industry for known in expert.industries):
        points += INDUSTRY_WEIGHT
        reasons.append(f"有{industry}行业经验")
    return Match(expert, points, reasons, knows_country)


def best_matches(
    engine: Engine, country: Optional[Text], ip_type: Optional[Text], industry: Optional[Text], limit: int = 3
) -> List[Match]:
    """Up to `limit` available experts that match at least one of the facts, best first
    (ties: the one matching the country first, then by id for a stable order)."""
    with Session(engine, expire_on_commit=False) as session:
        experts = list(session.scalars(select(Expert).where(Expert.available.is_(True)).order_by(Expert.id)))
    matches = [m for m in (score(e, country, ip_type, industry) for e in experts) if m.score > 0]
    matches.sort(key=lambda m: (-m.score, not m.knows_country, m.expert.id))
    return matches[:limit]


def available(engine: Engine, limit: int = 3) -> List[Match]:
    """Experts who can be booked now, by id, when none matches the question."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(Expert).where(Expert.available.is_(True)).order_by(Expert.id).limit(limit)
        return [Match(expert, 0, []) for expert in session.scalars(query)]


def get_expert(engine: Engine, expert_id: Text) -> Optional[Expert]:
    """An expert by id."""
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Expert, expert_id)
