"""The review's rows: the append-only audit events, the units as the office decides on them,
and the finalized versions of a year.

Events and versions are only ever inserted (the database refuses anything else: migration
0004's triggers). A decision is checked and recorded in one writing transaction
(``record``), so two reviewers deciding at once are serialised and the second sees the
first's decision.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, insert, inspect, select

from nianbao.core.formats import FORMATS
from nianbao.core.model import Status
from nianbao.core.review import Action, Case, Event, Ledger
from nianbao.core.spec import Severity
from nianbao.io.db.migrate import writing
from nianbao.io.db.read import StoredTotals, existing_database
from nianbao.io.db.schema import (
    Cycle,
    FindingRow,
    ReviewEvent,
    RosterEntry,
    SubmissionRow,
    UnitRow,
    Version,
    VersionUnit,
    VersionValue,
    table_of,
)

COUNTED, EXCUSED = "counted", "excused"  # a unit's state in a version


def _event(r: Any) -> Event:
    """An audit row as an ``Event``."""
    return Event(
        year=r.year,
        action=Action(r.action),
        at=r.at,
        actor=r.actor,
        unit=r.unit,
        reason=r.reason,
        sha256=r.sha256,
        finding=r.finding,
        version=r.version,
    )


def events(conn: Connection, year: int, unit: str | None = None) -> list[Event]:
    """The year's events in recorded order (``unit``'s and the year's own, when given)."""
    t = table_of(ReviewEvent)
    query = select(t).where(t.c.year == year).order_by(t.c.id)
    if unit is not None:
        query = query.where(t.c.unit.in_((unit, "")))
    return [_event(r) for r in conn.execute(query)]


def ledger(conn: Connection, year: int) -> Ledger:
    """The year's review state: its events and the latest version's kept files."""
    if not inspect(conn).has_table("review_events"):
        return Ledger.of(year)
    pins = {}
    latest = conn.execute(
        select(Version.id).where(Version.year == year).order_by(Version.number.desc()).limit(1)
    ).scalar()
    if latest is not None:
        rows = conn.execute(
            select(VersionUnit.unit, VersionUnit.sha256, VersionUnit.state).where(
                VersionUnit.version_id == latest
            )
        )
        pins = {r.unit: r.sha256 if r.state == COUNTED else "" for r in rows}
    return Ledger.of(year, events(conn, year), pins)


def read_ledger(url: str, year: int) -> Ledger:
    """``ledger`` on the database at ``url``; empty when it (or its schema) is absent. Reads
    only."""
    with existing_database(url) as engine:
        if engine is None:
            return Ledger.of(year)
        with engine.connect() as conn:
            return ledger(conn, year)


def cases(conn: Connection, year: int) -> list[Case]:
    """The stored cycle's roster units, in roster order, with their current file, its rules'
    outcome and warning codes (empty when the year was never stored)."""
    cycle = conn.execute(select(Cycle.id).where(Cycle.year == year)).scalar()
    if cycle is None:
        return []
    roster = conn.execute(
        select(UnitRow.id, UnitRow.code, UnitRow.name)
        .join(RosterEntry, RosterEntry.unit_id == UnitRow.id)
        .where(RosterEntry.cycle_id == cycle)
        .order_by(RosterEntry.position)
    ).all()
    current: dict[int, tuple[int, str, str]] = {}
    subs = conn.execute(
        select(SubmissionRow.id, SubmissionRow.unit_id, SubmissionRow.sha256, SubmissionRow.status)
        .where(
            SubmissionRow.cycle_id == cycle,
            SubmissionRow.status != Status.SUPERSEDED.value,
        )
        .order_by(SubmissionRow.received_at, SubmissionRow.id)
    )
    for sub_id, unit_id, sha, status in subs:
        current[unit_id] = (sub_id, sha, status)
    warnings: dict[int, set[str]] = {}
    rows = conn.execute(
        select(FindingRow.submission_id, FindingRow.code).where(
            FindingRow.cycle_id == cycle, FindingRow.severity == Severity.WARNING.value
        )
    )
    for finding_sub, code in rows:
        if finding_sub is not None:
            warnings.setdefault(finding_sub, set()).add(code)
    out = []
    for unit_id, code, name in roster:
        if unit_id not in current:
            out.append(Case(code, name))
            continue
        sub_id, sha, status = current[unit_id]
        out.append(Case(code, name, sha, Status(status), frozenset(warnings.get(sub_id, ()))))
    return out


def insert_events(conn: Connection, new: Sequence[Event]) -> None:
    """Append ``new`` to the audit table."""
    if new:
        conn.execute(insert(ReviewEvent), [_row(e) for e in new])


