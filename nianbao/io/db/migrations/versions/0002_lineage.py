"""Lineage: cell locations per format and the ``lineage`` view over totals and submissions.

Revision ID: 0002
Revises: 0001

``lineage`` has one row per (cycle, total cell, contributing submission): the city total,
the unit's value, its submission (file, sha256, received time, status) and where the cell
sits in the workbook (sheet, A1 cell) when the format's locations are stored. Contributing
means accepted (``accepted`` or ``accepted_with_warnings``), as in the totals.

Note for later migrations: SQLite's batch mode rebuilds a table by copy and rename, which
fails while a view refers to it; drop ``lineage`` first and create it again afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINEAGE_VIEW = """
CREATE VIEW lineage AS
SELECT
    c.year AS year,
    c.format AS format,
    t.cell_id AS cell_id,
    t.value AS total,
    u.code AS unit_code,
    u.name AS unit_name,
    r.position AS position,
    s.id AS submission_id,
    s.file AS file,
    s.sha256 AS sha256,
    s.received_at AS received_at,
    s.status AS status,
    s.format AS submission_format,
    v.value AS value,
    l.sheet AS sheet,
    l.cell AS cell,
    l.label AS label
FROM totals t
JOIN cycles c ON c.id = t.cycle_id
JOIN submissions s
    ON s.cycle_id = t.cycle_id AND s.status IN ('accepted', 'accepted_with_warnings')
JOIN cell_values v ON v.submission_id = s.id AND v.cell_id = t.cell_id
JOIN units u ON u.id = s.unit_id
LEFT JOIN cycle_units r ON r.cycle_id = s.cycle_id AND r.unit_id = s.unit_id
LEFT JOIN cell_locations l ON l.format = s.format AND l.cell_id = t.cell_id
"""


def upgrade() -> None:
    op.create_table(
        "cell_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("cell_id", sa.String(100), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=False),
        sa.Column("cell", sa.String(16), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cell_locations"),
        sa.UniqueConstraint("format", "cell_id", name="uq_cell_locations_format_cell_id"),
    )
    op.execute(LINEAGE_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW lineage")
    op.drop_table("cell_locations")
