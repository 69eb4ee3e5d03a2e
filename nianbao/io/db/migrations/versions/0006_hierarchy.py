"""The roster's tree: each roster unit's group, the groups of a cycle and their totals.

Revision ID: 0006
Revises: 0005

``cycle_units.parent`` holds the code of the group a unit belongs to ('' at the top, and
for every unit of a roster without groups). ``cycle_groups`` lists a cycle's groups (rows of
kind 分组 of its roster) in roster order with their own parent; ``group_totals`` holds each
group's totals, cell by cell (the sum of the accepted units below it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "cycle_units",
        sa.Column("parent", sa.String(64), nullable=False, server_default=sa.text("''")),
    )
    op.create_table(
        "cycle_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_cycle_groups_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_groups")),
        sa.UniqueConstraint("cycle_id", "code", name=op.f("uq_cycle_groups_cycle_id_code")),
    )
    op.create_table(
        "group_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Numeric(18, 4), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["cycle_groups.id"],
            name=op.f("fk_group_totals_group_id_cycle_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_totals")),
        sa.UniqueConstraint("group_id", "cell_id", name=op.f("uq_group_totals_group_id_cell_id")),
    )


def downgrade() -> None:
    op.drop_table("group_totals")
    op.drop_table("cycle_groups")
    # no batch rebuild (the lineage view refers to cycle_units); SQLite ≥ 3.35 drops columns
    op.execute("ALTER TABLE cycle_units DROP COLUMN parent")
