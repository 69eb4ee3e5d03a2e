"""Where each roster unit stands after a run, computed once from the cycle's result.

status.json, status.xlsx (the board and the 催报名单), the run's Prefect artifacts and the
CLI only format a ``CycleStatus`` (``nianbao.core.outputs``, ``nianbao.core.board``). The
CLI reads it back from the status.json a run published (``CycleStatus.from_json``), so what
it prints is what the run wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from nianbao.core.findings import Finding
from nianbao.core.groups import Tree
from nianbao.core.model import CycleResult, Group, ReviewState, Status, Unit
from nianbao.core.review import Ledger
from nianbao.core.spec import Severity


@dataclass(frozen=True)
class StatusFinding:
    """A finding as status.json carries it: ``doc`` is ``Finding.to_json()`` (a run finding
    also names its ``unit`` and ``file``), its message already rendered."""

    doc: Mapping[str, Any]

    @classmethod
    def of(cls, finding: Finding) -> StatusFinding:
        """A unit's finding on its current file."""
        return cls(finding.to_json())

    @classmethod
    def of_run(cls, finding: Finding) -> StatusFinding:
        """A finding of the run (a file that was not read, the totals), with its unit and
        file."""
        return cls({**finding.to_json(), "unit": finding.unit, "file": finding.file})

    @property
    def code(self) -> str:
        """The catalogue code."""
        return str(self.doc["code"])

    @property
    def is_error(self) -> bool:
        """Whether the finding is an error (else a warning)."""
        return bool(self.doc["severity"] == Severity.ERROR.value)

    @property
    def message(self) -> str:
        """The Chinese message."""
        return str(self.doc["message"])

    @property
    def explanation(self) -> str:
        """The unit's own 说明 of a warning it has justified ("" when none)."""
        return str(self.doc.get("explanation") or "")

    @property
    def significance(self) -> float:
        """How suspicious a plausibility warning is (0 for other findings)."""
        return float(self.doc.get("significance") or 0)

    @property
    def unit(self) -> str:
        """The unit code of a run finding ("" for a unit's own or no unit's)."""
        return str(self.doc.get("unit") or "")


HELD_LABEL = "定稿后收到"


class FileRef(NamedTuple):
    """A file of a unit's folder by its display name and fingerprint."""

    file: str
    sha256: str


class OtherYearFile(NamedTuple):
    """A workbook of another report year in a unit's folder (left out of this cycle)."""

    year: int | None
    file: str
    sha256: str


class UnitStatus(NamedTuple):
    """One roster unit after a run: its status, the file that counts (display name,
    SHA-256, aware received time, whether late), whom to call, the findings on that file,
    the files it superseded and the workbooks of other years in its folder.

    A named tuple rather than a frozen dataclass: one is built per unit for every output,
    and a frozen dataclass of these twelve fields costs three times as much to build
    (~30 ms against ~10 ms for 10,000 units)."""

    code: str
    name: str
    status: Status
    file: str | None = None
    sha256: str | None = None
    received_at: datetime | None = None
    late: bool = False
    contact: str = ""
    phone: str = ""
    findings: tuple[StatusFinding, ...] = ()
    superseded: tuple[FileRef, ...] = ()
    other_years: tuple[OtherYearFile, ...] = ()
    parent: str = ""  # the code of its group in the roster's tree
    review: ReviewState | None = None
    review_reason: str = ""
    accepted_warnings: tuple[str, ...] = ()
    held: tuple[FileRef, ...] = ()
    held_out: bool = False  # figures held out of the totals by the office's decision

    @property
    def label(self) -> str:
        """The status as the office reads it (已接收, 未报送, …)."""
        return self.status.label

    @property
    def review_label(self) -> str:
        """The office's review as it reads it: 待审核, 已退回（审核意见）：理由, …, and the
        files received after the year was finalized (定稿后收到N个文件)."""
        parts = []
        if self.review is not None:
            why = f"：{self.review_reason}" if self.review_reason else ""
            parts.append(f"{self.review.label}{why}")
        if self.held:
            parts.append(f"{HELD_LABEL}{len(self.held)}个文件")
        return "；".join(parts)

    @property
    def errors(self) -> int:
        """Errors on the current file."""
        return sum(f.is_error for f in self.findings) if self.findings else 0

    @property
    def warnings(self) -> int:
        """Warnings on the current file."""
        return len(self.findings) - self.errors

    @property
    def explained(self) -> int:
        """Findings the unit has explained in its 说明."""
        return sum(1 for f in self.findings if f.explanation)

    @property
    def file_shown(self) -> str:
        """The current file, or what a unit without one has in its folder (other years)."""
        return self.file or other_years_note(o.year for o in self.other_years)

    @property
    def needs_attention(self) -> bool:
        """Not plainly accepted: sent back, missing, or accepted with findings."""
        return bool(self.findings) or self.status is not Status.ACCEPTED

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> UnitStatus:
        """A unit's entry of a published status.json."""
        return cls(
            code=doc["code"],
            name=doc["name"],
            status=Status(doc["status"]),
            file=doc["file"],
            sha256=doc["sha256"],
            received_at=_moment(doc["received_at"]),
            late=bool(doc["late"]),
            contact=doc["contact"],
            phone=doc["phone"],
            findings=tuple(StatusFinding(f) for f in doc["findings"]),
            superseded=tuple(FileRef(s["file"], s["sha256"]) for s in doc["superseded"]),
            other_years=tuple(
                OtherYearFile(o["year"], o["file"], o["sha256"]) for o in doc["other_years"]
            ),
            parent=doc.get("parent", ""),
            review=ReviewState(doc["review"]) if doc.get("review") else None,
            review_reason=doc.get("review_reason", ""),
            accepted_warnings=tuple(doc.get("accepted_warnings", ())),
            held=tuple(FileRef(h["file"], h["sha256"]) for h in doc.get("held", ())),
            held_out=bool(doc.get("held_out")),
        )


