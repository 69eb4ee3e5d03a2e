"""Turn a workbook's grids into raw cell values, texts and metadata, checking its structure."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nianbao.core.compiled import compiled
from nianbao.core.findings import Finding
from nianbao.core.layout import (
    META_SHEET,
    TEXT_SHEET,
    Label,
    Role,
    SheetLayout,
    a1,
    layouts,
    meta_cells,
    text_cells,
)
from nianbao.core.spec import FormatSpec

Grid = list[list[Any]]


def normalise_label(text: Any) -> str:
    """Label text for comparison: NFKC (full-width → half-width), no spaces or line breaks."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def at(grid: Grid, row: int, col: int) -> Any:
    """Value at a 1-based position, None outside the grid."""
    if 0 < row <= len(grid) and 0 < col <= len(grid[row - 1]):
        return grid[row - 1][col - 1]
    return None


def read_meta(grids: dict[str, Grid]) -> dict[str, str]:
    """Template metadata from the hidden sheet; empty when the sheet is missing."""
    grid = grids.get(META_SHEET)
    if grid is None:
        return {}
    out = {}
    for key, (row, col) in meta_cells().items():
        if normalise_label(at(grid, row, 1)) == key:
            value = at(grid, row, col)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out[key] = "" if value is None else str(value).strip()
    return out


@dataclass
class Extracted:
    """Raw values by cell id and texts by key; sheets whose layout was broken are skipped."""

    values: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


Check = tuple[int, int, str, str, Label]  # row and column index, text, normalised, label


def _sheet_checks(spec: FormatSpec) -> tuple[tuple[SheetLayout, tuple[Check, ...]], ...]:
    """Each table sheet's layout and its labels to check: (row index, column index, text,
    normalised text, label)."""
    return tuple(
        (
            lay,
            tuple(
                (lb.row - 1, lb.col - 1, lb.text, normalise_label(lb.text), lb)
                for lb in lay.labels
                if lb.role is not Role.TITLE
            ),
        )
        for lay in layouts(spec)
    )


def _broken(grid: Grid, checks: tuple[Check, ...]) -> Label | None:
    """The first label whose place in the grid holds other text (after normalising)."""
    for row, col, text, normalised, label in checks:
        try:
            found = grid[row][col]
        except IndexError:
            found = None
        if found != text and normalise_label(found) != normalised:
            return label
    return None


def extract(spec: FormatSpec, grids: dict[str, Grid], out: Extracted) -> Iterator[Finding]:
    """Fill ``out`` from the grids; yield structural findings (missing sheet, moved labels)."""
    for lay, checks in compiled(spec, _sheet_checks):
        grid = grids.get(lay.sheet)
        if grid is None:
            yield Finding("sheet-missing", sheet=lay.sheet)
            continue
        broken = _broken(grid, checks)
        if broken is not None:
            yield Finding(
                "label-changed",
                sheet=lay.sheet,
                cell=a1(broken.row, broken.col),
                expected=broken.text,
                actual=str(at(grid, broken.row, broken.col) or ""),
            )
            continue
        for cid, (row, col) in lay.cells.items():
            try:  # as at(), for the ~200 cells of every return
                out.values[cid] = grid[row - 1][col - 1]
            except IndexError:
                out.values[cid] = None
    grid = grids.get(TEXT_SHEET)
    if grid is None:
        yield Finding("sheet-missing", sheet=TEXT_SHEET)
        return
    for key, (row, col) in text_cells(spec).items():
        value = at(grid, row, col)
        out.texts[key] = "" if value is None else str(value).strip()