def _row(e: Event) -> dict[str, object]:
    return {
        "year": e.year,
        "at": e.at,
        "action": e.action.value,
        "unit": e.unit,
        "actor": e.actor,
        "reason": e.reason,
        "sha256": e.sha256,
        "finding": e.finding,
        "version": e.version,
    }


def record(
    engine: Engine, year: int, make: Callable[[Ledger, list[Case], Connection], list[Event]]
) -> list[Event]:
    """In one writing transaction: the year's ledger and cases, ``make``'s events (it may
    raise to refuse, or write rows of its own on the connection), appended; returns them."""
    with writing(engine).begin() as conn:
        made = make(ledger(conn, year), cases(conn, year), conn)
        insert_events(conn, made)
    return made


def append(engine: Engine, new: Sequence[Event]) -> None:
    """Append ``new`` in a writing transaction of its own."""
    with writing(engine).begin() as conn:
        insert_events(conn, new)


# --- versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredVersion:
    """A finalized version: its figures (counted units' and totals), which file each unit
    counted (or 免报), when and by whom it was made, and its published files' sha256."""

    number: int
    made_at: datetime
    actor: str
    reason: str
    figures: StoredTotals
    units: dict[str, tuple[str, str, str]]  # code -> (name, sha256, state)
    files: dict[str, str]


def save_version(
    conn: Connection,
    figures: StoredTotals,
    number: int,
    event: Event,
    units: Sequence[tuple[str, str, str, str]],
    files: Mapping[str, str],
) -> None:
    """Insert version ``number`` of ``figures.year``: ``units`` as (code, name, sha256,
    state) in roster order, the counted units' figures and the totals (zeros left out)."""
    version_id = conn.execute(
        insert(Version).returning(Version.id),
        {
            "year": figures.year,
            "number": number,
            "format": figures.format,
            "made_at": event.at,
            "actor": event.actor,
            "reason": event.reason,
            "files": json.dumps(dict(files), ensure_ascii=False, sort_keys=True),
        },
    ).scalar_one()
    conn.execute(
        insert(VersionUnit),
        [
            {
                "version_id": version_id,
                "unit": c,
                "name": n,
                "position": i,
                "sha256": s,
                "state": st,
            }
            for i, (c, n, s, st) in enumerate(units)
        ],
    )
    counted = {c for c, _, _, st in units if st == COUNTED}
    rows = [
        {"version_id": version_id, "unit": "", "cell_id": cid, "value": v}
        for cid, v in figures.totals.items()
        if v != 0
    ]
    for code, values in figures.units.items():
        if code in counted:
            rows += [
                {"version_id": version_id, "unit": code, "cell_id": cid, "value": v}
                for cid, v in values.items()
                if v != 0
            ]
    if rows:
        conn.execute(insert(VersionValue), rows)


def version_numbers(conn: Connection, year: int) -> list[int]:
    """The year's version numbers, oldest first."""
    query = select(Version.number).where(Version.year == year).order_by(Version.number)
    return list(conn.execute(query).scalars())


def read_version(conn: Connection, year: int, number: int) -> StoredVersion | None:
    """Version ``number`` of ``year`` (None when there is none), every cell of its format
    filled (zeros are not stored)."""
    v = conn.execute(
        select(table_of(Version)).where(Version.year == year, Version.number == number)
    ).one_or_none()
    if v is None:
        return None
    units = {
        r.unit: (r.name, r.sha256, r.state)
        for r in conn.execute(
            select(table_of(VersionUnit))
            .where(VersionUnit.version_id == v.id)
            .order_by(VersionUnit.position)
        )
    }
    cells = [c.id for c in FORMATS[v.format].cells] if v.format in FORMATS else []
    zero = Decimal(0)
    found: dict[str, dict[str, Decimal]] = {}
    values = table_of(VersionValue)
    for r in conn.execute(select(values).where(values.c.version_id == v.id)):
        found.setdefault(r.unit, {})[r.cell_id] = r.value
    totals = {cid: found.get("", {}).get(cid, zero) for cid in cells}
    figures = {
        code: {cid: found.get(code, {}).get(cid, zero) for cid in cells}
        for code, (_, _, state) in units.items()
        if state == COUNTED
    }
    return StoredVersion(
        number=v.number,
        made_at=v.made_at,
        actor=v.actor,
        reason=v.reason,
        figures=StoredTotals(year, v.format, totals, figures),
        units=units,
        files=json.loads(v.files),
    )
