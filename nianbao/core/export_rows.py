"""The rows of 汇总表: one row per roster unit with every cell of the format, then 合计.

Pure: the xlsx/csv writers in ``nianbao.io.export`` only lay these rows out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nianbao.core.model import CycleResult
from nianbao.core.spec import CellSpec, FormatSpec

LEAD_LABELS = ("单位代码", "单位名称", "状态")
LEAD_IDS = ("unit_code", "unit_name", "status")
TOTAL_LABEL = "合计"

Value = str | Decimal | None


@dataclass(frozen=True)
class SummaryTable:
    """Two header rows (official labels, cell ids), unit rows and the 合计 row last.

    Every row starts with the ``LEAD_LABELS`` columns, then one column per cell of
    ``cells``; a unit without accepted figures has None in its cell columns.
    """

    year: int
    format: str
    cells: tuple[CellSpec, ...]
    labels: tuple[str, ...]
    ids: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    @property
    def lead(self) -> int:
        """Number of leading (non-cell) columns."""
        return len(LEAD_LABELS)


def header_label(cell: CellSpec) -> str:
    """A cell's column header: its official labels joined, with the unit (e.g. 万元) unless
    the official label already states it."""
    if cell.unit and cell.unit not in cell.label:
        return f"{cell.label}（{cell.unit}）"
    return cell.label


def summary_table(spec: FormatSpec, result: CycleResult) -> SummaryTable:
    """汇总表 of a cycle: every roster unit in roster order, then the consolidated totals."""
    cells = spec.cells
    figures = result.breakdown
    rows: list[tuple[Value, ...]] = []
    for unit in result.roster:
        values = figures.get(unit.code)
        status = result.status_of(unit.code).label
        cols = [values.get(c.id) if values is not None else None for c in cells]
        rows.append((unit.code, unit.name, status, *cols))
    accepted = sum(unit.code in figures for unit in result.roster)
    summary = f"已接收{accepted}个，共{len(result.roster)}个单位"
    rows.append(("", TOTAL_LABEL, summary, *(result.totals.get(c.id) for c in cells)))
    return SummaryTable(
        year=result.year,
        format=result.format,
        cells=cells,
        labels=(*LEAD_LABELS, *(header_label(c) for c in cells)),
        ids=(*LEAD_IDS, *(c.id for c in cells)),
        rows=tuple(rows),
    )
