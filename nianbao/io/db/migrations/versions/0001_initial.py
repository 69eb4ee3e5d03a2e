"""Initial schema: cycles, units, roster, submissions, values, findings, totals, runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _cycle_id(table: str) -> sa.Column[int]:
    return sa.Column(
        "cycle_id",
        sa.Integer(),
        sa.ForeignKey("cycles.id", name=f"fk_{table}_cycle_id_cycles", ondelete="CASCADE"),
        nullable=False,
    )


def _amount() -> sa.Column[object]:
    return sa.Column("value", sa.Numeric(18, 4), nullable=False)


def upgrade() -> None:
    op.create_table(
        "cycles",
        _id(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("inputs_sha256", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cycles"),
        sa.UniqueConstraint("year", name="uq_cycles_year"),
    )
    op.create_table(
        "units",
        _id(),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.UniqueConstraint("code", name="uq_units_code"),
    )
    op.create_table(
        "cycle_units",
        _id(),
        _cycle_id("cycle_units"),
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey("units.id", name="fk_cycle_units_unit_id_units"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cycle_units"),
        sa.UniqueConstraint("cycle_id", "unit_id", name="uq_cycle_units_cycle_id_unit_id"),
    )
    op.create_table(
        "submissions",
        _id(),
        _cycle_id("submissions"),
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey("units.id", name="fk_submissions_unit_id_units"),
            nullable=False,
        ),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.UniqueConstraint(
            "cycle_id", "unit_id", "sha256", name="uq_submissions_cycle_id_unit_id_sha256"
        ),
    )
    op.create_table(
        "cell_values",
        _id(),
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey(
                "submissions.id",
                name="fk_cell_values_submission_id_submissions",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("cell_id", sa.String(100), nullable=False),
        _amount(),
        sa.PrimaryKeyConstraint("id", name="pk_cell_values"),
        sa.UniqueConstraint(
            "submission_id", "cell_id", name="uq_cell_values_submission_id_cell_id"
        ),
    )
    op.create_table(
        "findings",
        _id(),
        _cycle_id("findings"),
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey(
                "submissions.id",
                name="fk_findings_submission_id_submissions",
                ondelete="CASCADE",
            ),
            nullable=True,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=False),
        sa.Column("cell", sa.Text(), nullable=False),
        sa.Column("row_path", sa.Text(), nullable=False),
        sa.Column("column_path", sa.Text(), nullable=False),
        sa.Column("expected", sa.Text(), nullable=False),
        sa.Column("actual", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.UniqueConstraint("cycle_id", "seq", name="uq_findings_cycle_id_seq"),
    )
    op.create_index("ix_findings_submission_id", "findings", ["submission_id"])
    op.create_table(
        "totals",
        _id(),
        _cycle_id("totals"),
        sa.Column("cell_id", sa.String(100), nullable=False),
        _amount(),
        sa.PrimaryKeyConstraint("id", name="pk_totals"),
        sa.UniqueConstraint("cycle_id", "cell_id", name="uq_totals_cycle_id_cell_id"),
    )
    op.create_table(
        "runs",
        _id(),
        _cycle_id("runs"),
        sa.Column("inputs_sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=True),
        sa.Column("n_units", sa.Integer(), nullable=False),
        sa.Column("n_accepted", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.UniqueConstraint("cycle_id", "inputs_sha256", name="uq_runs_cycle_id_inputs_sha256"),
    )


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("totals")
    op.drop_index("ix_findings_submission_id", table_name="findings")
    op.drop_table("findings")
    op.drop_table("cell_values")
    op.drop_table("submissions")
    op.drop_table("cycle_units")
    op.drop_table("units")
    op.drop_table("cycles")
