"""Blank unit workbook generated from a format spec and its layout (openpyxl).

Sheets: the filling guide, one sheet per table, the text sheet and the hidden metadata
sheet (``template_sheets``), styled as ``template_style`` says. Every input cell carries a
workbook-level defined name equal to its cell id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from copy import copy
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils.cell import absolute_coordinate, quote_sheetname
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.core.layout import (
    FIRST_BLOCK_ROW,
    GUIDE_SHEET,
    INFO_ROW,
    META_SHEET,
    TEXT_SHEET,
    Label,
    Role,
    SheetLayout,
    a1,
    col_letter,
    layouts,
    sheet_layout,
)
from nianbao.core.model import Unit
from nianbao.core.spec import CellKind, CellSpec, CellType, FormatSpec
from nianbao.io.atomic import atomic_path
from nianbao.io.template_fill import excel_value
from nianbao.io.template_sheets import PREFILL_NOTE, guide_sheet, info_text, meta_sheet, text_sheet
from nianbao.io.template_style import (
    BORDER,
    CENTER,
    FILL_DERIVED,
    FILL_HEADER,
    FILL_INPUT,
    FONT,
    FONT_BOLD,
    FONT_NOTE,
    FONT_TITLE,
    LEFT,
    LOCKED,
    NUMBER_FORMATS,
    UNLOCKED,
    column_widths,
    comment,
    print_setup,
    protect,
    row_heights,
    validation,
)


def write_template(
    spec: FormatSpec,
    unit: Unit,
    year: int,
    path: Path,
    prefill: Mapping[str, Decimal] | None = None,
    notes: Mapping[str, str] | None = None,
) -> None:
    """Write one unit's blank workbook for ``year`` to ``path`` (see ``build_template``)."""
    wb = build_template(spec, unit, year, prefill, notes)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def build_template(
    spec: FormatSpec,
    unit: Unit,
    year: int,
    prefill: Mapping[str, Decimal] | None = None,
    notes: Mapping[str, str] | None = None,
) -> Workbook:
    """One unit's blank workbook for ``year``, generated from the spec.

    ``prefill`` maps input cell ids to known values (e.g. last year's figures); those
    cells are written and locked. ``notes`` maps cell ids to a remark shown beside the
    cell's row (e.g. last year's 现行有效件数).
    """
    prefilled = _checked_prefill(spec, prefill or {})
    wb = Workbook()
    _default_font(wb)
    wb.remove(wb.active)
    guide_sheet(wb.create_sheet(GUIDE_SHEET), spec, unit, year, bool(prefilled))
    for lay in layouts(spec):
        ws = wb.create_sheet(lay.sheet)
        _table_sheet(ws, spec, lay, unit, year, prefilled, notes or {})
    text_sheet(wb.create_sheet(TEXT_SHEET), spec, unit, year)
    meta_sheet(wb.create_sheet(META_SHEET), spec, unit, year)
    _define_names(wb, spec)
    _workbook_settings(wb, spec, unit, year)
    return wb


def _default_font(wb: Workbook) -> None:
    """宋体 11 as the workbook's default (Normal) font, as in the plain-table writer.

    Column widths are counted in the default font's digit width: with 宋体 a CJK character
    is exactly two units, which the widths here assume (openpyxl's default, Calibri, makes
    columns print wider than measured wherever Calibri is substituted). openpyxl has no public
    setter for it: the first font and the Normal style's font are replaced before any cell
    is styled.
    """
    wb._fonts = IndexedList([FONT])
    wb._named_styles["Normal"].font = copy(FONT)


def _checked_prefill(spec: FormatSpec, prefill: Mapping[str, Decimal]) -> dict[str, Decimal]:
    for cid in prefill:
        if cid not in spec.cell or spec.cell[cid].kind is not CellKind.INPUT:
            raise KeyError(f"prefill names no input cell of format {spec.id}: {cid}")
    return dict(prefill)


# --- table sheets -------------------------------------------------------------------


