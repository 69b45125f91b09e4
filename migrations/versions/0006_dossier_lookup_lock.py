"""lookup attempts name the dossier: wrong digits count per dossier across all senders

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lookup_attempts") as batch:
        batch.add_column(sa.Column("dossier_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_lookup_attempts_dossier_id", "dossiers", ["dossier_id"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_lookup_attempts_dossier_at", ["dossier_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lookup_attempts") as batch:
        batch.drop_index("ix_lookup_attempts_dossier_at")
        batch.drop_constraint("fk_lookup_attempts_dossier_id", type_="foreignkey")
        batch.drop_column("dossier_id")
