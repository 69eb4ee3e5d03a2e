"""Blank unit workbook generated from a format spec and its layout (openpyxl).

Sheets: the filling guide, one sheet per table, the text sheet and the hidden metadata
sheet. Every input cell carries a workbook-level defined name equal to its cell id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from copy import copy
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
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
    META_KEYS,
    META_SHEET,
    TEXT_SHEET,
    TITLE_ROW,
    Label,
    Role,
    SheetLayout,
    a1,
    col_letter,
    layouts,
    meta_cells,
    sheet_layout,
    text_cells,
)
from nianbao.core.model import Unit
from nianbao.core.spec import CellKind, CellSpec, CellType, FormatSpec
from nianbao.io.atomic import atomic_path
from nianbao.io.template_fill import excel_value
from nianbao.io.xlsx_lite import FONT_NAME, display_width, text_lines

PREFILL_NOTE = "上年数据自动带入，不可修改"
SIGNED_BOUND = 10**9

_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FONT = Font(name=FONT_NAME, size=11)
FONT_BOLD = Font(name=FONT_NAME, size=11, bold=True)
FONT_TITLE = Font(name=FONT_NAME, size=16, bold=True)
FONT_NOTE = Font(name=FONT_NAME, size=10, italic=True, color="595959")
FILL_HEADER = PatternFill("solid", fgColor="F2F2F2")
FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")
FILL_DERIVED = PatternFill("solid", fgColor="D9D9D9")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

LINE_HEIGHT = 15.0  # points per wrapped line of 11 pt text
ROW_PADDING = 4.0
LABEL_WIDTH_MAX = 40
VALUE_WIDTH_MIN = 10
VALUE_WIDTH_MAX = 18
NOTE_WIDTH_MAX = 36
TEXT_WIDTH = 64  # the text sheet's answer column: with its labels (28) within portrait A4
GUIDE_WIDTH = 86  # the guide's one column: within portrait A4 at 100 % (LibreOffice never
# scales a sheet whose single column is wider than the page; it clips it)

NUMBER_FORMATS = {CellType.COUNT: "0", CellType.SIGNED: "0", CellType.MONEY: "0.00"}


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
    _guide_sheet(wb.create_sheet(GUIDE_SHEET), spec, unit, year, bool(prefilled))
    for lay in layouts(spec):
        ws = wb.create_sheet(lay.sheet)
        _table_sheet(ws, spec, lay, unit, year, prefilled, notes or {})
    _text_sheet(wb.create_sheet(TEXT_SHEET), spec, unit, year)
    _meta_sheet(wb.create_sheet(META_SHEET), spec, unit, year)
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
    ws.cell(INFO_ROW, 1, _info_text(unit, year)).font = FONT
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
    widths = _column_widths(lay, remarks)
    for col, width in widths.items():
        ws.column_dimensions[col_letter(col)].width = width
    _row_heights(ws, lay, widths, remarks)
    _protect(ws)
    print_setup(ws, landscape=True, title_rows=_header_rows(spec, lay))
    _freeze(ws, spec, lay)


def _info_text(unit: Unit, year: int) -> str:
    return f"填报单位：{unit.name}　　报告年度：{year}年"


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
        target.comment = _comment(PREFILL_NOTE)


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


# --- data validation ----------------------------------------------------------------


def _validation(cell_type: CellType, unit: str | None) -> DataValidation:
    if cell_type is CellType.SIGNED:
        dv = DataValidation(
            type="whole",
            operator="between",
            formula1=str(-SIGNED_BOUND),
            formula2=str(SIGNED_BOUND),
        )
        dv.prompt = "请填写整数；减少时填负数，如 -5"
        dv.error = "只能填写整数（可以为负数）。"
    elif cell_type is CellType.MONEY:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        dv.prompt = f"请填写大于等于0的金额，单位：{unit or '元'}，最多保留两位小数"
        dv.error = f"只能填写大于等于0的数字（单位：{unit or '元'}）。"
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        dv.prompt = "请填写大于等于0的整数；没有发生的填0"
        dv.error = "只能填写大于等于0的整数。"
    dv.promptTitle = "填写要求"
    dv.errorTitle = "输入有误"
    dv.allow_blank = True
    dv.showInputMessage = True
    dv.showErrorMessage = True
    return dv


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
            groups[key] = _validation(cell.type, cell.unit)
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


# --- geometry of columns and rows ---------------------------------------------------


def _column_widths(lay: SheetLayout, notes: Mapping[int, str]) -> dict[int, float]:
    """Row labels on one line where they fit (up to ``LABEL_WIDTH_MAX``, however many rows
    they span: a label column 8 wide broke 三、本年度办理结果 into three lines); column
    headers may wrap into the rows they span; then the notes' column, if any."""
    first_value_col = min(col for _, col in lay.cells.values())
    widths: dict[int, float] = {
        col: (8.0 if col < first_value_col else float(VALUE_WIDTH_MIN))
        for col in range(1, lay.width + 1)
    }
    for label in lay.labels:
        if label.role is Role.TITLE or label.col != label.col_end:
            continue
        if label.role is Role.ROW:
            need, cap = display_width(label.text) + 3, LABEL_WIDTH_MAX  # 1 for the indent
        else:
            span = label.row_end - label.row + 1
            need, cap = math.ceil(display_width(label.text) / span) + 2, VALUE_WIDTH_MAX
        widths[label.col] = max(widths[label.col], float(min(need, cap)))
    if notes:
        need = max(display_width(t) for t in notes.values()) + 2
        widths[lay.width + 1] = float(min(need, NOTE_WIDTH_MAX))
    return widths


