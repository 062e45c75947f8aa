"""Risk alerts published to their subscribers, and one delivery row per subscriber.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_publications",
        sa.Column("alert_id", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("country", sa.String(length=40), nullable=True),
        sa.Column("industry", sa.String(length=40), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("first_published_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("sender_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_push_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_by", sa.String(length=10), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert_publications.alert_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "channel", "sender_id"),
    )
    op.create_index(op.f("ix_alert_deliveries_next_push_at"), "alert_deliveries", ["next_push_at"], unique=False)
    op.create_index(op.f("ix_alert_deliveries_sender_id"), "alert_deliveries", ["sender_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_deliveries_sender_id"), table_name="alert_deliveries")
    op.drop_index(op.f("ix_alert_deliveries_next_push_at"), table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_table("alert_publications")
