"""Cross-year continuity for one unit: pre-filled figures, remarks and findings (A6, C1, C3)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from nianbao.core.findings import Finding
from nianbao.core.numbers import fmt
from nianbao.core.spec import CarryEquation, FormatSpec
from nianbao.core.validate import at_cell


def _applicable(eq: CarryEquation, last: Mapping[str, Decimal]) -> bool:
    return all(t.cell in last for t in eq.rhs if t.last_year)


def _rhs(eq: CarryEquation, this: Mapping[str, Decimal], last: Mapping[str, Decimal]) -> Decimal:
    return sum((t.sign * (last if t.last_year else this)[t.cell] for t in eq.rhs), Decimal(0))


def last_year_cells(spec: FormatSpec) -> frozenset[str]:
    """The cells of last year's returns that this year's rules read: the cross-year rules'
    and the key figures the plausibility checks compare."""
    carried = {t.cell for eq in spec.carry_equations for t in eq.rhs if t.last_year}
    return frozenset(carried | set(spec.key_figures))


def carry_forward(spec: FormatSpec, last: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Cells of this year's template that follow from last year's figures alone."""
    return {
        eq.lhs: _rhs(eq, {}, last)
        for eq in spec.carry_equations
        if eq.from_last_year_only and _applicable(eq, last)
    }


def carry_notes(spec: FormatSpec, last: Mapping[str, Decimal]) -> dict[str, str]:
    """Remarks beside cells whose rule mixes this year's and last year's figures."""
    notes = {}
    for eq in spec.carry_equations:
        if eq.from_last_year_only or not _applicable(eq, last):
            continue
        shown = "，".join(
            f"上年{spec.cell[t.cell].label}：{fmt(last[t.cell])}" for t in eq.rhs if t.last_year
        )
        notes[eq.lhs] = f"参考：{shown}"
    return notes


def check_continuity(
    spec: FormatSpec, this: Mapping[str, Decimal], last: Mapping[str, Decimal]
) -> Iterator[Finding]:
    """A finding for every cross-year rule this year's figures break."""
    for eq in spec.carry_equations:
        if not _applicable(eq, last) or eq.lhs not in this:
            continue
        if any(t.cell not in this for t in eq.rhs if not t.last_year):
            continue
        expected = _rhs(eq, this, last)
        if this[eq.lhs] != expected:
            yield at_cell(spec, eq.code, eq.lhs, expected=fmt(expected), actual=fmt(this[eq.lhs]))
