"""Findings carry a significance: how suspicious a plausibility warning is (0 otherwise).

Revision ID: 0007
Revises: 0006

The review list ranks the units awaiting review by their most significant plausibility
warning (``nianbao.core.plausibility``). Adding a column rebuilds no table, so the
``lineage`` view (which does not read findings) stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "findings",
        sa.Column("significance", sa.Float(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("significance")
