"""Feedback first: a unit's receipt or 退回修改 within seconds of its file settling.

``QuickFeedback.answer`` is what ``nianbao watch`` does first for the units whose files have
just become stable, before it announces them for the (debounced) consolidation: it lists
those units' folders, reads and checks their files, decides each unit's current submission
and writes its feedback, with the very functions a cycle run uses (``read_batch``,
``consolidate`` restricted to those units, ``write_returns``) and the same inputs (the
year's format, the roster, last year's figures and accepted files, deadline, time zone). So
the run that follows reaches the same verdict and writes the same file (its name is the
sha256's: ``feedback_name``), and anything the cycle does for a unit's folder (other years'
workbooks left out, a re-dropped copy counted once, an older file superseded, unreadable
originals quarantined, earlier feedback moved into ``历史/``) happens here too.

It writes only the units' feedback (and, as every intake does, the originals' archive and
quarantine copies): never the database, the totals, the status files or the draft, which
stay the cycle's, published after its commit. Each unit's feedback is written holding
``nianbao.io.verdicts.feedback_turn`` and noted there, so a run that read an older file
does not bury the newer verdict.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao.core.carry import last_year_cells
from nianbao.core.findings import Finding
from nianbao.core.formats import format_for_year
from nianbao.core.model import Status, Submission, Unit
from nianbao.core.process import consolidate
from nianbao.core.spec import FormatSpec
from nianbao.io.db.last_year import LastYear, read_last_year
from nianbao.io.folder import folder_key, unit_files
from nianbao.io.intake import Reading, read_batch
from nianbao.io.returns import write_returns
from nianbao.io.roster_file import find_roster, load_roster
from nianbao.io.verdicts import feedback_turn, note

if TYPE_CHECKING:
    from nianbao.settings import Settings

REFRESH = 300.0  # seconds a year's last-year figures are kept before they are read again


@dataclass(frozen=True)
class Answer:
    """What a unit was told: its current submission of the year (None when it has none: only
    another year's workbook, or nothing readable as a file) and the feedback file written
    (None when none could be); ``findings``: what could not be handled."""

    unit: Unit
    sub: Submission | None
    feedback: Path | None
    findings: tuple[Finding, ...] = ()

    @property
    def status(self) -> Status:
        """The unit's status from its current submission (missing when it has none)."""
        return self.sub.status if self.sub else Status.MISSING


@dataclass
class _Year:
    spec: FormatSpec
    last: LastYear
    read_at: float


@dataclass
class QuickFeedback:
    """Answers units of one shared folder; keeps the roster (until its file changes) and each
    year's last-year figures (``REFRESH`` seconds) between files."""

    settings: Settings
    clock: Callable[[], float] = time.monotonic
    _roster: tuple[tuple[Path, int, int], tuple[Unit, ...]] | None = None
    _years: dict[int, _Year] = field(default_factory=dict)

    def roster(self) -> tuple[Unit, ...]:
        """The roster, read again only when its file changed."""
        path = find_roster(self.settings.root)
        st = path.stat()
        key = (path, st.st_size, st.st_mtime_ns)
        if self._roster is None or self._roster[0] != key:
            self._roster = (key, load_roster(self.settings.root))
        return self._roster[1]

    def _year(self, year: int) -> _Year:
        known = self._years.get(year)
        if known is None or self.clock() - known.read_at > REFRESH:
            spec = format_for_year(year)
            cells = last_year_cells(spec)
            last = read_last_year(self.settings.database_url, year, cells)
            known = self._years[year] = _Year(spec, last, self.clock())
        return known

    def prepare(self, year: int) -> None:
        """Read the roster and ``year``'s inputs now, so that the first file waits for neither."""
        self.roster()
        self._year(year)

    def units_of(self, files: Sequence[str]) -> tuple[Unit, ...]:
        """The roster units whose folders hold ``files`` (inbox-relative display names),
        in roster order; files outside any unit's folder are the cycle's to report."""
        folders = {folder_key(f.split("/", 1)[0]) for f in files if "/" in f}
        return tuple(u for u in self.roster() if folder_key(u.code) in folders)

    def answer(self, year: int, files: Sequence[str]) -> list[Answer]:
        """Check the folders of the units ``files`` belong to and write each unit's feedback
        for ``year``; files of those folders still being written (other than ``files``)
        wait for their own turn."""
        units = self.units_of(files)
        if not units:
            return []
        s, known = self.settings, self._year(year)
        found, findings = unit_files(s.inbox, units)
        now, settled = time.time(), set(files)
        found = [
            a for a in found if a.display in settled or now - a.mtime_ns / 1e9 >= s.settle_seconds
        ]
        codes = {u.code for u in units}
        last = {c: v for c, v in known.last.figures.items() if c in codes}
        reading = Reading.of(s, known.spec.id, year, {u.code: u for u in units})
        intake = read_batch(reading, found, last, s.workers)
        result = consolidate(
            known.spec,
            year,
            units,
            intake.submissions,
            [*findings, *intake.findings],
            s.deadline,
            s.timezone,
            known.last.accepted_files,
            last,  # a unit's own last year: its plausibility warnings (peers are the run's)
            s.plausibility,
        )
        with feedback_turn(s.root):
            done = write_returns(known.spec, result, s.root, s.workers, s.timezone)
            written = dict(done.written)
            for unit in units:
                current = result.current(unit.code)
                if current is not None and unit.code in written:
                    note(s.root, year, current)
        trouble = [*result.findings, *done.findings]
        return [
            Answer(
                unit,
                result.current(unit.code),
                written.get(unit.code),
                tuple(f for f in trouble if f.unit == unit.code),
            )
            for unit in units
        ]
