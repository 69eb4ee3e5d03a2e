"""Writing a ``CycleResult`` to the database.

``store_cycle`` computes the rows the result implies, compares them with what the
database holds and writes only the differences, in one transaction. Storing the same
result again therefore changes nothing (not even row ids), and storing a newer result
for the year brings the cycle's statuses, values, findings and totals in line with it.
Submissions seen in earlier runs but absent from the result are kept as history with
status ``superseded``; their figures stay, their findings go with the run they came from.
Each store also records where every cell of the formats used sits in the workbook
(``cell_locations``, joined by the ``lineage`` view).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from nianbao.core.checked import outcome_json
from nianbao.core.findings import Finding
from nianbao.core.formats import FORMATS
from nianbao.core.layout import locate
from nianbao.core.model import CycleResult, Status, Submission
from nianbao.io.db.bulk import AmountsToDriver, chunks, insert_driver, raw
from nianbao.io.db.groups import sync_groups
from nianbao.io.db.migrate import writing
from nianbao.io.db.schema import (
    CellLocation,
    CellValue,
    Cycle,
    FindingRow,
    RosterEntry,
    Run,
    SubmissionRow,
    Total,
    UnitRow,
    storable,
    table_of,
)
from nianbao.io.db.sync import (
    Row,
    delete_ids,
    insert_missing,
    load,
    sync,
    update_rows,
)
from nianbao.io.faults import RunFault

Key = tuple[str, str]  # (unit code, file sha256)


# --- desired state, computed without touching the database -------------------------


@dataclass
class _Planned:
    """A submission row to hold, with its figures and findings."""

    sub: Submission
    values: dict[str, Decimal]
    findings: list[Finding] = field(default_factory=list)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"received_at must be timezone-aware: {value.isoformat()}")
    return value.astimezone(UTC)


def _values(values: dict[str, Decimal], where: str) -> dict[str, Decimal]:
    out = {}
    for cell_id, value in values.items():
        try:
            out[cell_id] = storable(value)
        except ValueError as exc:
            raise ValueError(f"{where}, cell {cell_id}: {exc}") from exc
    return out


def _where(sub: Submission) -> str:
    return f"submission {sub.unit}/{sub.file}"


def _plan_submissions(result: CycleResult) -> dict[Key, _Planned]:
    """Submissions keyed by (unit, sha256); an identical file given twice is held once,
    as its current (non-superseded) copy, with the findings of every copy.

    Figures are checked as they are written (``AmountsToDriver``), inside the transaction.
    """
    planned: dict[Key, _Planned] = {}
    for sub in result.submissions:
        _utc(sub.received_at)
        key = (sub.unit, sub.sha256)
        if key not in planned:
            planned[key] = _Planned(sub, sub.values, list(sub.findings))
            continue
        held = planned[key]
        held.findings.extend(sub.findings)
        if held.sub.status is Status.SUPERSEDED and sub.status is not Status.SUPERSEDED:
            held.sub, held.values = sub, sub.values
    return planned


def inputs_sha256(result: CycleResult) -> str:
    """Identity of a run's inputs: sorted (unit, file sha256, status) plus the format id."""
    inputs = sorted((s.unit, s.sha256, s.status.value) for s in result.submissions)
    payload = json.dumps({"format": result.format, "inputs": inputs}, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _finding_row(f: Finding) -> Row:
    return {
        "unit": f.unit,
        "file": f.file,
        "code": f.code,
        "severity": f.severity.value,
        "sheet": f.sheet,
        "cell": f.cell,
        "row_path": json.dumps(list(f.row_path), ensure_ascii=False),
        "column_path": json.dumps(list(f.column_path), ensure_ascii=False),
        "expected": f.expected,
        "actual": f.actual,
        "message": f.message,
        "significance": f.significance,
    }


# --- the write -----------------------------------------------------------------------


class StoredChanged(RunFault):
    """A check this run took from the database is no longer stored there as it was."""


@dataclass(frozen=True)
class Slimmed:
    """What a cycle sent without its restored checks' figures still needs: which
    submissions (unit, sha256) were sent without figures and texts (the database holds them
    under the same check key), and the groups' totals made from the full figures."""

    omitted: frozenset[Key] = frozenset()
    group_sums: dict[str, dict[str, Decimal]] | None = None


def store_cycle(
    engine: Engine,
    result: CycleResult,
    before_commit: Callable[[], object] | None = None,
    slimmed: Slimmed | None = None,
) -> None:
    """Store a cycle's outcome in one transaction, writing only what differs.

    ``before_commit`` is called once everything is written, inside the transaction: it
    commits by returning and rolls everything back by raising. With ``slimmed``, the
    submissions it names carry no figures: each must still be stored under its check key
    (else ``StoredChanged``, and nothing is written).
    """
    slimmed = slimmed or Slimmed()
    planned = _plan_submissions(result)
    totals = _values(result.totals, "totals")
    run_sha = inputs_sha256(result)
    with Session(writing(engine)) as session, session.begin():
        cycle_id = _sync_cycle(session, result, run_sha)
        unit_ids = _sync_units(session, result, planned)
        _sync_roster(session, result, cycle_id, unit_ids)
        sub_ids, kept = _sync_submissions(session, cycle_id, unit_ids, planned)
        if not slimmed.omitted <= kept:
            raise StoredChanged(
                "数据库中已校验过的文件在本次运行读取后被改动（可能有另一次运行同时进行），"
                "本次未写入数据库；请重新运行"
            )
        _sync_values(session, sub_ids, {k: p for k, p in planned.items() if k not in kept})
        _sync_findings(session, cycle_id, sub_ids, planned, result.findings)
        _sync_totals(session, cycle_id, totals)
        sync_groups(session, cycle_id, result, slimmed.group_sums)
        _sync_run(session, cycle_id, result, run_sha)
        _sync_locations(session, {result.format, *(s.format for s in result.submissions)})
        if before_commit is not None:
            before_commit()


def _sync_cycle(session: Session, result: CycleResult, run_sha: str) -> int:
    # FOR UPDATE serialises concurrent writers of one year (PostgreSQL; SQLite locks anyway).
    query = select(Cycle.id, Cycle.format, Cycle.inputs_sha256).where(Cycle.year == result.year)
    cycle = session.execute(query.with_for_update()).one_or_none()
    if cycle is None:
        # Inserted only when missing: a PostgreSQL sequence advances even on conflict.
        insert_missing(session, Cycle, [{"year": result.year, "format": result.format}])
        cycle = session.execute(query.with_for_update()).one()
    if (cycle.format, cycle.inputs_sha256) != (result.format, run_sha):
        changed = {"id": cycle.id, "format": result.format, "inputs_sha256": run_sha}
        update_rows(session, Cycle, [changed])
    return int(cycle.id)


def _sync_units(
    session: Session, result: CycleResult, planned: dict[Key, _Planned]
) -> dict[str, int]:
    """Upsert roster units by code; codes only seen in submissions get a placeholder."""
    roster = {u.code: {"code": u.code, "name": u.name, "kind": u.kind} for u in result.roster}
    extra = {
        code: {"code": code, "name": code, "kind": ""} for code, _ in planned if code not in roster
    }
    wanted = {**extra, **roster}
    codes = [*roster, *extra]

    def current() -> dict[str, Row]:
        return {
            r["code"]: r
            for chunk in chunks(codes)
            for r in load(session, UnitRow, UnitRow.code.in_(chunk))
        }

    rows = current()
    missing = [wanted[c] for c in codes if c not in rows]
    if missing:
        insert_missing(session, UnitRow, missing)
        rows = current()
    updates = [
        {"id": rows[c]["id"], "name": want["name"], "kind": want["kind"]}
        for c, want in roster.items()
        if (rows[c]["name"], rows[c]["kind"]) != (want["name"], want["kind"])
    ]
    update_rows(session, UnitRow, updates)
    return {code: int(row["id"]) for code, row in rows.items()}


def _sync_roster(
    session: Session, result: CycleResult, cycle_id: int, unit_ids: dict[str, int]
) -> None:
    existing = {
        r["unit_id"]: r for r in load(session, RosterEntry, RosterEntry.cycle_id == cycle_id)
    }
    desired = {
        unit_ids[u.code]: {
            "cycle_id": cycle_id,
            "unit_id": unit_ids[u.code],
            "position": pos,
            "status": result.status_of(u.code).value,
            "parent": u.parent,
        }
        for pos, u in enumerate(result.roster)
    }
    sync(session, RosterEntry, existing, desired)


def _sync_submissions(
    session: Session, cycle_id: int, unit_ids: dict[str, int], planned: dict[Key, _Planned]
) -> tuple[dict[Key, int], set[Key]]:
    """Upsert submissions by (unit, sha256); ones absent from the result become superseded.
    Returns their ids, and the submissions whose stored check has the same key (their
    figures are those stored: a figure is written with its check's key).

    A stored check's outcome is neither read nor made again when its key is unchanged (the
    key covers everything the outcome is made from): at 10,000 units, reading and making
    them again was ~4 of the ~7 s the store of a one-file rerun took."""

    def current(*without: str) -> dict[tuple[int, str], Row]:
        rows = load(session, SubmissionRow, SubmissionRow.cycle_id == cycle_id, without=without)
        return {(r["unit_id"], r["sha256"]): r for r in rows}

    existing = current("outcome")
    kept = {
        (code, sha)
        for code, sha in planned
        if (old := existing.get((unit_ids[code], sha))) is not None
        and old["check_key"] is not None
        and old["check_key"] == planned[(code, sha)].sub.check_key
    }
    desired: dict[tuple[int, str], Row] = {}
    for planned_key, p in planned.items():
        row: Row = {
            "cycle_id": cycle_id,
            "unit_id": unit_ids[p.sub.unit],
            "file": p.sub.file,
            "sha256": p.sub.sha256,
            "received_at": _utc(p.sub.received_at),
            "status": p.sub.status.value,
            "format": p.sub.format,
            "check_key": p.sub.check_key or None,
        }
        if planned_key not in kept:
            row["outcome"] = outcome_json(p.sub) if p.sub.check_key else None
        desired[(unit_ids[p.sub.unit], p.sub.sha256)] = row
    for key, old in existing.items():
        if key not in desired and old["status"] != Status.SUPERSEDED.value:
            desired[key] = {**old, "status": Status.SUPERSEDED.value}
            del desired[key]["id"]
    sync(session, SubmissionRow, existing, desired, delete_missing=False)
    ids = {key: row["id"] for key, row in current("outcome", "file", "received_at").items()}
    return {(code, sha): ids[(unit_ids[code], sha)] for code, sha in planned}, kept


def _sync_values(session: Session, sub_ids: dict[Key, int], planned: dict[Key, _Planned]) -> None:
    """Cell values of the result's submissions (history rows are left as they are).

    Zeros are not stored (most of a unit's cells are 0; the reads and the ``lineage`` view
    read a missing row as 0). Compared and written a chunk of submissions at a time, so
    memory stays bounded; the comparison is on the driver's values (no Decimal built per
    stored row).
    """
    conn = session.connection()
    amounts = AmountsToDriver(conn.dialect)
    table = table_of(CellValue)
    names = ["submission_id", "cell_id", "value"]
    query = select(table.c.id, table.c.submission_id, table.c.cell_id, raw(table.c.value))
    for chunk in chunks(list(planned)):
        rows: list[tuple[int, str, Any]] = []
        for key in chunk:
            sub_id, p = sub_ids[key], planned[key]
            figures = amounts.convert(p.values, _where(p.sub))
            rows += [(sub_id, cell_id, value) for cell_id, value in figures.items() if value != 0]
        wanted = [sub_ids[key] for key in chunk]
        existing = {
            (r[1], r[2]): (r[0], r[3])
            for r in conn.execute(query.where(table.c.submission_id.in_(wanted)))
        }
        if not existing:  # new submissions (the usual case): nothing to compare
            insert_driver(conn, table, names, rows)
            continue
        inserts, updates, seen = [], [], set()
        for row in rows:
            old = existing.get(row[:2])
            seen.add(row[:2])
            if old is None:
                inserts.append(row)
            elif old[1] != row[2]:
                updates.append({"row_id": old[0], "new": row[2]})
        if updates:
            statement = update(table).where(table.c.id == bindparam("row_id"))
            conn.execute(statement.values(value=raw(bindparam("new"))), updates)
        delete_ids(session, CellValue, [old[0] for k, old in existing.items() if k not in seen])
        insert_driver(conn, table, names, inserts)


def _sync_findings(
    session: Session,
    cycle_id: int,
    sub_ids: dict[Key, int],
    planned: dict[Key, _Planned],
    cycle_findings: tuple[Finding, ...],
) -> None:
    """Findings by position: each submission's in result order, then the cycle's own."""
    ordered: list[tuple[int | None, Finding]] = [
        (sub_ids[key], f) for key, p in planned.items() for f in p.findings
    ]
    ordered += [(None, f) for f in cycle_findings]
    desired = {
        seq: {"cycle_id": cycle_id, "submission_id": sub_id, "seq": seq, **_finding_row(f)}
        for seq, (sub_id, f) in enumerate(ordered)
    }
    existing = {r["seq"]: r for r in load(session, FindingRow, FindingRow.cycle_id == cycle_id)}
    sync(session, FindingRow, existing, desired)


def _sync_totals(session: Session, cycle_id: int, totals: dict[str, Decimal]) -> None:
    existing = {r["cell_id"]: r for r in load(session, Total, Total.cycle_id == cycle_id)}
    desired = {
        cell_id: {"cycle_id": cycle_id, "cell_id": cell_id, "value": value}
        for cell_id, value in totals.items()
    }
    sync(session, Total, existing, desired)


def _sync_run(session: Session, cycle_id: int, result: CycleResult, run_sha: str) -> None:
    current = [s for s in result.submissions if s.status is not Status.SUPERSEDED]
    received = [_utc(s.received_at) for s in result.submissions]
    desired: dict[str, Row] = {
        run_sha: {
            "cycle_id": cycle_id,
            "inputs_sha256": run_sha,
            "format": result.format,
            "first_seen_at": min(received) if received else None,
            "n_units": len(result.roster),
            "n_accepted": sum(s.status.accepted for s in current),
            "n_rejected": sum(s.status is Status.REJECTED for s in current),
        }
    }
    where = (Run.cycle_id == cycle_id, Run.inputs_sha256 == run_sha)
    existing = {r["inputs_sha256"]: r for r in load(session, Run, *where)}
    sync(session, Run, existing, desired)


def _sync_locations(session: Session, format_ids: set[str]) -> None:
    """Sheet, A1 cell and label of every cell of the formats used (for ``lineage``)."""
    for format_id in sorted(format_ids):
        spec = FORMATS.get(format_id)
        if spec is None:
            continue
        desired: dict[str, Row] = {}
        for c in spec.cells:
            sheet, ref = locate(spec, c.id)
            desired[c.id] = {
                "format": format_id,
                "cell_id": c.id,
                "sheet": sheet,
                "cell": ref,
                "label": c.label,
            }
        where = CellLocation.format == format_id
        existing = {r["cell_id"]: r for r in load(session, CellLocation, where)}
        # another year's writer may add the same format's rows concurrently
        insert_missing(session, CellLocation, [r for k, r in desired.items() if k not in existing])
        sync(session, CellLocation, existing, {k: r for k, r in desired.items() if k in existing})
