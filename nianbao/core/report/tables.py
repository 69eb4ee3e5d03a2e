"""The draft's statistical tables (二, 三, 四): labels with their spans and formatted totals,
positioned as the workbook layout."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from nianbao.core.layout import FIRST_BLOCK_ROW, Role, SheetLayout, sheet_layout
from nianbao.core.report.formatting import value_text
from nianbao.core.report.types import CellRole, TableCell, TableModel
from nianbao.core.spec import FormatSpec

_ROLES = {
    Role.CAPTION: CellRole.CAPTION,
    Role.CORNER: CellRole.CORNER,
    Role.COLUMN: CellRole.COLUMN,
    Role.ROW: CellRole.ROW,
}


def _value_span(lay: SheetLayout, row: int, col: int) -> int:
    """Last layout column of a value cell: that of the leaf column label above it."""
    above = [
        lb for lb in lay.labels if lb.role is Role.COLUMN and lb.col == col and lb.row_end < row
    ]
    return max(above, key=lambda lb: lb.row_end).col_end if above else col


def shown_unit(spec: FormatSpec, cell_id: str) -> str | None:
    """The unit a table cell writes after its value: none when its header already names it
    (``本年收费金额（单位：万元）``), else the cell's unit (``采购总金额`` -> ``万元``)."""
    cs = spec.cell[cell_id]
    if cs.unit is None or any(cs.unit in label for label in cs.column_path):
        return None
    return cs.unit


def build_table(spec: FormatSpec, table_key: str, totals: Mapping[str, Decimal]) -> TableModel:
    """A table's labels (with spans) and formatted totals; missing totals count as 0."""
    lay = sheet_layout(spec, table_key)
    cells: list[TableCell] = []
    for lb in lay.labels:
        if lb.role is Role.TITLE:
            continue
        cells.append(
            TableCell(
                lb.text,
                _ROLES[lb.role],
                lb.row - FIRST_BLOCK_ROW,
                lb.col - 1,
                lb.row_end - lb.row + 1,
                lb.col_end - lb.col + 1,
            )
        )
    for cid, (row, col) in lay.cells.items():
        cs = spec.cell[cid]
        value = totals.get(cid, Decimal(0))
        cells.append(
            TableCell(
                value_text(value, cs.type, shown_unit(spec, cid)),
                CellRole.VALUE,
                row - FIRST_BLOCK_ROW,
                col - 1,
                1,
                _value_span(lay, row, col) - col + 1,
                cid,
                value,
                cs.type,
            )
        )
    cells.sort(key=lambda c: (c.row, c.col))
    first_value_col = min(col for _, col in lay.cells.values())
    return TableModel(
        key=table_key,
        rows=lay.height - FIRST_BLOCK_ROW + 1,
        cols=lay.width,
        label_cols=first_value_col - 1,
        cells=tuple(cells),
        title=spec.table(table_key).title,
    )
