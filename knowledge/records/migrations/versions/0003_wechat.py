"""The WeChat channel's shared state: delivered messages, followers' options and held
replies, the account's access token.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_messages",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_wechat_messages_nonce"), "wechat_messages", ["nonce"], unique=False)
    op.create_index(op.f("ix_wechat_messages_received_at"), "wechat_messages", ["received_at"], unique=False)
    op.create_table(
        "wechat_users",
        sa.Column("open_id", sa.String(length=64), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("open_id"),
    )
    op.create_table(
        "wechat_access_tokens",
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("app_id"),
    )


def downgrade() -> None:
    op.drop_table("wechat_access_tokens")
    op.drop_table("wechat_users")
    op.drop_index(op.f("ix_wechat_messages_received_at"), table_name="wechat_messages")
    op.drop_index(op.f("ix_wechat_messages_nonce"), table_name="wechat_messages")
    op.drop_table("wechat_messages")
