"""The case records' tables: reports and their history, staff notifications, handoffs,
subscriptions and the alerts pushed to them, consultation requests, the WeChat channel's state.

Their schema is changed only by migrations (`migrations/`, Alembic): a help desk never
drops its reports to upgrade. A change here needs a new revision; a test compares the
migrated schema with these models.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy import Text as TextColumn
from sqlalchemy.orm import declarative_base, relationship

# Typed as Any: SQLAlchemy 1.4 declares models dynamically, which mypy cannot follow without a plugin.
Base: Any = declarative_base()

DISPUTE = "dispute"
UNFAIR_TREATMENT = "unfair_treatment"
KIND_LABELS = {DISPUTE: "海外知识产权纠纷登记", UNFAIR_TREATMENT: "不公平待遇反映"}

RECEIVED, IN_PROGRESS, WITH_EXPERT, CLOSED = "已受理", "处理中", "已转专家", "已办结"
STATUSES = (RECEIVED, IN_PROGRESS, WITH_EXPERT, CLOSED)

HANDOFF_OPEN, HANDOFF_CLOSED, HANDOFF_RETURNED = "open", "closed", "returned"
HANDOFF_REASONS = {
    "user_request": "用户要求人工服务",
    "repeated_fallback": "连续两次未能理解用户",
    "repeated_question": "用户重复提问",
    "urgent_report": "紧急纠纷登记",
    "expert_consultation": "预约专家咨询",
}

# Stored instead of NULL so that the unique constraint also holds for “any industry”.
ANY = ""


def iso(moment: Any) -> Any:
    """A stored UTC time as ISO 8601 with a Z, or None."""
    return moment.isoformat() + "Z" if moment is not None else None


class Report(Base):
    """A dispute report or an unfair-treatment feedback, with who filed it and how."""

    __tablename__ = "reports"

    id = Column(String(16), primary_key=True)
    kind = Column(String(20), nullable=False)
    company_name = Column(TextColumn, nullable=False)
    phone = Column(String(20), nullable=False)
    country = Column(String(20), nullable=False)
    ip_type = Column(String(20))
    dispute_type = Column(String(20))
    deadline = Column(Date)
    description = Column(TextColumn, nullable=False)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(200), nullable=False, index=True)
    transcript = Column(JSON, nullable=False, default=list)
    urgent = Column(Boolean, nullable=False, default=False)
    urgency_reasons = Column(JSON, nullable=False, default=list)
    status = Column(String(10), nullable=False, default=RECEIVED)
    result = Column(TextColumn)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    history = relationship("ReportEvent", order_by="ReportEvent.id", back_populates="report", lazy="selectin")

    def __repr__(self) -> str:
        return f"Report({self.id!r}, {self.kind!r}, {self.status!r}, urgent={self.urgent})"

    def as_dict(self) -> Dict[Text, Any]:
        """Everything staff see about the report."""
        return {
            "id": self.id,
            "kind": self.kind,
            "company_name": self.company_name,
            "phone": self.phone,
            "country": self.country,
            "ip_type": self.ip_type,
            "dispute_type": self.dispute_type,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "description": self.description,
            "channel": self.channel,
            "sender_id": self.sender_id,
            "urgent": self.urgent,
            "urgency_reasons": self.urgency_reasons,
            "status": self.status,
            "result": self.result,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "history": [event.as_dict() for event in self.history],
        }


class ReportEvent(Base):
    """One step of a report's history: a status it entered, with a note."""

    __tablename__ = "report_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    report_id = Column(String(16), ForeignKey("reports.id"), nullable=False, index=True)
    at = Column(DateTime, nullable=False)
    status = Column(String(10), nullable=False)
    note = Column(TextColumn, nullable=False, default="")

    report = relationship(Report, back_populates="history")

    def __repr__(self) -> str:
        return f"ReportEvent({self.report_id!r}, {self.status!r}, {self.at:%Y-%m-%d %H:%M})"

    def as_dict(self) -> Dict[Text, Any]:
        return {"at": iso(self.at), "status": self.status, "note": self.note}


