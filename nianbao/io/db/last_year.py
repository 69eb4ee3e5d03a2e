"""What a cycle takes from the previous year's stored cycle, read once before it starts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine, select

from nianbao.core.model import Status
from nianbao.io.db.migrate import make_engine
from nianbao.io.db.schema import Cycle, SubmissionRow
from nianbao.io.db.store import read_stored_totals

_ACCEPTED = tuple(s.value for s in Status if s.accepted)


@dataclass(frozen=True)
class LastYear:
    """The previous year's accepted figures by unit code (for the cross-year checks), its
    totals (for 同比 sentences; None when it was never stored) and the sha256 of each of its
    accepted returns (a copy of one in this year's inbox is last year's file, whatever its
    modification time says)."""

    figures: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    totals: dict[str, Decimal] | None = None
    accepted_files: frozenset[str] = frozenset()


def read_last_year(url: str, year: int, cells: Collection[str] | None = None) -> LastYear:
    """What the cycle of ``year`` takes from ``year - 1``'s (units' figures only for
    ``cells``, when given); empty when that year, the database or its schema is absent.

    Reads only: a missing database stays missing (a dry run writes nothing).
    """
    doc = read_stored_totals(url, year - 1, cells)
    if doc is None:
        return LastYear()
    engine = make_engine(url)
    try:
        files = accepted_files(engine, year - 1)
    finally:
        engine.dispose()
    return LastYear(doc["units"], doc["totals"], files)


def accepted_files(engine: Engine, year: int) -> frozenset[str]:
    """The sha256 of every submission of ``year``'s cycle stored as accepted."""
    query = (
        select(SubmissionRow.sha256)
        .join(Cycle, Cycle.id == SubmissionRow.cycle_id)
        .where(Cycle.year == year, SubmissionRow.status.in_(_ACCEPTED))
    )
    with engine.connect() as conn:
        return frozenset(conn.execute(query).scalars())
