"""What a unit reads right after the office decides on its file, without waiting for the next
run: a return's 退回修改 workbook (the reason first), or its receipt rewritten with the
approval or the accepted warning. The next run writes the same (``nianbao.io.returns``).

The submission is read back from the database (its findings as the last run stored them;
the unit's own 说明 of a warning is not stored there) and its figures from the archived
original.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select

from nianbao.core.findings import Finding
from nianbao.core.formats import FORMATS
from nianbao.core.model import Status, Submission, Unit
from nianbao.core.parse import Extracted, extract
from nianbao.core.review import Action, Event, Ledger
from nianbao.core.review_notes import receipt_lead, return_text
from nianbao.io.archive import archived_as
from nianbao.io.db.schema import Cycle, FindingRow, SubmissionRow, UnitRow, table_of
from nianbao.io.feedback import write_rejection
from nianbao.io.folder import own_folder
from nianbao.io.receipt import feedback_name, write_receipt
from nianbao.io.returns import move_to_history
from nianbao.io.roster_file import load_roster
from nianbao.io.xlsx_read import read_workbook, sheets_for
from nianbao.settings import Settings

WRITES = (Action.APPROVE, Action.RETURN, Action.ACCEPT_WARNING)


def stored_submission(engine: Engine, year: int, unit: str, sha256: str) -> Submission | None:
    """A stored submission of ``unit`` with its findings (None when absent)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(table_of(SubmissionRow))
            .join(Cycle, Cycle.id == SubmissionRow.cycle_id)
            .join(UnitRow, UnitRow.id == SubmissionRow.unit_id)
            .where(Cycle.year == year, UnitRow.code == unit, SubmissionRow.sha256 == sha256)
        ).first()
        if row is None:
            return None
        found = conn.execute(
            select(FindingRow).where(FindingRow.submission_id == row.id).order_by(FindingRow.seq)
        ).all()
    findings = tuple(
        Finding(
            f.code,
            unit=f.unit,
            file=f.file,
            sheet=f.sheet,
            cell=f.cell,
            row_path=tuple(json.loads(f.row_path)),
            column_path=tuple(json.loads(f.column_path)),
            expected=f.expected,
            actual=f.actual,
        )
        for f in found
    )
    return Submission(
        unit=unit,
        file=row.file,
        sha256=row.sha256,
        received_at=row.received_at,
        format=row.format,
        status=Status(row.status),
        values={},
        texts={},
        findings=findings,
    )


def refresh_feedback(
    settings: Settings, engine: Engine, ledger: Ledger, event: Event
) -> Path | None:
    """Write the feedback ``event`` changes (a return, an approval, an accepted warning) for
    its unit's file into ``feedback/<code>/``; returns its path (None when none)."""
    if event.action not in WRITES:
        return None
    sub = stored_submission(engine, event.year, event.unit, event.sha256)
    if sub is None or sub.format not in FORMATS:
        return None
    spec = FORMATS[sub.format]
    roster = {u.code: u for u in load_roster(settings.root)}
    unit = roster.get(event.unit, Unit(event.unit, event.unit))
    folder = own_folder(settings.root / "feedback", event.unit)
    tz = settings.timezone
    late = settings.deadline is not None and sub.received_at > settings.deadline
    if event.action is Action.RETURN:
        target = folder / feedback_name(sub, event.year, returned=True)
        original = archived_as(settings.archive, sub.sha256, sub.file)
        extracted = Extracted()
        if original.is_file():
            raw = read_workbook(original, sub.unit, sub.file, sheets=sheets_for(spec))
            list(extract(spec, raw.grids, extracted))
        figures = extracted.values if original.is_file() else None
        text = return_text(event, tz)
        write_rejection(target, spec, unit, event.year, sub, figures, extracted.texts, tz, text)
    else:
        target = folder / feedback_name(sub, event.year)
        state = ledger.state(sub.unit, sub.sha256, sub.status)
        lead = receipt_lead(ledger, sub.unit, sub.sha256, state)
        write_receipt(target, unit, event.year, sub, late, tz, lead)
    move_to_history(folder, event.year, target.name)
    return target
