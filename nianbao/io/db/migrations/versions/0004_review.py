"""The office's review: an append-only audit table and finalized versions.

Revision ID: 0004
Revises: 0003

``review_events`` holds every decision and state change; ``versions``, ``version_units``
and ``version_values`` hold each finalized (定稿) version of a year. Rows of these four
tables are never changed: triggers raise on UPDATE and DELETE (and TRUNCATE on PostgreSQL),
whoever issues them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("review_events", "versions", "version_units", "version_values")
PG_FUNCTION = """
CREATE FUNCTION nianbao_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'nianbao: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$
"""


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _version_id(table: str) -> sa.Column[int]:
    return sa.Column(
        "version_id",
        sa.Integer(),
        sa.ForeignKey("versions.id", name=f"fk_{table}_version_id_versions"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "review_events",
        _id(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("finding", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_events"),
    )
    op.create_index("ix_review_events_year_unit", "review_events", ["year", "unit"])
    op.create_table(
        "versions",
        _id(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.UniqueConstraint("year", "number", name="uq_versions_year_number"),
    )
    op.create_table(
        "version_units",
        _id(),
        _version_id("version_units"),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_version_units"),
        sa.UniqueConstraint("version_id", "unit", name="uq_version_units_version_id_unit"),
    )
    op.create_table(
        "version_values",
        _id(),
        _version_id("version_values"),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("cell_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Numeric(18, 4), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_version_values"),
        sa.UniqueConstraint(
            "version_id", "unit", "cell_id", name="uq_version_values_version_id_unit_cell_id"
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION nianbao_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION nianbao_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'nianbao: {table} is append-only'); END"
                )


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION nianbao_append_only()")
