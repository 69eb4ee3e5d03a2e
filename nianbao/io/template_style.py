"""How a unit's template looks: fonts, fills and borders, column widths and row heights
measured for 宋体, data validation by value type, sheet protection and print setup
(A4, one page wide). Used by the template writer and by the rejection workbook."""

from __future__ import annotations

import math
from collections.abc import Mapping

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.core.layout import TITLE_ROW, Label, Role, SheetLayout
from nianbao.core.spec import CellType
from nianbao.io.text_measure import display_width, text_lines
from nianbao.io.xlsx_lite import FONT_NAME

SIGNED_BOUND = 10**9  # the bound of a signed input's data validation

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


def validation(cell_type: CellType, unit: str | None) -> DataValidation:
    """The data validation of an input of ``cell_type`` (money in ``unit``), with its
    prompt and error message."""
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


def column_widths(lay: SheetLayout, notes: Mapping[int, str]) -> dict[int, float]:
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


def row_heights(
    ws: Worksheet, lay: SheetLayout, widths: Mapping[int, float], notes: Mapping[int, str]
) -> None:
    """Each row as tall as its wrapped labels and note need at ``widths``; a label spanning
    rows shares its need among them."""
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


def protect(ws: Worksheet) -> None:
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


def comment(text: str) -> Comment:
    """A small comment by nianbao."""
    comment = Comment(text, "nianbao")
    comment.width = 200
    comment.height = 40
    return comment
