"""What the report draft is built from: a cycle's totals, its accepted units and the roster
units the totals leave out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from nianbao.core.groups import Tree
from nianbao.core.model import CycleResult, ReviewState, Status, Submission


@dataclass(frozen=True)
class UnitReport:
    """One accepted unit's figures and texts, as the draft uses them."""

    code: str
    name: str
    values: Mapping[str, Decimal]
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitGap:
    """A roster unit whose figures are not in the totals, and why (missing or rejected)."""

    code: str
    name: str
    status: Status
    review: ReviewState | None = None  # held out by the office (待审核, 已退回（审核意见）)

    @property
    def why(self) -> str:
        """The reason as the office reads it."""
        return self.review.label if self.review else self.status.label


@dataclass(frozen=True)
class ReportPart:
    """A part the draft's per-unit sentences name: a unit, or a group with its units."""

    code: str
    name: str
    units: tuple[str, ...]


def report_parts(tree: Tree, level: int) -> tuple[ReportPart, ...]:
    """The parts named at ``level`` of the roster's tree (none: name every unit, as a roster
    without groups does)."""
    if level <= 0 or not tree.groups:
        return ()
    return tuple(ReportPart(*part) for part in tree.parts(level))


@dataclass(frozen=True)
class ReportData:
    """What the draft is built from: a cycle's totals, its accepted units in roster order,
    the roster units not included and, when stored, last year's totals (for year-on-year
    changes).

    Built from a ``CycleResult`` (``report_data``) or from the database (units' texts are not
    stored there, so a draft rebuilt from it has no unit narrative).
    """

    year: int
    totals: Mapping[str, Decimal]
    units: tuple[UnitReport, ...] = ()
    last_totals: Mapping[str, Decimal] | None = None
    not_included: tuple[UnitGap, ...] = ()
    parts: tuple[ReportPart, ...] = ()  # the groups to name instead of units (none: units)

    @property
    def complete(self) -> bool:
        """Whether every roster unit's figures are in the totals."""
        return not self.not_included


def accepted_in_roster_order(result: CycleResult) -> tuple[Submission, ...]:
    """Accepted submissions in roster order; units missing from the roster come last."""
    accepted = {s.unit: s for s in result.accepted}
    order = [u.code for u in result.roster if u.code in accepted]
    listed = set(order)  # not `in order`: a list scan per unit is quadratic in the roster
    order += [code for code in accepted if code not in listed]
    return tuple(accepted[code] for code in order)


def report_data(
    result: CycleResult, last_totals: Mapping[str, Decimal] | None = None, level: int = 0
) -> ReportData:
    """The draft's input from a cycle's outcome; per-unit sentences name the groups of
    ``level`` of the roster's tree (0: every unit)."""
    names = {u.code: u.name for u in result.roster}
    units = tuple(
        UnitReport(s.unit, names.get(s.unit, s.unit), s.values, s.texts)
        for s in accepted_in_roster_order(result)
    )
    gaps = tuple(
        UnitGap(u.code, u.name, status, result.held_out.get(u.code))
        for u, status in result.not_included
    )
    parts = report_parts(Tree(result.roster, result.groups), level)
    return ReportData(result.year, result.totals, units, last_totals, gaps, parts)