@dataclass(frozen=True)
class CycleStatus:
    """Every roster unit's status in roster order, and the run's own findings in the order
    they were found: on files that were not read (a unit's, or of no roster unit) and on
    the totals."""

    year: int
    format: str
    deadline: datetime | None
    units: tuple[UnitStatus, ...]
    findings: tuple[StatusFinding, ...] = ()
    groups: tuple[Group, ...] = ()  # the roster's groups (none: a flat roster)
    version: int = 0  # the latest finalized version (0: none)
    locked: bool = False  # finalized and not reopened as a whole

    @property
    def tree(self) -> Tree:
        """The roster's tree of these units and groups."""
        return Tree(tuple(Unit(u.code, u.name, parent=u.parent) for u in self.units), self.groups)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> CycleStatus:
        """The status a run published as status.json."""
        return cls(
            year=doc["year"],
            format=doc["format"],
            deadline=_moment(doc["deadline"]),
            units=tuple(UnitStatus.from_json(u) for u in doc["units"]),
            findings=tuple(StatusFinding(f) for f in doc["findings"]),
            groups=tuple(Group(g["code"], g["name"], g["parent"]) for g in doc.get("groups", ())),
            version=int(doc.get("version") or 0),
            locked=bool(doc.get("locked")),
        )


def unit_status(result: CycleResult, unit: Unit, ledger: Ledger | None = None) -> UnitStatus:
    """A roster unit's status in ``result`` (with the office's review in ``ledger``)."""
    base = _rule_status(result, unit)
    held = tuple(FileRef(s.file, s.sha256) for s in result.held if s.unit == unit.code)
    if ledger is None:
        return base._replace(held=held) if held else base
    sha = base.sha256 or ""
    decision = ledger.decision(unit.code, sha)
    return base._replace(
        review=ledger.state(unit.code, sha, base.status),
        review_reason=decision.reason if decision else "",
        accepted_warnings=tuple(sorted(ledger.accepted_warnings(unit.code, sha))),
        held=held,
        held_out=unit.code in result.held_out,
    )


def _rule_status(result: CycleResult, unit: Unit) -> UnitStatus:
    """A roster unit's status by the rules alone."""
    subs = result.submissions_of(unit.code)
    others = tuple(
        OtherYearFile(s.other_year, s.file, s.sha256) for s in result.other_years_of(unit.code)
    )
    current = next((s for s in subs if s.status is not Status.SUPERSEDED), None)  # as .current
    if current is None:
        superseded = tuple(FileRef(s.file, s.sha256) for s in subs)
        return UnitStatus(
            unit.code,
            unit.name,
            Status.MISSING,
            contact=unit.contact,
            phone=unit.phone,
            superseded=superseded,
            other_years=others,
            parent=unit.parent,
        )
    return UnitStatus(
        unit.code,
        unit.name,
        current.status,
        file=current.file,
        sha256=current.sha256,
        received_at=current.received_at,
        late=result.late(current),
        contact=unit.contact or current.texts.get("contact_person", ""),
        phone=unit.phone or current.texts.get("contact_phone", ""),
        findings=tuple(StatusFinding.of(f) for f in current.findings),
        superseded=tuple(FileRef(s.file, s.sha256) for s in subs if s is not current),
        other_years=others,
        parent=unit.parent,
    )


def cycle_status(result: CycleResult, ledger: Ledger | None = None) -> CycleStatus:
    """Every roster unit's status (with the office's review in ``ledger``), computed once
    for all the outputs."""
    return CycleStatus(
        year=result.year,
        format=result.format,
        deadline=result.deadline,
        units=tuple(unit_status(result, unit, ledger) for unit in result.roster),
        findings=tuple(StatusFinding.of_run(f) for f in result.findings),
        groups=result.groups,
        version=ledger.version if ledger else 0,
        locked=ledger.locked if ledger else False,
    )


def _moment(text: str | None) -> datetime | None:
    """An ISO 8601 time of status.json (with its offset), None for null."""
    return datetime.fromisoformat(text) if text else None


def other_years_note(years: Iterable[int | None]) -> str:
    """``文件夹中只有2020年度的报表``: what a unit without this year's report has sent."""
    shown = sorted({y for y in years if y is not None})
    return f"文件夹中只有{'、'.join(map(str, shown))}年度的报表" if shown else ""
