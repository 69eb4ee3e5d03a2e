"""Findings at a format's value cells, worded as a clerk reads them: the sheet, the A1
reference and the official labels of the cell; for a broken identity, every cell of the
equation, the side that is probably short and by how much."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nianbao.core.findings import Finding
from nianbao.core.layout import locate
from nianbao.core.numbers import fmt
from nianbao.core.spec import Equation, FormatSpec


def at_cell(spec: FormatSpec, code: str, cell_id: str, **fields: Any) -> Finding:
    """A finding located at a value cell, with its sheet, A1 reference and official labels."""
    cell = spec.cell[cell_id]
    sheet, ref = locate(spec, cell_id)
    return Finding(
        code,
        sheet=sheet,
        cell=ref,
        row_path=cell.row_path,
        column_path=cell.column_path,
        **fields,
    )


def refs(spec: FormatSpec, cells: tuple[str, ...]) -> tuple[str, ...]:
    """A1 references of value cells (of one sheet)."""
    return tuple(locate(spec, cid)[1] for cid in cells)


def _side_label(spec: FormatSpec, eq: Equation, side: tuple[str, ...]) -> str:
    """One side of an equation as a clerk reads it: the label that tells its cells apart
    (the row's when they share a column, the column's when they share a row), joined."""
    every = [spec.cell[c] for c in (*eq.lhs, *eq.rhs)]
    same_column = len({c.column_path for c in every}) == 1
    same_row = len({c.row_path for c in every}) == 1
    out = []
    for cid in side:
        cell = spec.cell[cid]
        path = cell.row_path if same_column else cell.column_path if same_row else ()
        out.append(path[-1] if path else cell.label)
    return " + ".join(out)


def broken(spec: FormatSpec, eq: Equation, lhs: Decimal, rhs: Decimal) -> Finding:
    """The finding of an identity whose sides differ, at its anchor: every cell of the
    equation, the short side's cells as suspects (an omission is likelier than a double
    count), that side's labels and by how much it is short."""
    short = eq.lhs if lhs < rhs else eq.rhs
    return at_cell(
        spec,
        eq.code,
        eq.anchor,
        expected=fmt(lhs),
        actual=fmt(rhs),
        cells=refs(spec, (*eq.lhs, *eq.rhs)),
        suspects=refs(spec, short),
        short_side=_side_label(spec, eq, short),
        gap=fmt(abs(lhs - rhs)),
    )
