"""The cells that differ between two finalized versions of a year (the 更正 an office
publishes), named by their official labels. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from nianbao.core.spec import FormatSpec

TOTAL = ""  # the unit key of the city totals
TOTAL_NAME = "全市合计"

Figures = Mapping[str, Mapping[str, Decimal]]  # unit code ("" for the totals) -> cell -> value


class CellChange(NamedTuple):
    """One changed cell: whose (``unit`` "" for the totals), where (table title, official
    label) and from what to what."""

    unit: str
    name: str
    cell_id: str
    table: str
    label: str
    old: Decimal
    new: Decimal


def diff_figures(
    spec: FormatSpec, old: Figures, new: Figures, names: Mapping[str, str]
) -> list[CellChange]:
    """Every cell whose value differs between ``old`` and ``new``: the totals first, then
    the units in the order of ``names``; a unit absent from one side reads as all zeros."""
    zero = Decimal(0)
    order = [TOTAL, *names]
    order += sorted((set(old) | set(new)) - set(order))
    out = []
    for unit in order:
        before, after = old.get(unit, {}), new.get(unit, {})
        if unit != TOTAL and unit not in old and unit not in new:
            continue
        for cell in spec.cells:
            a, b = before.get(cell.id, zero), after.get(cell.id, zero)
            if a != b:
                name = TOTAL_NAME if unit == TOTAL else names.get(unit, unit)
                title = spec.table(cell.table).title
                out.append(CellChange(unit, name, cell.id, title, cell.label, a, b))
    return out
