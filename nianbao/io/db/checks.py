"""Reading the validation cache: the stored outcome and figures of checks by their key.

A submission row holds the key of what its check read (``check_key``), the check's
outcome (``outcome``: texts and findings) and, in ``cell_values``, its non-zero figures
(``nianbao.core.checked`` turns them back into a ``Submission``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, select

from nianbao.io.db.bulk import AmountsFromDriver, chunks, fetch_driver, raw
from nianbao.io.db.read import existing_database
from nianbao.io.db.schema import CellValue, Cycle, SubmissionRow, table_of


@dataclass(frozen=True)
class StoredCheck:
    """A stored check: its outcome (JSON), format and non-zero figures."""

    outcome: str
    format: str
    figures: dict[str, Decimal] = field(default_factory=dict)


def read_checks(url: str, year: int, keys: Collection[str]) -> dict[str, StoredCheck]:
    """The stored checks of ``year``'s submissions with one of ``keys``, by key; empty when
    the year, the database or its schema is absent (nothing is created)."""
    if not keys:
        return {}
    with existing_database(url) as engine:
        if engine is None:
            return {}
        with engine.connect() as conn:  # one read transaction
            return _read(conn, year, sorted(keys))


def read_inputs_sha256(url: str, year: int) -> str | None:
    """The identity of the inputs whose results ``year``'s cycle holds (None when none)."""
    with existing_database(url) as engine:
        if engine is None:
            return None
        with engine.connect() as conn:
            return conn.execute(select(Cycle.inputs_sha256).where(Cycle.year == year)).scalar()


def _read(conn: Connection, year: int, keys: list[str]) -> dict[str, StoredCheck]:
    cycle_id = conn.execute(select(Cycle.id).where(Cycle.year == year)).scalar()
    if cycle_id is None:
        return {}
    found: dict[int, tuple[str, str, str]] = {}  # submission id -> key, outcome, format
    query = select(
        SubmissionRow.id, SubmissionRow.check_key, SubmissionRow.outcome, SubmissionRow.format
    ).where(SubmissionRow.cycle_id == cycle_id, SubmissionRow.outcome.is_not(None))
    for part in chunks(keys):
        for sub_id, key, outcome, format_id in conn.execute(
            query.where(SubmissionRow.check_key.in_(part))
        ):
            found[sub_id] = (str(key), str(outcome), format_id)
    figures: dict[int, dict[str, Decimal]] = {sub_id: {} for sub_id in found}
    table = table_of(CellValue)
    values = select(table.c.submission_id, table.c.cell_id, raw(table.c.value))
    amount = AmountsFromDriver()
    for chunk in chunks(list(found)):
        for sub_id, cell_id, value in fetch_driver(
            conn, values.where(table.c.submission_id.in_(chunk))
        ):
            figures[sub_id][cell_id] = amount(value)
    return {key: StoredCheck(outcome, fmt, figures[i]) for i, (key, outcome, fmt) in found.items()}
