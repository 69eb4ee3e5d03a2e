"""Writing a ``CycleResult`` to the database and reading figures back.

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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Engine,
    Table,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    make_url,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from nianbao.core.chunks import chunked
from nianbao.core.findings import Finding
from nianbao.core.formats import FORMATS
from nianbao.core.layout import locate
from nianbao.core.model import CycleResult, Status, Submission
from nianbao.io.db.migrate import make_engine, writing
from nianbao.io.db.schema import (
    SCALE,
    Amount,
    Base,
    CellLocation,
    CellValue,
    Cycle,
    FindingRow,
    RosterEntry,
    Run,
    SubmissionRow,
    Total,
    UnitRow,
    canonical,
    storable,
)

_CHUNK = 500
_MEMO = 65536  # distinct figures remembered by _Amounts
_DRIVER_ROWS = 1000  # inserts of at least this many rows go to the driver directly
_ACCEPTED = tuple(s.value for s in Status if s.accepted)

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

    Figures are checked as they are written (``_Amounts``), inside the transaction.
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


class _Amounts:
    """Figures as the driver takes them, each distinct value checked (``storable``) and
    converted once: ten thousand units' figures are mostly the same few small numbers."""

    def __init__(self, dialect: Dialect) -> None:
        convert = Amount().dialect_impl(dialect).bind_processor(dialect)
        self._convert: Callable[[Any], Any] = convert or storable
        self._memo: dict[Decimal, Any] = {}

    def located(self, planned: _Planned) -> dict[str, Any]:
        """Driver values of one submission; the error names the submission and cell."""
        values, memo = planned.values, self._memo
        try:  # bool, int and float compare equal to Decimals: only Decimals are looked up
            out = {c: memo.get(v) if type(v) is Decimal else None for c, v in values.items()}
        except TypeError:  # a signalling NaN cannot be hashed
            out = dict.fromkeys(values)
        for cell_id in [c for c, driver in out.items() if driver is None]:
            value = values[cell_id]
            try:
                out[cell_id] = self._convert(value)
            except ValueError as exc:
                raise ValueError(f"{_where(planned.sub)}, cell {cell_id}: {exc}") from exc
            if type(value) is Decimal and value.is_finite() and len(memo) < _MEMO:
                memo[value] = out[cell_id]
        return out


def inputs_sha256(result: CycleResult) -> str:
    """Identity of a run's inputs: sorted (unit, file sha256, status) plus the format id."""
    inputs = sorted((s.unit, s.sha256, s.status.value) for s in result.submissions)
    payload = json.dumps({"format": result.format, "inputs": inputs}, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _finding_row(f: Finding) -> dict[str, Any]:
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
    }


# --- small helpers for diff-based writes ---------------------------------------------


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    return chunked(items, _CHUNK)


