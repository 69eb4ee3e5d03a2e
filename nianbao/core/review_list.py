"""The review list: units awaiting review, the most suspicious first.

A unit's suspicion is its most significant plausibility warning (``Finding.significance``,
``nianbao.core.plausibility``), then how many it has; units without any follow in roster
order. Built from a ``CycleStatus`` (a run's result, or status.json read back), so the board,
the run's artifact and ``nianbao review --list`` show the same order. Pure functions, no numpy
(the CLI imports this).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from nianbao.core.findings import PLAUSIBILITY_CODES
from nianbao.core.model import ReviewState
from nianbao.core.unit_status import CycleStatus, StatusFinding, UnitStatus

REVIEW_COLUMNS = ("序号", "单位", "状态", "可疑程度", "可疑提示", "最可疑的情况")
REVIEW_TITLE = "待审核单位（按可疑程度排序）"


def awaits_review(unit: UnitStatus) -> bool:
    """Whether the office still has to look at a unit: its return passed the rules and the
    office has not decided on it (待审核)."""
    return unit.status.accepted and unit.review in (None, ReviewState.PENDING)


def flags(unit: UnitStatus) -> tuple[StatusFinding, ...]:
    """A unit's plausibility warnings, the most significant first."""
    found = [f for f in unit.findings if f.code in PLAUSIBILITY_CODES]
    return tuple(sorted(found, key=lambda f: -f.significance))


def suspicion(unit: UnitStatus) -> float:
    """The significance of a unit's most significant plausibility warning (0 when none)."""
    return max((f.significance for f in unit.findings if f.code in PLAUSIBILITY_CODES), default=0)


class ReviewEntry(NamedTuple):
    """A unit on the review list and its plausibility warnings, most significant first."""

    unit: UnitStatus
    flags: tuple[StatusFinding, ...]

    @property
    def suspicion(self) -> float:
        """Its most significant warning's significance (0 when none)."""
        return self.flags[0].significance if self.flags else 0.0


def review_list(
    status: CycleStatus, awaiting: Callable[[UnitStatus], bool] = awaits_review
) -> list[ReviewEntry]:
    """The units ``awaiting`` review, by their most significant plausibility warning, then
    by how many they have, then in roster order."""
    entries = [ReviewEntry(u, flags(u)) for u in status.units if awaiting(u)]
    return sorted(entries, key=lambda e: (-e.suspicion, -len(e.flags)))  # stable: roster order


def review_rows(entries: Sequence[ReviewEntry]) -> list[list[str | int]]:
    """The list as rows under ``REVIEW_COLUMNS``: the significance to two decimals ("" when
    the unit has no warning), the first warning's message."""
    return [
        [
            n,
            e.unit.name,
            e.unit.label,
            f"{e.suspicion:.2f}" if e.flags else "",
            len(e.flags),
            e.flags[0].message if e.flags else "",
        ]
        for n, e in enumerate(entries, start=1)
    ]


def review_text(status: CycleStatus, entries: Sequence[ReviewEntry]) -> str:
    """The list as ``nianbao review --list`` prints it: a heading, one line per unit and,
    indented, each of its warnings."""
    flagged = sum(1 for e in entries if e.flags)
    lines = [
        f"{status.year}年度{REVIEW_TITLE}：共{len(entries)}个单位，其中{flagged}个有可疑提示",
    ]
    for n, e in enumerate(entries, start=1):
        if not e.flags:
            lines.append(f"{n}. {e.unit.name}（{e.unit.label}）：无可疑提示")
            continue
        lines.append(
            f"{n}. {e.unit.name}（{e.unit.label}）：可疑程度{e.suspicion:.2f}，"
            f"{len(e.flags)}条可疑提示"
        )
        for f in e.flags:
            shown = f"{f.message}（单位已说明：{f.explanation}）" if f.explanation else f.message
            lines.append(f"   - {shown}")
    return "\n".join(lines) + "\n"