def _table_sheet(
    ws: Worksheet,
    spec: FormatSpec,
    lay: SheetLayout,
    unit: Unit,
    year: int,
    prefilled: Mapping[str, Decimal],
    notes: Mapping[str, str],
) -> None:
    ws.cell(INFO_ROW, 1, info_text(unit, year)).font = FONT
    for row in range(FIRST_BLOCK_ROW, lay.height + 1):
        for col in range(1, lay.width + 1):
            ws.cell(row, col).border = BORDER
    for label in lay.labels:
        _write_label(ws, label)
    for cid, (row, col) in lay.cells.items():
        cell = spec.cell[cid]
        if cell.kind is CellKind.INPUT:
            _write_input(ws, cell, row, col, prefilled.get(cid))
        else:
            _write_derived(ws, spec, cid, row, col)
    for span in value_spans(lay):
        ws.merge_cells(span)
    _add_validations(ws, spec, lay, prefilled)
    remarks = _row_notes(ws, spec, lay, notes)
    widths = column_widths(lay, remarks)
    for col, width in widths.items():
        ws.column_dimensions[col_letter(col)].width = width
    row_heights(ws, lay, widths, remarks)
    protect(ws)
    print_setup(ws, landscape=True, title_rows=_header_rows(spec, lay))
    _freeze(ws, spec, lay)


def _write_label(ws: Worksheet, label: Label) -> None:
    cell = ws.cell(label.row, label.col, label.text)
    if label.role is Role.TITLE:
        cell.font = FONT_TITLE
        cell.alignment = CENTER
    else:
        cell.font = FONT_BOLD if label.role is not Role.ROW else FONT
        cell.alignment = LEFT if label.role is Role.ROW else CENTER
        cell.fill = FILL_HEADER
        cell.border = BORDER
    cell.protection = LOCKED
    if label.merged:
        ws.merge_cells(
            start_row=label.row,
            start_column=label.col,
            end_row=label.row_end,
            end_column=label.col_end,
        )


def _write_input(ws: Worksheet, cell: CellSpec, row: int, col: int, known: Decimal | None) -> None:
    target = ws.cell(row, col, excel_value(cell.type, known if known is not None else 0))
    target.number_format = NUMBER_FORMATS[cell.type]
    target.font = FONT
    target.alignment = CENTER
    target.border = BORDER
    if known is None:
        target.fill = FILL_INPUT
        target.protection = UNLOCKED
    else:
        target.fill = FILL_DERIVED
        target.protection = LOCKED
        target.comment = comment(PREFILL_NOTE)


def _write_derived(ws: Worksheet, spec: FormatSpec, cid: str, row: int, col: int) -> None:
    sheet = ws.title
    refs = [_position(spec, rhs) for rhs in spec.definitions[cid].rhs]
    target = ws.cell(row, col, sum_formula(sheet, refs))
    target.number_format = NUMBER_FORMATS[spec.cell[cid].type]
    target.font = FONT_BOLD
    target.alignment = CENTER
    target.fill = FILL_DERIVED
    target.border = BORDER
    target.protection = LOCKED


def _position(spec: FormatSpec, cid: str) -> tuple[str, int, int]:
    lay = sheet_layout(spec, spec.cell[cid].table)
    row, col = lay.cells[cid]
    return lay.sheet, row, col


def sum_formula(sheet: str, refs: Iterable[tuple[str, int, int]]) -> str:
    """``=SUM(...)`` over cells given as (sheet, row, col), runs compressed to ranges."""
    runs: list[list[tuple[str, int, int]]] = []
    for ref in refs:
        if runs and _extends(runs[-1], ref):
            runs[-1].append(ref)
        else:
            runs.append([ref])
    return "=SUM(" + ",".join(_run_ref(sheet, run) for run in runs) + ")"


def _extends(run: list[tuple[str, int, int]], ref: tuple[str, int, int]) -> bool:
    (sheet0, r0, c0), (_, r1, c1) = run[0], run[-1]
    sheet, row, col = ref
    if sheet != sheet0:
        return False
    right, down = (row, col) == (r1, c1 + 1), (row, col) == (r1 + 1, c1)
    if len(run) == 1:
        return right or down
    return (r0 == r1 and right) or (c0 == c1 and down)


