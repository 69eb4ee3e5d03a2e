"""The validation cache: what each submission's check read, and its outcome.

Revision ID: 0005
Revises: 0004

``submissions.check_key`` names everything a file's check read
(``nianbao.core.checked.check_key``) and ``submissions.outcome`` holds its texts and
findings (JSON; the figures stay in ``cell_values``): a later run whose file has the same
key takes them from here instead of parsing it again.
Rows written before this revision have no key and are checked again once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("check_key", sa.String(64), nullable=True))
    op.add_column("submissions", sa.Column("outcome", sa.Text(), nullable=True))
    op.create_index("ix_submissions_check_key", "submissions", ["check_key"])


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of the table would trip over
    # the ``lineage`` view that reads it.
    op.drop_index("ix_submissions_check_key", table_name="submissions")
    for column in ("outcome", "check_key"):
        op.execute(f"ALTER TABLE submissions DROP COLUMN {column}")
