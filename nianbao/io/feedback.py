"""What a rejected unit gets back in ``feedback/<code>/``: a marked-up workbook.

The return is regenerated from the spec (not re-saved: openpyxl drops Excel features on
round trips) with the unit's own figures, each failing cell red with a comment, and a first
sheet 校验结果 listing every finding. Accepted units get a 回执 (``nianbao.io.receipt``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.core.findings import Finding
from nianbao.core.layout import TEXT_SHEET, layouts, text_cells
from nianbao.core.model import Submission, Unit
from nianbao.core.spec import FormatSpec, Severity
from nianbao.io.atomic import atomic_path
from nianbao.io.receipt import FINDING_COLUMNS, FINDING_WIDTHS, finding_row
from nianbao.io.template_writer import build_template

RESULT_SHEET = "校验结果"
RED = PatternFill("solid", fgColor="FFC7CE")
ORANGE = PatternFill("solid", fgColor="FFEB9C")
HEADER = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _findings_sheet(ws: Worksheet, findings: tuple[Finding, ...], lead: list[list[str]]) -> None:
    for row in lead:
        ws.append(row)
    ws.append([])
    ws.append(list(FINDING_COLUMNS))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = HEADER
    for f in findings:
        ws.append(finding_row(f))
    for col, width in zip("ABCDEFGH", FINDING_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = WRAP


def _mark(wb: Workbook, findings: tuple[Finding, ...]) -> None:
    """Fill each located cell red (errors) or orange (warnings) and comment on it."""
    for f in findings:
        if not f.cell or f.sheet not in wb.sheetnames:
            continue
        cell = wb[f.sheet][f.cell]
        cell.fill = RED if f.severity is Severity.ERROR else ORANGE
        text = f"【{f.kind.title}】\n{f.message}\n修改建议：{f.hint}"
        previous = cell.comment.text + "\n\n" if cell.comment else ""
        cell.comment = Comment(previous + text, "nianbao", width=320, height=160)


def _fill_figures(wb: Workbook, spec: FormatSpec, raw: Mapping[str, Any]) -> None:
    """Put the unit's own entries (as typed) back into the regenerated template."""
    for lay in layouts(spec):
        ws = wb[lay.sheet]
        for cid, (row, col) in lay.cells.items():
            if cid in raw and cid not in spec.definitions and raw[cid] not in (None, ""):
                ws.cell(row, col).value = raw[cid]


def _fill_texts(wb: Workbook, spec: FormatSpec, texts: Mapping[str, str]) -> None:
    for key, (row, col) in text_cells(spec).items():
        if texts.get(key):
            wb[TEXT_SHEET].cell(row, col).value = texts[key]


def write_rejection(
    path: Path,
    spec: FormatSpec,
    unit: Unit,
    year: int,
    sub: Submission,
    raw: Mapping[str, Any] | None,
    texts: Mapping[str, str],
) -> None:
    """A fresh template with the unit's figures, failing cells marked, and a 校验结果 sheet.

    ``raw`` is None when the figures could not be trusted (wrong unit, year or format, or an
    unreadable file): the unit then gets a blank template of the right kind to refill.
    """
    wb = build_template(spec, unit, year)
    if raw is not None:
        _fill_figures(wb, spec, raw)
        _fill_texts(wb, spec, texts)
        _mark(wb, sub.findings)
    for sheet in wb.worksheets:
        sheet.protection.sheet = sheet.title != RESULT_SHEET and sheet.protection.sheet
    ws = wb.create_sheet(RESULT_SHEET, 0)
    lead = [
        [f"{unit.name} {year}年度报表校验结果：未通过，请修改后重新报送"],
        ["原文件", sub.file],
        ["接收时间", sub.received_at.isoformat()],
        ["SHA-256", sub.sha256],
    ]
    _findings_sheet(ws, sub.findings, lead)
    ws["A1"].font = Font(bold=True, size=14, color="9C0006")
    wb.active = 0
    _save(wb, path)


def _save(wb: Workbook, path: Path) -> None:
    with atomic_path(path) as tmp:
        wb.save(tmp)
