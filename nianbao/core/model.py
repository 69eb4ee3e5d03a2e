"""Plain data passed between the pipeline's stages (no I/O, no frameworks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from nianbao.core.findings import Finding


@dataclass(frozen=True)
class Unit:
    """A department or township expected to return figures."""

    code: str
    name: str
    kind: str = ""
    contact: str = ""
    phone: str = ""
    parent: str = ""  # the code of the group the unit belongs to (roster column 上级单位)


@dataclass(frozen=True)
class Group:
    """A roster entry that returns nothing: its total is the sum of its members' (units and
    groups whose ``parent`` is its code)."""

    code: str
    name: str
    parent: str = ""


class Status(StrEnum):
    """Where a unit's submission stands; ``label`` is what the office reads."""

    MISSING = "missing"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        """Chinese status label."""
        return _STATUS_LABELS[self]

    @property
    def accepted(self) -> bool:
        """Whether figures with this status count in the totals."""
        return self in (Status.ACCEPTED, Status.ACCEPTED_WITH_WARNINGS)


_STATUS_LABELS = {
    Status.MISSING: "未报送",
    Status.REJECTED: "已退回",
    Status.ACCEPTED: "已接收",
    Status.ACCEPTED_WITH_WARNINGS: "已接收（有提示）",
    Status.SUPERSEDED: "已被替代",
}


class ReviewState(StrEnum):
    """The office's decision on a unit, on top of the rules' outcome (``Status``)."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    EXCUSED = "excused"

    @property
    def label(self) -> str:
        """Chinese label."""
        return _REVIEW_LABELS[self]


_REVIEW_LABELS = {
    ReviewState.PENDING: "待审核",
    ReviewState.APPROVED: "已审核",
    ReviewState.RETURNED: "已退回（审核意见）",
    ReviewState.EXCUSED: "免报",
}


@dataclass(frozen=True)
class RawWorkbook:
    """What a reader extracted from one file: the template's sheets as grids of cell values.

    ``grids[sheet][r][c]`` holds the value at row ``r + 1``, column ``c + 1`` (None, str,
    int, float, bool or datetime). ``error`` is set when the file could not be read at all;
    ``notes`` are what the reader found (sheets it ignored; an error when it refused to
    parse the file). ``file`` is the display name (valid UTF-8, one line), ``path`` the
    name as bytes on disk, relative to the inbox.
    """

    unit_folder: str
    file: str
    sha256: str
    received_at: datetime
    grids: dict[str, list[list[Any]]] = field(default_factory=dict)
    error: str | None = None
    notes: tuple[Finding, ...] = ()
    path: bytes = b""


@dataclass(frozen=True)
class Submission:
    """One unit's validated return; ``file`` is its display name, ``path`` the name as bytes
    on disk (relative to the inbox)."""

    unit: str
    file: str
    sha256: str
    received_at: datetime
    format: str
    status: Status
    values: dict[str, Decimal]
    texts: dict[str, str]
    findings: tuple[Finding, ...]
    other_year: int | None = None  # the report year of a workbook made for another cycle
    path: bytes = b""
    check_key: str = ""  # what its check read (``nianbao.core.checked.check_key``)


@dataclass(frozen=True)
class CycleResult:
    """Outcome of one consolidation: per-unit figures, totals and everything found."""

    year: int
    format: str
    roster: tuple[Unit, ...]
    submissions: tuple[Submission, ...]
    totals: dict[str, Decimal]
    findings: tuple[Finding, ...] = ()
    deadline: datetime | None = None
    # Workbooks of another report year found in units' folders: they belong to that year's
    # cycle, are left out of this one (no status, no feedback) and named on the 催报名单.
    other_years: tuple[Submission, ...] = ()
    groups: tuple[Group, ...] = ()  # the roster's groups, in roster order (none: a flat roster)
    # Units whose figures the office holds out of the totals (awaiting review when review is
    # on, returned with a reason, excused), and files received after the year was finalized
    # (kept out of the cycle until the office reopens it).
    held_out: Mapping[str, ReviewState] = field(default_factory=dict)
    held: tuple[Submission, ...] = ()

    def late(self, sub: Submission) -> bool:
        """Whether a submission arrived after the cycle's deadline."""
        return self.deadline is not None and sub.received_at > self.deadline

    @property
    def accepted(self) -> tuple[Submission, ...]:
        """Submissions that count in the totals, in roster order."""
        out = self.held_out
        return tuple(s for s in self.submissions if s.status.accepted and s.unit not in out)

    @property
    def breakdown(self) -> dict[str, dict[str, Decimal]]:
        """Unit code -> that unit's figures, for accepted units."""
        return {s.unit: s.values for s in self.accepted}

    @cached_property
    def _by_unit(self) -> dict[str, tuple[Submission, ...]]:
        out: dict[str, list[Submission]] = {}
        for s in self.submissions:
            out.setdefault(s.unit, []).append(s)
        return {code: tuple(subs) for code, subs in out.items()}

    def submissions_of(self, code: str) -> tuple[Submission, ...]:
        """A unit's submissions, in result order (looked up in an index, not a scan)."""
        return self._by_unit.get(code, ())

    def current(self, code: str) -> Submission | None:
        """A unit's submission that counts this run (None when it sent nothing)."""
        return next(
            (s for s in self.submissions_of(code) if s.status is not Status.SUPERSEDED), None
        )

    def status_of(self, code: str) -> Status:
        """A roster unit's status (missing when it sent nothing)."""
        sub = self.current(code)
        return sub.status if sub else Status.MISSING

    @cached_property
    def _other_by_unit(self) -> dict[str, tuple[Submission, ...]]:
        out: dict[str, list[Submission]] = {}
        for s in self.other_years:
            out.setdefault(s.unit, []).append(s)
        return {code: tuple(subs) for code, subs in out.items()}

    def other_years_of(self, code: str) -> tuple[Submission, ...]:
        """A unit's workbooks of another report year (left out of this cycle)."""
        return self._other_by_unit.get(code, ())

    @property
    def not_included(self) -> tuple[tuple[Unit, Status], ...]:
        """Roster units whose figures are not in the totals, with why (missing, rejected, or
        held out by the office: see ``held_out``); excused units (免报) are not left out."""
        out = []
        for unit in self.roster:
            status = self.status_of(unit.code)
            review = self.held_out.get(unit.code)
            if review is ReviewState.EXCUSED:
                continue
            if not status.accepted or review is not None:
                out.append((unit, status))
        return tuple(out)

    @property
    def complete(self) -> bool:
        """Whether every roster unit's figures are in the totals."""
        return not self.not_included