def _load(session: Session, model: type[Base], *where: Any) -> list[dict[str, Any]]:
    """All columns of the matching rows, in id order."""
    table = model.__table__
    rows = session.connection().execute(select(table).where(*where).order_by(table.c.id))
    keys = list(rows.keys())
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Core executemany INSERT (the ORM's bulk path costs several times more per row).

    Large inserts hand the driver the values each column's type produces
    (``bind_processor``), without SQLAlchemy's bookkeeping per row.
    """
    if not rows:
        return
    conn = session.connection()
    table = cast(Table, model.__table__)
    if len(rows) < _DRIVER_ROWS or any(r.keys() != rows[0].keys() for r in rows):
        conn.execute(insert(table), rows)
        return
    dialect = conn.dialect
    names = list(rows[0])
    steps = [(k, table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in names]
    params = [tuple(f(r[k]) if f else r[k] for k, f in steps) for r in rows]
    _insert_driver(session, table, names, params)


def _insert_driver(
    session: Session, table: Table, names: list[str], params: list[tuple[Any, ...]]
) -> None:
    """INSERT rows whose values the driver takes as they are (``names`` order).

    PostgreSQL (psycopg 3) gets them by COPY, several times faster than executemany.
    """
    if not params:
        return
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql" and hasattr(dbapi, "pgconn"):  # psycopg 3
        columns = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
        statement = f"COPY {table.name} ({columns}) FROM STDIN"
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in params:
                copy.write_row(row)
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=names)
    if compiled.positional:
        order = [names.index(k) for k in compiled.positiontup or ()]
        if order != list(range(len(names))):
            params = [tuple(row[i] for i in order) for row in params]
        conn.exec_driver_sql(compiled.string, params)
    else:
        conn.exec_driver_sql(compiled.string, [dict(zip(names, r, strict=True)) for r in params])


def _update(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key (each dict holds ``id`` and the changed columns)."""
    if rows:
        session.execute(update(model), rows)


def _delete(session: Session, model: type[Base], ids: Sequence[int]) -> None:
    for chunk in _chunks(ids):
        session.execute(
            delete(model).where(model.__table__.c.id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )


def _insert_missing(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """INSERT .. ON CONFLICT DO NOTHING (natural key clashes from concurrent writers)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(model).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        session.execute(sqlite.insert(model).on_conflict_do_nothing(), rows)
    else:
        session.execute(insert(model), rows)


def _sync(
    session: Session,
    model: type[Base],
    existing: dict[Any, dict[str, Any]],
    desired: dict[Any, dict[str, Any]],
    *,
    delete_missing: bool = True,
) -> None:
    """Make rows keyed by a natural key match ``desired``.

    ``existing`` maps key -> current row (with ``id``); ``desired`` maps key -> full
    column values. Unchanged rows are left alone.
    """
    inserts, updates = [], []
    for key, row in desired.items():
        old = existing.get(key)
        if old is None:
            inserts.append(row)
            continue
        changed = {col: val for col, val in row.items() if old[col] != val}
        if changed:
            updates.append({"id": old["id"], **changed})
    _update(session, model, updates)
    if delete_missing:
        _delete(session, model, [old["id"] for key, old in existing.items() if key not in desired])
    _insert(session, model, inserts)


# --- the write -----------------------------------------------------------------------


def store_cycle(
    engine: Engine, result: CycleResult, before_commit: Callable[[], object] | None = None
) -> None:
    """Store a cycle's outcome in one transaction, writing only what differs.

    ``before_commit`` is called once everything is written, inside the transaction: it
    commits by returning and rolls everything back by raising.
    """
    planned = _plan_submissions(result)
    totals = _values(result.totals, "totals")
    run_sha = inputs_sha256(result)
    with Session(writing(engine)) as session, session.begin():
        cycle_id = _sync_cycle(session, result, run_sha)
        unit_ids = _sync_units(session, result, planned)
        _sync_roster(session, result, cycle_id, unit_ids)
        sub_ids = _sync_submissions(session, cycle_id, unit_ids, planned)
        _sync_values(session, sub_ids, planned)
        _sync_findings(session, cycle_id, sub_ids, planned, result.findings)
        _sync_totals(session, cycle_id, totals)
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
        _insert_missing(session, Cycle, [{"year": result.year, "format": result.format}])
        cycle = session.execute(query.with_for_update()).one()
    if (cycle.format, cycle.inputs_sha256) != (result.format, run_sha):
        changed = {"id": cycle.id, "format": result.format, "inputs_sha256": run_sha}
        _update(session, Cycle, [changed])
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

    def load() -> dict[str, dict[str, Any]]:
        return {
            r["code"]: r
            for chunk in _chunks(codes)
            for r in _load(session, UnitRow, UnitRow.code.in_(chunk))
        }

    rows = load()
    missing = [wanted[c] for c in codes if c not in rows]
    if missing:
        _insert_missing(session, UnitRow, missing)
        rows = load()
    updates = [
        {"id": rows[c]["id"], "name": want["name"], "kind": want["kind"]}
        for c, want in roster.items()
        if (rows[c]["name"], rows[c]["kind"]) != (want["name"], want["kind"])
    ]
    _update(session, UnitRow, updates)
    return {code: int(row["id"]) for code, row in rows.items()}


def _sync_roster(
    session: Session, result: CycleResult, cycle_id: int, unit_ids: dict[str, int]
) -> None:
    existing = {
        r["unit_id"]: r for r in _load(session, RosterEntry, RosterEntry.cycle_id == cycle_id)
    }
    desired = {
        unit_ids[u.code]: {
            "cycle_id": cycle_id,
            "unit_id": unit_ids[u.code],
            "position": pos,
            "status": result.status_of(u.code).value,
        }
        for pos, u in enumerate(result.roster)
    }
    _sync(session, RosterEntry, existing, desired)


def _sync_submissions(
    session: Session, cycle_id: int, unit_ids: dict[str, int], planned: dict[Key, _Planned]
) -> dict[Key, int]:
    """Upsert submissions by (unit, sha256); ones absent from the result become superseded."""

    def load() -> dict[tuple[int, str], dict[str, Any]]:
        rows = _load(session, SubmissionRow, SubmissionRow.cycle_id == cycle_id)
        return {(r["unit_id"], r["sha256"]): r for r in rows}

    existing = load()
    desired = {
        (unit_ids[p.sub.unit], p.sub.sha256): {
            "cycle_id": cycle_id,
            "unit_id": unit_ids[p.sub.unit],
            "file": p.sub.file,
            "sha256": p.sub.sha256,
            "received_at": _utc(p.sub.received_at),
            "status": p.sub.status.value,
            "format": p.sub.format,
        }
        for p in planned.values()
    }
    for key, old in existing.items():
        if key not in desired and old["status"] != Status.SUPERSEDED.value:
            desired[key] = {**old, "status": Status.SUPERSEDED.value}
            del desired[key]["id"]
    _sync(session, SubmissionRow, existing, desired, delete_missing=False)
    ids = {key: row["id"] for key, row in load().items()}
    return {(code, sha): ids[(unit_ids[code], sha)] for code, sha in planned}


def _sync_values(session: Session, sub_ids: dict[Key, int], planned: dict[Key, _Planned]) -> None:
    """Cell values of the result's submissions (history rows are left as they are).

    Zeros are not stored (most of a unit's cells are 0; ``read_totals`` and the
    ``lineage`` view read a missing row as 0). Compared and written a chunk of submissions
    at a time, so memory stays bounded; the comparison is on the driver's values (no
    Decimal built per stored row).
    """
    conn = session.connection()
    amounts = _Amounts(conn.dialect)
    table = cast(Table, CellValue.__table__)
    names = ["submission_id", "cell_id", "value"]
    query = select(table.c.id, table.c.submission_id, table.c.cell_id, _raw(table.c.value))
    for chunk in _chunks(list(planned)):
        rows = [
            (sub_ids[key], cell_id, value)
            for key in chunk
            for cell_id, value in amounts.located(planned[key]).items()
            if value != 0
        ]
        wanted = [sub_ids[key] for key in chunk]
        existing = {
            (r[1], r[2]): (r[0], r[3])
            for r in conn.execute(query.where(table.c.submission_id.in_(wanted)))
        }
        if not existing:  # new submissions (the usual case): nothing to compare
            _insert_driver(session, table, names, rows)
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
            conn.execute(statement.values(value=_raw(bindparam("new"))), updates)
        _delete(session, CellValue, [old[0] for k, old in existing.items() if k not in seen])
        _insert_driver(session, table, names, inserts)


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
    existing = {r["seq"]: r for r in _load(session, FindingRow, FindingRow.cycle_id == cycle_id)}
    _sync(session, FindingRow, existing, desired)


def _sync_totals(session: Session, cycle_id: int, totals: dict[str, Decimal]) -> None:
    existing = {r["cell_id"]: r for r in _load(session, Total, Total.cycle_id == cycle_id)}
    desired = {
        cell_id: {"cycle_id": cycle_id, "cell_id": cell_id, "value": value}
        for cell_id, value in totals.items()
    }
    _sync(session, Total, existing, desired)


def _sync_run(session: Session, cycle_id: int, result: CycleResult, run_sha: str) -> None:
    current = [s for s in result.submissions if s.status is not Status.SUPERSEDED]
    received = [_utc(s.received_at) for s in result.submissions]
    desired = {
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
    existing = {r["inputs_sha256"]: r for r in _load(session, Run, *where)}
    _sync(session, Run, existing, desired)


def _sync_locations(session: Session, format_ids: set[str]) -> None:
    """Sheet, A1 cell and label of every cell of the formats used (for ``lineage``)."""
    for format_id in sorted(format_ids):
        spec = FORMATS.get(format_id)
        if spec is None:
            continue
        desired = {}
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
        existing = {r["cell_id"]: r for r in _load(session, CellLocation, where)}
        # another year's writer may add the same format's rows concurrently
        _insert_missing(session, CellLocation, [r for k, r in desired.items() if k not in existing])
        _sync(session, CellLocation, existing, {k: r for k, r in desired.items() if k in existing})


# --- reading -------------------------------------------------------------------------


def read_totals(
    engine: Engine, year: int, cells: Collection[str] | None = None
) -> dict[str, Any] | None:
    """A stored cycle's figures, or None when the year was never stored.

    ``{"year", "format", "totals": {cell_id: Decimal}, "units": {code: {cell_id: Decimal}}}``;
    units are those with an accepted submission (the latest received when several),
    in roster order. ``cells`` limits the units' figures to those cells (the cross-year
    checks need a few of ten thousand units' two hundred).
    """
    with engine.connect() as conn:  # one read transaction
        cycle = conn.execute(select(Cycle.id, Cycle.format).where(Cycle.year == year)).one_or_none()
        if cycle is None:
            return None
        totals = {
            r.cell_id: r.value
            for r in conn.execute(
                select(Total.cell_id, Total.value)
                .where(Total.cycle_id == cycle.id)
                .order_by(Total.id)
            )
        }
        latest: dict[str, int] = {}
        formats: dict[str, str] = {}
        for r in conn.execute(
            select(UnitRow.code, SubmissionRow.id, SubmissionRow.format)
            .join(UnitRow, UnitRow.id == SubmissionRow.unit_id)
            .outerjoin(
                RosterEntry,
                (RosterEntry.unit_id == SubmissionRow.unit_id)
                & (RosterEntry.cycle_id == SubmissionRow.cycle_id),
            )
            .where(SubmissionRow.cycle_id == cycle.id, SubmissionRow.status.in_(_ACCEPTED))
            .order_by(
                RosterEntry.position.is_(None),
                RosterEntry.position,
                UnitRow.code,
                SubmissionRow.received_at,
                SubmissionRow.id,
            )
        ):
            latest[r.code] = r.id  # later rows (newer) overwrite; insertion order kept
            formats[r.code] = r.format
        units: dict[str, dict[str, Decimal]] = {code: {} for code in latest}
        code_of = {sid: code for code, sid in latest.items()}
        table = cast(Table, CellValue.__table__)
        query = select(table.c.submission_id, table.c.cell_id, _raw(table.c.value))
        if cells is not None:
            query = query.where(table.c.cell_id.in_(sorted(cells)))
        amount = _AmountsBack()
        for chunk in _chunks(list(code_of)):
            rows = conn.execute(query.where(table.c.submission_id.in_(chunk)).order_by(table.c.id))
            for sid, cell_id, value in rows:
                units[code_of[sid]][cell_id] = amount(value)
    wanted = {f: _cells_of(f, cells) for f in set(formats.values())}
    units = {code: _with_zeros(values, wanted[formats[code]]) for code, values in units.items()}
    return {"year": year, "format": cycle.format, "totals": totals, "units": units}


def _raw(column: Any) -> Any:
    """``column`` as the driver returns it (no result processing per row)."""
    return type_coerce(column, NullType())


class _AmountsBack:
    """Stored figures as ``Amount`` reads them (canonical Decimals), each distinct driver
    value converted once: SQLite gives numbers (exact to the column's 4 places),
    PostgreSQL Decimals."""

    def __init__(self) -> None:
        self._memo: dict[Any, Decimal] = {}

    def __call__(self, value: Any) -> Any:
        if value is None:  # NULL: an unknown figure (never one of an accepted return)
            return None
        hit = self._memo.get(value)
        if hit is None:
            number = value if isinstance(value, Decimal) else Decimal(f"{value:.{SCALE}f}")
            hit = canonical(number)
            if len(self._memo) < _MEMO:
                self._memo[value] = hit
        return hit


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


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table of the schema."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def read_stored_totals(
    url: str, year: int, cells: Collection[str] | None = None
) -> dict[str, Any] | None:
    """``read_totals`` without side effects: None when the database or its schema is absent.

    Reading never creates a SQLite file or runs migrations (a dry run must write nothing).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not path or path == ":memory:" or not Path(path).is_file():
            return None
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("cycles"):
            return None
        return read_totals(engine, year, cells)
    finally:
        engine.dispose()