def _span_width(widths: Mapping[int, float], label: Label) -> float:
    return sum(widths.get(col, VALUE_WIDTH_MIN) for col in range(label.col, label.col_end + 1))


def _row_heights(
    ws: Worksheet, lay: SheetLayout, widths: Mapping[int, float], notes: Mapping[int, str]
) -> None:
    heights: dict[int, float] = {row: LINE_HEIGHT + ROW_PADDING for row in range(1, lay.height + 1)}
    heights[TITLE_ROW] = 30.0
    for row, text in notes.items():
        need = text_lines(text, widths[lay.width + 1]) * LINE_HEIGHT + ROW_PADDING
        heights[row] = max(heights[row], need)
    multi: list[Label] = []
    for label in lay.labels:
        if label.role is Role.TITLE:
            continue
        if label.row != label.row_end:
            multi.append(label)
            continue
        need = text_lines(label.text, _span_width(widths, label)) * LINE_HEIGHT + ROW_PADDING
        heights[label.row] = max(heights[label.row], need)
    for label in multi:
        rows = range(label.row, label.row_end + 1)
        need = text_lines(label.text, _span_width(widths, label)) * LINE_HEIGHT + ROW_PADDING
        have = sum(heights[r] for r in rows)
        if have < need:
            extra = (need - have) / len(rows)
            for r in rows:
                heights[r] += extra
    for row, height in heights.items():
        ws.row_dimensions[row].height = round(height, 1)


# --- sheet settings -----------------------------------------------------------------


def _protect(ws: Worksheet) -> None:
    """Protect without a password; resizing rows and columns stays allowed."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def print_setup(ws: Worksheet, landscape: bool, title_rows: tuple[int, int] | None = None) -> None:
    """A4, one page wide (as many tall as needed), ``title_rows`` repeated on every page,
    page numbers in the footer, comments printed at the end of the sheet."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_setup.cellComments = "atEnd"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "&A　第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"


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


def _comment(text: str) -> Comment:
    comment = Comment(text, "nianbao")
    comment.width = 200
    comment.height = 40
    return comment


# --- guide, text and metadata sheets ------------------------------------------------


