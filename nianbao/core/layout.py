"""Where every label and value cell of a format sits in the unit workbook.

Pure geometry computed from the spec, shared by the template writer (openpyxl) and the
reader (python-calamine). Rows and columns are 1-based, as in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nianbao.core.compiled import compiled
from nianbao.core.spec import Block, FormatSpec, Node, Table, leaf_paths, tree_depth

TITLE_ROW = 1
INFO_ROW = 2
FIRST_BLOCK_ROW = 4

META_SHEET = "_nianbao"
TEXT_SHEET = "五六、文字材料及联系人"
GUIDE_SHEET = "填报说明"
RESULT_SHEET = "校验结果"  # first sheet of a returned (退回修改) workbook, which is resubmittable
META_KEYS = ("unit_code", "unit_name", "year", "format", "template_version")


class Role(StrEnum):
    """What a label cell is."""

    TITLE = "title"
    CAPTION = "caption"
    CORNER = "corner"
    COLUMN = "column"
    ROW = "row"


@dataclass(frozen=True)
class Label:
    """A label cell, merged over ``row..row_end`` × ``col..col_end``."""

    text: str
    role: Role
    row: int
    col: int
    row_end: int
    col_end: int

    @property
    def merged(self) -> bool:
        """Whether the label spans more than one cell."""
        return (self.row, self.col) != (self.row_end, self.col_end)


@dataclass(frozen=True)
class SheetLayout:
    """One table's sheet: its labels and the position of each value cell."""

    table: str
    sheet: str
    width: int
    height: int
    labels: tuple[Label, ...]
    cells: dict[str, tuple[int, int]]


def col_letter(col: int) -> str:
    """Excel column letters for a 1-based column number."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """A1-style reference, e.g. ``a1(12, 6) == "F12"``."""
    return f"{col_letter(col)}{row}"


def _label_cols(block: Block) -> int:
    return tree_depth(block.rows)


def _block_width(block: Block) -> int:
    return _label_cols(block) + len(leaf_paths(block.columns))


def _column_labels(
    nodes: tuple[Node, ...], depth: int, top: int, first_col: int, last_col: int
) -> list[Label]:
    """Column header labels; the rightmost leaf stretches to ``last_col``."""
    out: list[Label] = []
    col = first_col

    def walk(node: Node, row: int) -> tuple[int, int]:
        nonlocal col
        row_end = top + depth - 1 - node.height
        if node.children:
            start = col
            for child in node.children:
                walk(child, row_end + 1)
            end = col - 1
        else:
            start = end = col
            col += 1
        out.append(Label(node.label, Role.COLUMN, row, start, row_end, end))
        return start, end

    for node in nodes:
        walk(node, top)
    # stretch every label that ends on the last leaf column to the sheet's width
    last_leaf = col - 1
    return [
        Label(lb.text, lb.role, lb.row, lb.col, lb.row_end, last_col)
        if lb.col_end == last_leaf
        else lb
        for lb in out
    ]


def _row_labels(nodes: tuple[Node, ...], depth: int, top: int) -> list[Label]:
    out: list[Label] = []
    row = top

    def walk(node: Node, col: int) -> None:
        nonlocal row
        col_end = depth - node.height
        start = row
        if node.children:
            for child in node.children:
                walk(child, col_end + 1)
        else:
            row += 1
        out.append(Label(node.label, Role.ROW, start, col, row - 1, col_end))

    for node in nodes:
        walk(node, 1)
    return out


def _block_layout(
    block: Block, table: Table, b: int, spec: FormatSpec, top: int, width: int
) -> tuple[list[Label], dict[str, tuple[int, int]], int]:
    labels: list[Label] = []
    row = top
    if block.caption:
        labels.append(Label(block.caption, Role.CAPTION, row, 1, row, width))
        row += 1
    lcols = _label_cols(block)
    hdepth = tree_depth(block.columns)
    if lcols and block.corner:
        labels.append(Label(block.corner, Role.CORNER, row, 1, row + hdepth - 1, lcols))
    labels += _column_labels(block.columns, hdepth, row, lcols + 1, width)
    row += hdepth
    labels += _row_labels(block.rows, lcols, row)
    cells = {
        c.id: (row + c.row, lcols + 1 + c.column)
        for c in spec.cells
        if c.table == table.key and c.block == b
    }
    row += len(block.row_paths)
    return labels, cells, row


def _sheet_layout(spec: FormatSpec, table: Table) -> SheetLayout:
    width = max(_block_width(b) for b in table.blocks)
    labels = [Label(table.title, Role.TITLE, TITLE_ROW, 1, TITLE_ROW, width)]
    cells: dict[str, tuple[int, int]] = {}
    row = FIRST_BLOCK_ROW
    for b, block in enumerate(table.blocks):
        blabels, bcells, row = _block_layout(block, table, b, spec, row, width)
        labels += blabels
        cells.update(bcells)
    return SheetLayout(table.key, table.sheet, width, row - 1, tuple(labels), cells)


def _layouts(spec: FormatSpec) -> tuple[SheetLayout, ...]:
    return tuple(_sheet_layout(spec, t) for t in spec.tables)


def _locations(spec: FormatSpec) -> dict[str, tuple[str, str]]:
    return {cid: (lay.sheet, a1(*pos)) for lay in layouts(spec) for cid, pos in lay.cells.items()}


def layouts(spec: FormatSpec) -> tuple[SheetLayout, ...]:
    """Layouts of all table sheets, in table order."""
    return compiled(spec, _layouts)


def sheet_layout(spec: FormatSpec, table_key: str) -> SheetLayout:
    """Layout of one table's sheet."""
    return next(lay for lay in layouts(spec) if lay.table == table_key)


def locate(spec: FormatSpec, cell_id: str) -> tuple[str, str]:
    """(sheet name, A1 reference) of a value cell."""
    return compiled(spec, _locations)[cell_id]


def text_cells(spec: FormatSpec) -> dict[str, tuple[int, int]]:
    """Position of each text field's value on the text sheet (labels in column A)."""
    return {t.key: (3 + i, 2) for i, t in enumerate(spec.texts)}


def meta_cells() -> dict[str, tuple[int, int]]:
    """Position of each metadata value on the hidden metadata sheet (keys in column A)."""
    return {k: (1 + i, 2) for i, k in enumerate(META_KEYS)}
