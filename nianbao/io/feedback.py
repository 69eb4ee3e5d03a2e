"""What a rejected unit gets back in ``feedback/<code>/``: a marked-up workbook.

The return is regenerated from the spec (not re-saved: openpyxl drops Excel features on
round trips) with the unit's own figures and a first sheet 校验结果: how to resubmit, then
every finding (the same sheet as a 回执's, ``nianbao.io.receipt``). Every cell of a broken
equation is marked: the side that probably holds the mistake red, the other side light red;
the finding's own cell carries a comment, and comments print at the end of each sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.core.clock import DEFAULT_TIMEZONE, excel_local
from nianbao.core.findings import Finding
from nianbao.core.layout import RESULT_SHEET, TEXT_SHEET, a1, col_letter, layouts, text_cells
from nianbao.core.model import Submission, Unit
from nianbao.core.spec import FormatSpec, Severity
from nianbao.io.atomic import atomic_path
from nianbao.io.receipt import findings_sheet, received_label
from nianbao.io.template_style import print_setup
from nianbao.io.template_writer import build_template
from nianbao.io.xlsx_lite import DATETIME_FORMAT, FONT_NAME, Sheet, Style, Value

# (strong, light): the side that is probably wrong, the side that is probably right
ERROR_FILLS = ("FFC7CE", "FCE4E8")
WARNING_FILLS = ("FFEB9C", "FFF5D1")
TITLE = Style(bold=True, size=14, color="9C0006", horizontal="center", vertical="center")
_THIN = Side(style="thin")
_MARK = Side(style="medium", color="C00000")
STRONG_BORDER = Border(left=_MARK, right=_MARK, top=_MARK, bottom=_MARK)  # shows in grey print


def resubmit_notes(unit: Unit, figures_kept: bool) -> list[str]:
    """How to resubmit, for the top of 校验结果."""
    where = f"inbox/{unit.code}/"
    edit = (
        "可以直接在本工作簿中修改（其中的报表与下发的模板相同，已填好本单位报送的数字），"
        "也可以修改原来的文件。"
        if figures_kept
        else "本工作簿中的报表是本单位本年度的空白模板，请在其中重新填写（或使用下发的模板）。"
    )
    return [
        "如何重新报送：",
        "1. 按下表逐条修改。红色单元格很可能有错，浅红色是同一等式中可能正确的另一边；"
        "鼠标停在单元格上可看批注。",
        f"2. {edit}",
        f"3. 修改后保存为 .xlsx 文件，放入共享文件夹中本单位的文件夹 {where}（原来报送的文件夹）；"
        "文件名不限，以最新的文件为准，原来的文件不必删除。",
        f"4. 放入后会自动重新校验，结果（回执或新的退回修改文件）仍放在 feedback/{unit.code}/ 中。",
    ]


def _mark(wb: Workbook, findings: tuple[Finding, ...]) -> None:
    """Fill every cell of each located finding (its equation's cells when it has them) and
    comment on the finding's own cell. A cell suspect in any finding gets the strong fill
    and a dark red frame (a black-and-white printout still tells the sides apart)."""
    fills: dict[tuple[str, str], tuple[int, str]] = {}  # (sheet, ref) -> (rank, colour)
    for f in findings:
        if not f.cell or f.sheet not in wb.sheetnames:
            continue
        strong, light = ERROR_FILLS if f.severity is Severity.ERROR else WARNING_FILLS
        suspects = set(f.suspects or (f.cell,))
        for ref in f.cells or (f.cell,):
            rank = (2 if ref in suspects else 0) + (f.severity is Severity.ERROR)
            colour = strong if ref in suspects else light
            fills[f.sheet, ref] = max(fills.get((f.sheet, ref), (-1, "")), (rank, colour))
        cell = wb[f.sheet][f.cell]
        text = f"【{f.kind.title}】\n{f.message}\n修改建议：{f.hint}"
        previous = cell.comment.text + "\n\n" if cell.comment else ""
        cell.comment = Comment(previous + text, "nianbao", width=360, height=200)
    for (sheet, ref), (rank, colour) in fills.items():
        cell = wb[sheet][ref]
        cell.fill = PatternFill("solid", fgColor=colour)
        if rank >= 2:
            cell.border = STRONG_BORDER


def put(cell: Any, value: Any) -> Any:
    """Write ``value`` into ``cell``; text stays text (openpyxl would store a string that
    starts with "=" as a formula: a unit's text never becomes one). Returns the cell."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _fill_figures(wb: Workbook, spec: FormatSpec, raw: Mapping[str, Any]) -> None:
    """Put the unit's own entries (as typed) back into the regenerated template."""
    for lay in layouts(spec):
        ws = wb[lay.sheet]
        for cid, (row, col) in lay.cells.items():
            if cid in raw and cid not in spec.definitions and raw[cid] not in (None, ""):
                put(ws.cell(row, col), raw[cid])


def _fill_texts(wb: Workbook, spec: FormatSpec, texts: Mapping[str, str]) -> None:
    for key, (row, col) in text_cells(spec).items():
        if texts.get(key):
            put(wb[TEXT_SHEET].cell(row, col), texts[key])


def _style(cell: Any, style: Style) -> None:
    cell.font = Font(
        name=FONT_NAME,
        size=style.size or 11,
        bold=style.bold,
        color=style.color and f"FF{style.color}",
    )
    if style.fill:
        cell.fill = PatternFill("solid", fgColor=style.fill)
    if style.border:
        cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    cell.alignment = Alignment(
        horizontal=style.horizontal or ("left" if style.indent else None),
        vertical=style.vertical,
        wrap_text=style.wrap or None,
        indent=style.indent,
    )
    if style.num_fmt:
        cell.number_format = style.num_fmt


def render_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """A plain-table ``Sheet`` (values, styles, sizes, merges, pane, print set-up) in openpyxl."""
    below = sheet.styled_from
    for r, values in enumerate(sheet.rows, start=1):
        row_style = sheet.row_styles.get(r) or (below[1] if below and r >= below[0] else None)
        for c, value in enumerate(values, start=1):
            style = sheet.cell_styles.get((r, c)) or row_style
            cell = put(ws.cell(r, c), value)
            if style is not None:
                _style(cell, style)
            if isinstance(value, datetime):
                cell.number_format = (style and style.num_fmt) or DATETIME_FORMAT
    for col, width in sheet.widths.items():
        ws.column_dimensions[col_letter(col)].width = width
    for row, height in sheet.heights.items():
        ws.row_dimensions[row].height = height
    if sheet.default_height:
        ws.sheet_format.defaultRowHeight = sheet.default_height
        ws.sheet_format.customHeight = True
    for span in sheet.merges:
        ws.merge_cells(span)
    if sheet.freeze:
        ws.freeze_panes = a1(*sheet.freeze)
    print_setup(ws, sheet.page.landscape, sheet.page.title_rows)
    if not sheet.page.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = sheet.page.scale
    if sheet.page.title_cols:
        first, last = (col_letter(c) for c in sheet.page.title_cols)
        ws.print_title_cols = f"{first}:{last}"


def write_rejection(
    path: Path,
    spec: FormatSpec,
    unit: Unit,
    year: int,
    sub: Submission,
    raw: Mapping[str, Any] | None,
    texts: Mapping[str, str],
    tz: str = DEFAULT_TIMEZONE,
    returned: str = "",
) -> None:
    """A fresh template with the unit's figures, failing cells marked, and a 校验结果 sheet.

    ``raw`` is None when the figures could not be trusted (wrong unit, year or format, or an
    unreadable file): the unit then gets a blank template of the right kind to refill.
    ``returned`` is the office's 审核意见 on a file that passed the rules: the first thing
    the sheet says.
    """
    wb = build_template(spec, unit, year)
    if raw is not None:
        _fill_figures(wb, spec, raw)
        _fill_texts(wb, spec, texts)
        _mark(wb, sub.findings)
    for sheet in wb.worksheets:
        sheet.protection.sheet = sheet.title != RESULT_SHEET and sheet.protection.sheet
    lead: list[tuple[str, Value]] = [
        ("原文件", sub.file),
        (received_label(tz), excel_local(sub.received_at, tz)),
        ("SHA-256", sub.sha256),
    ]
    title = f"{unit.name} {year}年度报表校验结果：未通过，请修改后重新报送"
    notes = resubmit_notes(unit, raw is not None)
    if returned:
        title = f"{unit.name} {year}年度报表审核意见：已退回，请修改后重新报送"
        notes = [returned, *notes]
    sheet = findings_sheet(title, TITLE, lead, sub.findings, notes, RESULT_SHEET)
    render_sheet(wb.create_sheet(RESULT_SHEET, 0), sheet)
    for ws in wb.worksheets:  # opens on 校验结果, with no other sheet selected with it
        ws.sheet_view.tabSelected = ws.title == RESULT_SHEET
    wb.active = 0
    _save(wb, path)


def _save(wb: Workbook, path: Path) -> None:
    with atomic_path(path) as tmp:
        wb.save(tmp)