class Notification(Base):
    """A pending or delivered staff notification about one report (an outbox row)."""

    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True, autoincrement=True)
    report_id = Column(String(16), ForeignKey("reports.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    claimed_until = Column(DateTime)
    delivered_at = Column(DateTime)
    last_error = Column(TextColumn)

    report = relationship(Report, lazy="joined")

    def __repr__(self) -> str:
        state = "delivered" if self.delivered_at else f"pending after {self.attempts} attempts"
        return f"Notification({self.report_id!r}, {state})"

    def as_dict(self) -> Dict[Text, Any]:
        return {
            "report_id": self.report_id,
            "attempts": self.attempts,
            "next_attempt_at": iso(self.next_attempt_at),
            "last_error": self.last_error,
        }


class Handoff(Base):
    """One conversation handed to staff."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(200), nullable=False, index=True)
    reason = Column(String(40), nullable=False)
    urgent = Column(Boolean, nullable=False, default=False)
    report_id = Column(String(16))
    slots = Column(JSON, nullable=False, default=dict)
    transcript = Column(JSON, nullable=False, default=list)
    status = Column(String(10), nullable=False, default=HANDOFF_OPEN, index=True)
    created_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime)
    staff_note = Column(TextColumn)

    def __repr__(self) -> str:
        return f"Handoff({self.id}, {self.sender_id!r}, {self.reason!r}, {self.status!r})"

    def as_dict(self) -> Dict[Text, Any]:
        """The queue entry as staff see it (the transcript is in the conversation view)."""
        return {
            "id": self.id,
            "channel": self.channel,
            "sender_id": self.sender_id,
            "reason": self.reason,
            "reason_label": HANDOFF_REASONS.get(self.reason, self.reason),
            "urgent": self.urgent,
            "report_id": self.report_id,
            "status": self.status,
            "created_at": iso(self.created_at),
            "closed_at": iso(self.closed_at),
            "staff_note": self.staff_note,
        }


class Subscription(Base):
    """One subscription: alerts about `country` (or any) in `industry` (or any)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel", "sender_id", "country", "industry"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(200), nullable=False, index=True)
    country = Column(String(20), nullable=False, default=ANY)
    industry = Column(String(40), nullable=False, default=ANY)
    created_at = Column(DateTime, nullable=False)

    def __repr__(self) -> str:
        return f"Subscription({self.sender_id!r}, {self.country or '*'}, {self.industry or '*'})"


class ConsultationRequest(Base):
    """An enterprise asked to consult one expert of the pool; staff arrange it."""

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


class PhoneCheckFailure(Base):
    """A wrong phone number given to see a report (whether the id exists or not): the status
    checks of an id are limited by these, and staff see them."""

    __tablename__ = "phone_check_failures"

    id = Column(Integer, primary_key=True, autoincrement=True)
    report_id = Column(String(40), nullable=False, index=True)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(200), nullable=False)
    at = Column(DateTime, nullable=False)

    def as_dict(self) -> Dict[Text, Any]:
        return {"report_id": self.report_id, "channel": self.channel, "sender_id": self.sender_id, "at": iso(self.at)}


class WeChatMessage(Base):
    """A message WeChat delivered (by MsgId; an event by sender, time and event), with the
    nonce it came with and the reply it got: a retry is answered the same, never run again."""

    __tablename__ = "wechat_messages"

    key = Column(String(200), primary_key=True)
    nonce = Column(String(64), nullable=False, index=True)
    received_at = Column(DateTime, nullable=False, index=True)
    reply = Column(TextColumn)


class WeChatUser(Base):
    """A WeChat follower's numbered options (the last reply's buttons) and the reply parts
    held for their next message (a long turn on a passive-only account, a refused push)."""

    __tablename__ = "wechat_users"

    open_id = Column(String(64), primary_key=True)
    options = Column(JSON, nullable=False, default=list)
    pending = Column(JSON, nullable=False, default=list)
    last_message_at = Column(DateTime)


class WeChatAccessToken(Base):
    """The account's one access token, shared by every process; `lease_until` is set while
    one of them refreshes it."""

    __tablename__ = "wechat_access_tokens"

    app_id = Column(String(64), primary_key=True)
    token = Column(TextColumn)
    expires_at = Column(DateTime)
    lease_until = Column(DateTime)


class AlertPublication(Base):
    """A risk alert as it was published to its subscribers (a copy: content reloads change
    the library, not what was sent)."""

    __tablename__ = "alert_publications"

    alert_id = Column(String(80), primary_key=True)
    title = Column(TextColumn, nullable=False)
    level = Column(String(4), nullable=False)
    country = Column(String(40))
    industry = Column(String(40))
    date = Column(Date, nullable=False)
    text = Column(TextColumn, nullable=False)
    source = Column(TextColumn, nullable=False)
    first_published_at = Column(DateTime, nullable=False)
    published_at = Column(DateTime, nullable=False)


class AlertDelivery(Base):
    """One published alert for one subscriber (an outbox row): pushed by template message
    (WeChat) while `next_push_at` is set, or given with the subscriber's next message."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "channel", "sender_id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    alert_id = Column(String(80), ForeignKey("alert_publications.alert_id"), nullable=False)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(200), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_push_at = Column(DateTime, index=True)
    claimed_until = Column(DateTime)
    delivered_at = Column(DateTime)
    delivered_by = Column(String(10))
    last_error = Column(TextColumn)

    publication = relationship(AlertPublication, lazy="joined")

    def as_dict(self) -> Dict[Text, Any]:
        return {
            "alert_id": self.alert_id,
            "channel": self.channel,
            "sender_id": self.sender_id,
            "attempts": self.attempts,
            "next_push_at": iso(self.next_push_at),
            "delivered_at": iso(self.delivered_at),
            "delivered_by": self.delivered_by,
            "last_error": self.last_error,
        }
