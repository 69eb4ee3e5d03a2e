"""Zeros are not stored in ``cell_values``: the ``lineage`` view reads a missing row as 0.

Revision ID: 0003
Revises: 0002

Most of a unit's cells are 0; storing only the others keeps ten thousand units' figures
to a fraction of the rows. Rows of zeros written before this revision stay valid (they are
dropped when the cycle is stored again). ``lineage`` keeps one row per (total cell,
accepted submission), now with ``COALESCE(value, 0)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SELECT = """
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
    {value} AS value,
    l.sheet AS sheet,
    l.cell AS cell,
    l.label AS label
FROM totals t
JOIN cycles c ON c.id = t.cycle_id
JOIN submissions s
    ON s.cycle_id = t.cycle_id AND s.status IN ('accepted', 'accepted_with_warnings')
{join} cell_values v ON v.submission_id = s.id AND v.cell_id = t.cell_id
JOIN units u ON u.id = s.unit_id
LEFT JOIN cycle_units r ON r.cycle_id = s.cycle_id AND r.unit_id = s.unit_id
LEFT JOIN cell_locations l ON l.format = s.format AND l.cell_id = t.cell_id
"""


def upgrade() -> None:
    op.execute("DROP VIEW lineage")
    op.execute(
        "CREATE VIEW lineage AS" + SELECT.format(value="COALESCE(v.value, 0)", join="LEFT JOIN")
    )


def downgrade() -> None:
    op.execute("DROP VIEW lineage")
    op.execute("CREATE VIEW lineage AS" + SELECT.format(value="v.value", join="JOIN"))
