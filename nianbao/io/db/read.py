"""Reading stored cycles back: typed values, each read in one transaction.

A unit's figures are those of its accepted submission (the latest received when there are
several); zeros are not stored, so every cell of the submission's format that has no row
reads as 0. Reads through a URL (``read_stored_totals``, ``read_accepted_shas``) never
create a SQLite file or a schema: a dry run writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Engine, Select, func, inspect, make_url, select

from nianbao.core.formats import FORMATS
from nianbao.core.model import Status
from nianbao.io.db.bulk import AmountsFromDriver, chunks, raw
from nianbao.io.db.migrate import make_engine
from nianbao.io.db.schema import (
    Base,
    CellValue,
    Cycle,
    RosterEntry,
    SubmissionRow,
    Total,
    UnitRow,
    table_of,
)

ACCEPTED = tuple(s.value for s in Status if s.accepted)  # statuses whose figures count


@dataclass(frozen=True)
class StoredTotals:
    """A stored cycle's figures: its totals and each accepted unit's figures, the units in
    roster order (units outside the roster last, by code)."""

    year: int
    format: str
    totals: dict[str, Decimal]
    units: dict[str, dict[str, Decimal]]


@dataclass(frozen=True)
class RosterUnit:
    """A unit of a stored cycle's roster with its status in that cycle."""

    code: str
    name: str
    status: Status


@dataclass(frozen=True)
class StoredCycle:
    """What a stored cycle's report is made of: the figures, the name of every unit with
    figures, and the roster in its order."""

    figures: StoredTotals
    names: dict[str, str]
    roster: tuple[RosterUnit, ...]


def read_totals(
    engine: Engine, year: int, cells: Collection[str] | None = None
) -> StoredTotals | None:
    """A stored cycle's figures, or None when the year was never stored.

    ``cells`` limits the units' figures to those cells (the cross-year checks need a few of
    ten thousand units' two hundred); the totals are always whole.
    """
    with engine.connect() as conn:  # one read transaction
        cycle = _cycle(conn, year)
        if cycle is None:
            return None
        return _figures(conn, cycle, _accepted(conn, cycle.id), cells)


def read_cycle(engine: Engine, year: int) -> StoredCycle | None:
    """A stored cycle's figures, unit names and roster, or None when it was never stored."""
    with engine.connect() as conn:  # one read transaction
        cycle = _cycle(conn, year)
        if cycle is None:
            return None
        accepted = _accepted(conn, cycle.id)
        figures = _figures(conn, cycle, accepted, None)
        roster = conn.execute(
            select(UnitRow.code, UnitRow.name, RosterEntry.status)
            .join(RosterEntry, RosterEntry.unit_id == UnitRow.id)
            .where(RosterEntry.cycle_id == cycle.id)
            .order_by(RosterEntry.position)
        ).all()
    return StoredCycle(
        figures=figures,
        names={code: unit.name for code, unit in accepted.items()},
        roster=tuple(RosterUnit(r.code, r.name, Status(r.status)) for r in roster),
    )


def read_stored_totals(
    url: str, year: int, cells: Collection[str] | None = None
) -> StoredTotals | None:
    """``read_totals`` on the database at ``url``; None also when the database or its
    schema is absent."""
    with existing_database(url) as engine:
        return None if engine is None else read_totals(engine, year, cells)


def read_accepted_shas(url: str, year: int) -> dict[str, set[str]]:
    """The sha256 of every accepted submission of ``year`` per unit code (a unit's returns
    of that year, told apart from another year's by content); empty when the year, the
    database or its schema is absent."""
    with existing_database(url) as engine:
        if engine is None:
            return {}
        with engine.connect() as conn:
            rows = conn.execute(_accepted_shas(year).order_by(UnitRow.code, SubmissionRow.sha256))
            shas: dict[str, set[str]] = {}
            for code, sha in rows:
                shas.setdefault(code, set()).add(sha)
    return shas


def accepted_sources(engine: Engine, year: int) -> dict[str, str]:
    """The sha256 of the source workbook of each unit's figures in ``year`` (its latest
    accepted submission, as ``read_totals`` reads), by unit code."""
    with engine.connect() as conn:
        rows = conn.execute(
            _accepted_shas(year).order_by(SubmissionRow.received_at, SubmissionRow.id)
        )
        return {code: sha for code, sha in rows}  # later (newer) rows overwrite


