"""Where a published total came from: the ``lineage`` view (migration 0002) queried.

The chain for a total is queryable in SQL on both databases::

    SELECT unit_code, unit_name, value, file, sha256, received_at, sheet, cell
    FROM lineage
    WHERE year = :year AND cell_id = :cell_id
    ORDER BY position, unit_code, received_at, submission_id;

Each row is one accepted submission's figure for the cell; the rows of a total add up to
``total`` (the same value on every row). ``sheet``/``cell`` come from ``cell_locations``,
which is filled per format when a cycle is stored (NULL for rows stored before 0002 until
the cycle is stored again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import Engine

from nianbao.io.db.read import ACCEPTED
from nianbao.io.db.schema import Amount, Cycle, RosterEntry, Total, UnitRow, UTCDateTime

LINEAGE = sa.table(
    "lineage",
    sa.column("year", sa.Integer()),
    sa.column("format", sa.String()),
    sa.column("cell_id", sa.String()),
    sa.column("total", Amount()),
    sa.column("unit_code", sa.String()),
    sa.column("unit_name", sa.String()),
    sa.column("position", sa.Integer()),
    sa.column("submission_id", sa.Integer()),
    sa.column("file", sa.String()),
    sa.column("sha256", sa.String()),
    sa.column("received_at", UTCDateTime()),
    sa.column("status", sa.String()),
    sa.column("submission_format", sa.String()),
    sa.column("value", Amount()),
    sa.column("sheet", sa.String()),
    sa.column("cell", sa.String()),
    sa.column("label", sa.String()),
)


@dataclass(frozen=True)
class Source:
    """One unit's contribution to a total: its value, submission, file and workbook cell."""

    unit: str
    unit_name: str
    value: Decimal
    submission_id: int
    file: str
    sha256: str
    received_at: datetime
    status: str
    format: str
    sheet: str | None
    cell: str | None


@dataclass(frozen=True)
class Excluded:
    """A roster unit whose figures are not in the totals (missing or rejected)."""

    unit: str
    unit_name: str
    status: str


@dataclass(frozen=True)
class Lineage:
    """The chain of one total of a year."""

    year: int
    format: str
    cell_id: str
    total: Decimal
    sources: tuple[Source, ...]
    excluded: tuple[Excluded, ...]

    @property
    def sum(self) -> Decimal:
        """Sum of the sources' values (equals ``total`` when no unit filter was applied)."""
        return sum((s.value for s in self.sources), Decimal(0))


def stored_format(engine: Engine, year: int) -> str | None:
    """The format id a stored year uses, or None when the year was never stored."""
    with engine.connect() as conn:
        return conn.execute(sa.select(Cycle.format).where(Cycle.year == year)).scalar_one_or_none()


def explain_total(
    engine: Engine, year: int, cell_id: str, unit: str | None = None
) -> Lineage | None:
    """The lineage of one stored total (restricted to ``unit`` when given).

    None when the year or the cell's total is not stored.
    """
    with engine.connect() as conn:  # one read transaction
        head = conn.execute(
            sa.select(Cycle.id, Cycle.format, Total.value)
            .join(Total, Total.cycle_id == Cycle.id)
            .where(Cycle.year == year, Total.cell_id == cell_id)
        ).one_or_none()
        if head is None:
            return None
        query = sa.select(LINEAGE).where(LINEAGE.c.year == year, LINEAGE.c.cell_id == cell_id)
        roster = sa.select(UnitRow.code, UnitRow.name, RosterEntry.status).join(
            UnitRow, UnitRow.id == RosterEntry.unit_id
        )
        roster = roster.where(RosterEntry.cycle_id == head.id, RosterEntry.status.not_in(ACCEPTED))
        if unit is not None:
            query = query.where(LINEAGE.c.unit_code == unit)
            roster = roster.where(UnitRow.code == unit)
        rows = conn.execute(
            query.order_by(
                LINEAGE.c.position.is_(None),
                LINEAGE.c.position,
                LINEAGE.c.unit_code,
                LINEAGE.c.received_at,
                LINEAGE.c.submission_id,
            )
        ).all()
        excluded = conn.execute(roster.order_by(RosterEntry.position)).all()
    return Lineage(
        year=year,
        format=head.format,
        cell_id=cell_id,
        total=head.value,
        sources=tuple(
            Source(
                unit=r.unit_code,
                unit_name=r.unit_name,
                value=r.value,
                submission_id=r.submission_id,
                file=r.file,
                sha256=r.sha256,
                received_at=r.received_at,
                status=r.status,
                format=r.submission_format,
                sheet=r.sheet,
                cell=r.cell,
            )
            for r in rows
        ),
        excluded=tuple(Excluded(r.code, r.name, r.status) for r in excluded),
    )