def _run_ref(sheet: str, run: list[tuple[str, int, int]]) -> str:
    (ref_sheet, r0, c0), (_, r1, c1) = run[0], run[-1]
    text = a1(r0, c0) if len(run) == 1 else f"{a1(r0, c0)}:{a1(r1, c1)}"
    return text if ref_sheet == sheet else f"{quote_sheetname(ref_sheet)}!{text}"


def value_spans(lay: SheetLayout) -> list[str]:
    """Ranges merging the last value cell of a row up to the sheet's width, like its header."""
    last: dict[int, int] = {}
    for row, col in lay.cells.values():
        last[row] = max(last.get(row, 0), col)
    return [
        f"{a1(row, col)}:{a1(row, lay.width)}"
        for row, col in sorted(last.items())
        if col < lay.width
    ]


# --- validation and notes -----------------------------------------------------------


def _add_validations(
    ws: Worksheet, spec: FormatSpec, lay: SheetLayout, prefilled: Mapping[str, Decimal]
) -> None:
    """One data validation per (type, unit) on the sheet, covering all its open inputs."""
    groups: dict[tuple[CellType, str | None], DataValidation] = {}
    for cid, (row, col) in lay.cells.items():
        cell = spec.cell[cid]
        if cell.kind is not CellKind.INPUT or cid in prefilled:
            continue
        key = (cell.type, cell.unit)
        if key not in groups:
            groups[key] = validation(cell.type, cell.unit)
            ws.add_data_validation(groups[key])
        groups[key].add(a1(row, col))


def _row_notes(
    ws: Worksheet, spec: FormatSpec, lay: SheetLayout, given: Mapping[str, str]
) -> dict[int, str]:
    """A note right of each row holding money cells (naming the unit) or a given remark;
    the notes by row."""
    notes: dict[int, list[str]] = {}
    for cid, (row, _) in lay.cells.items():
        cell = spec.cell[cid]
        if cell.type is CellType.MONEY:
            header = cell.column_path[-1] if cell.column_path else cell.label
            notes.setdefault(row, []).append(f"“{header}”单位：{cell.unit or '元'}，可保留两位小数")
        if cid in given:
            notes.setdefault(row, []).append(given[cid])
    texts = {row: "注：" + "；".join(parts) for row, parts in notes.items()}
    for row, text in texts.items():
        note = ws.cell(row, lay.width + 1, text)
        note.font = FONT_NOTE
        note.alignment = Alignment(vertical="center", wrap_text=True)
    return texts


# --- sheet and workbook settings ----------------------------------------------------


def _header_rows(spec: FormatSpec, lay: SheetLayout) -> tuple[int, int] | None:
    """The column-header rows of a single-block table (repeated on every printed page)."""
    if len(spec.table(lay.table).blocks) != 1:
        return None
    first_value_row = min(row for row, _ in lay.cells.values())
    return FIRST_BLOCK_ROW, first_value_row - 1


def _freeze(ws: Worksheet, spec: FormatSpec, lay: SheetLayout) -> None:
    """Freeze below the header of a single-block table."""
    if len(spec.table(lay.table).blocks) == 1:
        row, col = min(lay.cells.values())
        ws.freeze_panes = a1(row, col)


def _define_names(wb: Workbook, spec: FormatSpec) -> None:
    """A workbook-level name per input cell id, e.g. ``'三、依申请公开'!$D$7``."""
    for cid in spec.inputs:
        sheet, row, col = _position(spec, cid)
        ref = f"{quote_sheetname(sheet)}!{absolute_coordinate(a1(row, col))}"
        wb.defined_names[cid] = DefinedName(cid, attr_text=ref)


def _workbook_settings(wb: Workbook, spec: FormatSpec, unit: Unit, year: int) -> None:
    wb.properties.title = f"{year}年政府信息公开工作年度报告统计表（{unit.name}）"
    wb.properties.subject = spec.title
    wb.properties.creator = "nianbao"
    wb.properties.keywords = f"nianbao;{spec.id};{unit.code};{year}"
    wb.security = WorkbookProtection(lockStructure=True)
    wb.calculation.fullCalcOnLoad = True
    wb.active = 0
