"""Year-on-year change of the consolidated totals (同比), cell by cell.

Cells are matched by id. A cell is comparable when both years' formats have it with the same
value type and unit and both years hold a value; cells of only one format are listed as not
comparable (with the value of the year that has them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from nianbao.core.numbers import fmt
from nianbao.core.spec import CellSpec, CellType, FormatSpec


@dataclass(frozen=True)
class Change:
    """One cell's value this year and last year."""

    cell_id: str
    label: str
    type: CellType
    unit: str | None
    this: Decimal | None
    last: Decimal | None
    comparable: bool

    @property
    def delta(self) -> Decimal | None:
        """This year minus last year (增减), or None when not comparable."""
        if not self.comparable or self.this is None or self.last is None:
            return None
        return self.this - self.last

    @property
    def percent(self) -> Decimal | None:
        """Change in percent of last year's value, to 0.1; None when last year is 0."""
        delta = self.delta
        if delta is None or self.last is None or self.last == 0:
            return None
        return (delta * 100 / abs(self.last)).quantize(Decimal("0.1"))

    def phrase(self) -> str:
        """How the report quotes the change, e.g. ``比上年增加12``, ``与上年持平``."""
        delta = self.delta
        if delta is None:
            return "无可比数据"
        if delta == 0:
            return "与上年持平"
        unit = self.unit or ""
        word = "增加" if delta > 0 else "减少"
        return f"比上年{word}{fmt(abs(delta))}{unit}"


def _same_kind(a: CellSpec, b: CellSpec) -> bool:
    return (a.type, a.unit) == (b.type, b.unit)


def compare_totals(
    spec: FormatSpec,
    this: Mapping[str, Decimal],
    last: Mapping[str, Decimal],
    last_spec: FormatSpec | None = None,
) -> list[Change]:
    """Changes of every cell of ``spec`` (this year's format), in table order, followed by
    the cells only last year's format has. ``last_spec`` defaults to ``spec``."""
    before = last_spec or spec
    out = []
    for cell in spec.cells:
        old = before.cell.get(cell.id)
        value = this.get(cell.id)
        prior = last.get(cell.id) if old is not None else None
        comparable = (
            old is not None and _same_kind(cell, old) and value is not None and prior is not None
        )
        out.append(Change(cell.id, cell.label, cell.type, cell.unit, value, prior, comparable))
    for old in before.cells:
        if old.id not in spec.cell:
            prior = last.get(old.id)
            out.append(Change(old.id, old.label, old.type, old.unit, None, prior, False))
    return out
