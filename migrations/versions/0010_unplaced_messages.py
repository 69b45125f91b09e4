"""unplaced messages: what the bot could not place, with its best guess and an officer's label

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unplaced_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("guess_intent", sa.String(length=64), nullable=True),
        sa.Column("guess_confidence", sa.Float(), nullable=True),
        sa.Column("guess_procedure", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label_intent", sa.String(length=64), nullable=True),
        sa.Column("label_procedure", sa.String(length=64), nullable=True),
        sa.Column("labelled_by", sa.String(length=64), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unplaced_messages_created_at", "unplaced_messages", ["created_at"])
    op.create_index("ix_unplaced_messages_labelled_at", "unplaced_messages", ["labelled_at"])


def downgrade() -> None:
    op.drop_index("ix_unplaced_messages_labelled_at", table_name="unplaced_messages")
    op.drop_index("ix_unplaced_messages_created_at", table_name="unplaced_messages")
    op.drop_table("unplaced_messages")
