"""outbox, contacts, inbox leases and parts, supplement due date

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreachable_reason", sa.String(length=255), nullable=True),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "user_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=191), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_outbox_state_due", "outbox", ["state", "due_at"], unique=False)
    op.create_index(op.f("ix_outbox_dossier_id"), "outbox", ["dossier_id"], unique=False)
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch.create_index("ix_inbox_user_state", ["platform", "user_id", "state"], unique=False)
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("supplement_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("apologised_for", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_dossiers_open_due",
        "dossiers",
        [sa.text("coalesce(new_appointment_at, appointment_at)")],
        postgresql_where=sa.text("status IN (1, 2, 4)"),
        sqlite_where=sa.text("status IN (1, 2, 4)"),
    )


def downgrade() -> None:
    op.drop_index("ix_dossiers_open_due", table_name="dossiers")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("apologised_for")
        batch.drop_column("supplement_due_at")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_index("ix_inbox_user_state")
        batch.drop_column("lease_token")
        batch.drop_column("parts_sent")
    op.drop_index(op.f("ix_outbox_dossier_id"), table_name="outbox")
    op.drop_index("ix_outbox_state_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("contacts")