def _accepted_shas(year: int) -> Select[str, str]:
    """Unit code and sha256 of every accepted submission of ``year`` (unordered)."""
    return (
        select(UnitRow.code, SubmissionRow.sha256)
        .join(UnitRow, UnitRow.id == SubmissionRow.unit_id)
        .join(Cycle, Cycle.id == SubmissionRow.cycle_id)
        .where(Cycle.year == year, SubmissionRow.status.in_(ACCEPTED))
    )


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table of the schema."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


# --- parts of a read ----------------------------------------------------------------


@contextmanager
def existing_database(url: str) -> Iterator[Engine | None]:
    """An engine on the database at ``url``, or None when the database (a SQLite file is
    not created) or its schema is absent."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not path or path == ":memory:" or not Path(path).is_file():
            yield None
            return
    engine = make_engine(url)
    try:
        yield engine if inspect(engine).has_table("cycles") else None
    finally:
        engine.dispose()


@dataclass(frozen=True)
class _Cycle:
    id: int
    year: int
    format: str


def _cycle(conn: Connection, year: int) -> _Cycle | None:
    """The stored cycle of ``year``."""
    row = conn.execute(select(Cycle.id, Cycle.format).where(Cycle.year == year)).one_or_none()
    return None if row is None else _Cycle(row.id, year, row.format)


@dataclass(frozen=True)
class _Accepted:
    """A unit's accepted submission whose figures count."""

    submission_id: int
    format: str
    name: str


def _accepted(conn: Connection, cycle_id: int) -> dict[str, _Accepted]:
    """Each unit's latest accepted submission, the units in roster order."""
    rows = conn.execute(
        select(UnitRow.code, UnitRow.name, SubmissionRow.id, SubmissionRow.format)
        .join(UnitRow, UnitRow.id == SubmissionRow.unit_id)
        .outerjoin(
            RosterEntry,
            (RosterEntry.unit_id == SubmissionRow.unit_id)
            & (RosterEntry.cycle_id == SubmissionRow.cycle_id),
        )
        .where(SubmissionRow.cycle_id == cycle_id, SubmissionRow.status.in_(ACCEPTED))
        .order_by(
            RosterEntry.position.is_(None),
            RosterEntry.position,
            UnitRow.code,
            SubmissionRow.received_at,
            SubmissionRow.id,
        )
    )
    # later rows (newer) overwrite; the first row's place is kept
    return {r.code: _Accepted(r.id, r.format, r.name) for r in rows}


def _figures(
    conn: Connection, cycle: _Cycle, accepted: dict[str, _Accepted], cells: Collection[str] | None
) -> StoredTotals:
    """The cycle's totals and the figures of the ``accepted`` submissions (``cells`` only)."""
    totals = {
        r.cell_id: r.value
        for r in conn.execute(
            select(Total.cell_id, Total.value).where(Total.cycle_id == cycle.id).order_by(Total.id)
        )
    }
    units: dict[str, dict[str, Decimal]] = {code: {} for code in accepted}
    code_of = {a.submission_id: code for code, a in accepted.items()}
    table = table_of(CellValue)
    query = select(table.c.submission_id, table.c.cell_id, raw(table.c.value))
    if cells is not None:
        query = query.where(table.c.cell_id.in_(sorted(cells)))
    amount = AmountsFromDriver()
    for chunk in chunks(list(code_of)):
        rows = conn.execute(query.where(table.c.submission_id.in_(chunk)).order_by(table.c.id))
        for sub_id, cell_id, value in rows:
            units[code_of[sub_id]][cell_id] = amount(value)
    wanted = {f: _cells_of(f, cells) for f in {a.format for a in accepted.values()}}
    units = {code: _with_zeros(v, wanted[accepted[code].format]) for code, v in units.items()}
    return StoredTotals(cycle.year, cycle.format, totals, units)


def _cells_of(format_id: str, cells: Collection[str] | None) -> list[str]:
    """A format's cells (those of ``cells``, when given); none for an unknown format."""
    spec = FORMATS.get(format_id)
    if spec is None:
        return []
    return [c.id for c in spec.cells if cells is None or c.id in cells]


def _with_zeros(stored: dict[str, Decimal], wanted: list[str]) -> dict[str, Decimal]:
    """A submission's figures: the stored ones and 0 for the other ``wanted`` cells."""
    zero = Decimal(0)
    return {**{cid: stored.get(cid, zero) for cid in wanted}, **stored}
