"""The rows of 汇总表: one row per roster unit with every cell of the format, then 合计.

With groups in the roster (上级单位), the rows follow the tree: each group's 小计 row just
before its members.

Pure: the xlsx/csv writers in ``nianbao.io.export`` only lay these rows out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nianbao.core.groups import group_totals, result_tree
from nianbao.core.model import CycleResult
from nianbao.core.spec import CellSpec, FormatSpec

LEAD_LABELS = ("单位代码", "单位名称", "状态")
LEAD_IDS = ("unit_code", "unit_name", "status")
TOTAL_LABEL = "合计"
SUBTOTAL_MARK = "小计"

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
    subtotals: tuple[tuple[int, int], ...] = ()  # (row index, depth) of each group's 小计 row
    depths: tuple[int, ...] = ()  # each row's depth in the tree (empty: a flat roster)

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
    """汇总表 of a cycle: every roster unit in roster order (in tree order, with each group's
    小计 row, when the roster has groups), then the consolidated totals."""
    cells = spec.cells
    figures = result.breakdown
    rows: list[tuple[Value, ...]] = []
    subtotal_rows: list[tuple[int, int]] = []
    depths: list[int] = []

    def unit_row(code: str, name: str) -> tuple[Value, ...]:
        values = figures.get(code)
        status = result.status_of(code).label
        cols = [values.get(c.id) if values is not None else None for c in cells]
        return (code, name, status, *cols)

    if not result.groups:
        rows += (unit_row(unit.code, unit.name) for unit in result.roster)
    else:
        tree = result_tree(result)
        sums = group_totals(spec, result)
        leaves = tree.leaves()
        for node in tree.order:
            depths.append(node.depth)
            if not node.group:
                rows.append(unit_row(node.code, node.name))
                continue
            below = leaves[node.code]
            taken = sum(code in figures for code in below)
            status = f"{SUBTOTAL_MARK}（已接收{taken}个，共{len(below)}个单位）"
            subtotal_rows.append((len(rows), node.depth))
            rows.append((node.code, node.name, status, *(sums[node.code][c.id] for c in cells)))
        depths.append(0)
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
        subtotals=tuple(subtotal_rows),
        depths=tuple(depths),
    )