def guide_lines(spec: FormatSpec, unit: Unit, year: int, prefilled: bool) -> list[str]:
    """The filling instructions, in Chinese."""
    cells = spec.cells
    signed = _unique(c.column_path[-1] for c in cells if c.type is CellType.SIGNED)
    money = [c for c in cells if c.type is CellType.MONEY]
    lines = [
        f"填报单位：{unit.name}（编码 {unit.code}）；统计期间：{year}年1月1日至{year}年12月31日。",
        "只在白色或浅黄色的单元格中填写；灰色单元格为标题、合计或已带入的数据，不能修改。",
        f"数字{'除金额外' if money else ''}一律填写整数，没有发生的事项填 0，"
        "不要留空，不要填写文字或单位。",
    ]
    if signed:
        names = "、".join(f"“{s}”" for s in signed)
        lines.append(f"{names}可以填写负数：增加填正数，减少填负数（如 -5）。")
    for header, unit_name in _unique_pairs((c.column_path[-1], c.unit or "元") for c in money):
        lines.append(f"“{header}”以{unit_name}为单位，可保留两位小数（如 2911.14）。")
    if any(c.kind is CellKind.DERIVED for c in cells):
        lines.append("“总计”等灰色合计单元格由公式自动计算，无需填写。")
    if prefilled:
        lines.append(f"批注为“{PREFILL_NOTE}”的单元格已锁定；如有错误，请联系汇总单位。")
    lines += [
        f"{'、'.join(t.label for t in spec.texts)}填写在“{TEXT_SHEET}”工作表。",
        "不要插入或删除行、列，不要修改工作表名称和表头文字；粘贴数据请使用“选择性粘贴—数值”。",
        "填写完成后保存为 .xlsx 格式（不要另存为 .xls 或 .et），"
        f"并将文件放入共享文件夹 inbox/{unit.code}/ 中。",
    ]
    return [f"{i}. {line}" for i, line in enumerate(lines, 1)]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _unique_pairs(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(items))


def _guide_sheet(ws: Worksheet, spec: FormatSpec, unit: Unit, year: int, prefilled: bool) -> None:
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    title = ws.cell(1, 1, f"{year}年政府信息公开工作年度报告统计表填报说明")
    title.font = FONT_TITLE
    title.alignment = CENTER
    ws.row_dimensions[1].height = 30
    basis = ws.cell(2, 1, f"依据：{spec.title}（{spec.notice}）")
    basis.font = FONT_NOTE
    basis.alignment = TOP_LEFT
    for i, line in enumerate(guide_lines(spec, unit, year, prefilled), start=4):
        cell = ws.cell(i, 1, line)
        cell.font = FONT
        cell.alignment = TOP_LEFT
        ws.row_dimensions[i].height = text_lines(line, GUIDE_WIDTH) * LINE_HEIGHT + ROW_PADDING
    _protect(ws)
    print_setup(ws, landscape=False)


def _text_prompt(label: str, multiline: bool) -> str:
    if multiline:
        return f"请填写{label}；可按 Alt+Enter 换行，没有的填“无”"
    return f"请填写{label}"


def _text_sheet(ws: Worksheet, spec: FormatSpec, unit: Unit, year: int) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = TEXT_WIDTH
    title = ws.cell(TITLE_ROW, 1, "文字材料及联系人")
    title.font = FONT_TITLE
    title.alignment = CENTER
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=2)
    ws.row_dimensions[TITLE_ROW].height = 30
    ws.cell(INFO_ROW, 1, _info_text(unit, year)).font = FONT
    positions = text_cells(spec)
    for field in spec.texts:
        row, col = positions[field.key]
        label = ws.cell(row, 1, field.label)
        label.font = FONT_BOLD
        label.fill = FILL_HEADER
        label.alignment = LEFT
        label.border = BORDER
        value = ws.cell(row, col)
        value.number_format = NUMBER_FORMATS[field.type] if field.type else "@"
        if field.type:
            value.value = 0
        value.alignment = TOP_LEFT if field.multiline else LEFT
        value.border = BORDER
        value.font = FONT
        value.protection = UNLOCKED
        ws.row_dimensions[row].height = 160 if field.multiline else 24
        dv = (
            _validation(field.type, field.unit)
            if field.type
            else DataValidation(showInputMessage=True, allow_blank=True)
        )
        dv.promptTitle = field.label
        if not field.type:
            dv.prompt = _text_prompt(field.label, field.multiline)
        dv.add(a1(row, col))
        ws.add_data_validation(dv)
    _protect(ws)
    print_setup(ws, landscape=False)


def _meta_sheet(ws: Worksheet, spec: FormatSpec, unit: Unit, year: int) -> None:
    values: dict[str, str | int] = {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "year": year,
        "format": spec.id,
        "template_version": spec.template_version,
    }
    positions = meta_cells()
    for key in META_KEYS:
        row, col = positions[key]
        ws.cell(row, 1, key)
        cell = ws.cell(row, col, values[key])
        if isinstance(values[key], str):
            cell.number_format = "@"
    ws.sheet_state = "veryHidden"
    _protect(ws)


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
