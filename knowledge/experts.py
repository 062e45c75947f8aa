"""Matching an enterprise's question to experts of the pool, and consultation requests."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import List, Optional, Text

from sqlalchemy import Column, DateTime, Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.db import Base
from knowledge.models import Expert
from knowledge.reports import utc_now

logger = logging.getLogger(__name__)

# A country weighs most (laws and procedure differ by jurisdiction), then the IP type, then
# the industry; an expert who matches nothing is not offered.
COUNTRY_WEIGHT, IP_TYPE_WEIGHT, INDUSTRY_WEIGHT = 3, 2, 1
# The EU's rules apply in its member states; a Germany question is partly an EU question.
EU_MEMBERS = {"德国", "法国", "意大利", "西班牙", "荷兰", "比利时", "波兰", "瑞典"}


@dataclass(frozen=True)
class Match:
    """An expert offered for a question, with the score and the reasons (Chinese)."""

    expert: Expert
    score: int
    reasons: List[Text]
    knows_country: bool = False


class ConsultationRequest(Base):
    """An enterprise asked to consult one expert; staff arrange it."""

    __tablename__ = "consultation_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    expert_id = Column(String(80), nullable=False)
    expert_title = Column(String(200), nullable=False)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(200), nullable=False, index=True)
    country = Column(String(20))
    ip_type = Column(String(20))
    industry = Column(String(40))
    created_at = Column(DateTime, nullable=False)

    def __repr__(self) -> str:
        return f"ConsultationRequest({self.id}, {self.expert_id!r}, {self.sender_id!r})"


def score(expert: Expert, country: Optional[Text], ip_type: Optional[Text], industry: Optional[Text]) -> Match:
    """How well one expert fits, and why."""
    points, reasons, knows_country = 0, [], False
    if country and country in expert.countries:
        points += COUNTRY_WEIGHT
        reasons.append(f"熟悉{country}")
        knows_country = True
    elif country in EU_MEMBERS and "欧盟" in expert.countries:
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


def request_consultation(
    engine: Engine,
    expert: Expert,
    channel: Text,
    sender_id: Text,
    country: Optional[Text],
    ip_type: Optional[Text],
    industry: Optional[Text],
) -> ConsultationRequest:
    """Records that this conversation asked to consult `expert`."""
    request = ConsultationRequest(
        expert_id=expert.id,
        expert_title=expert.title,
        channel=channel,
        sender_id=sender_id,
        country=country,
        ip_type=ip_type,
        industry=industry,
        created_at=utc_now(),
    )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(request)
    logger.info("consultation request %s: %s for %s", request.id, expert.id, sender_id)
    return request
