"""dossiers by agency and received date: the monthly report reads a month, not the table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_dossiers_agency_received", "dossiers", ["agency_code", "received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dossiers_agency_received", table_name="dossiers")
