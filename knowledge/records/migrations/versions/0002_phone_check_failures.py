"""Wrong phone numbers given to see a report, which limit the status checks of an id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_check_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("sender_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_phone_check_failures_report_id"), "phone_check_failures", ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_phone_check_failures_report_id"), table_name="phone_check_failures")
    op.drop_table("phone_check_failures")
