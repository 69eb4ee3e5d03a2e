"""The 回执 an accepted unit gets in ``feedback/<code>/``, and the findings sheet it shares
with the marked-up workbook of a rejected one (``nianbao.io.feedback`` renders the same
``Sheet`` with openpyxl).

Written with the plain-table writer (no openpyxl): one per accepted unit, so it is cheap, and
the processes that write thousands of them import little. Times are the office's local time
(``tz``), as real Excel dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from nianbao.core.clock import DEFAULT_TIMEZONE, excel_local, zone_label
from nianbao.core.findings import Finding
from nianbao.core.layout import a1
from nianbao.core.model import Submission, Unit
from nianbao.core.spec import Severity
from nianbao.io.text_measure import row_height
from nianbao.io.xlsx_lite import PageSetup, Sheet, Style, Value, write_workbook

RECEIPT_SHEET = "回执"
FINDING_COLUMNS = ("级别", "规则", "问题", "单元格", "应为", "实为", "说明", "修改建议")
# landscape A4 holds ~146 units at 100 %: the table prints one page wide, barely scaled
FINDING_WIDTHS = (6, 16, 44, 18, 8, 8, 12, 34)
LABEL_SPAN = 2  # a lead row's label spans A:B, its value C:H

TITLE = Style(bold=True, size=14, color="006100", horizontal="center", vertical="center")
LABEL = Style(bold=True, fill="F2F2F2", border=True, vertical="center", indent=1)
VALUE = Style(border=True, wrap=True, horizontal="left", vertical="center", indent=1)
HEADER = Style(bold=True, fill="F2F2F2", border=True, horizontal="center", vertical="center")
BODY = Style(border=True, wrap=True, vertical="top")
CENTERED = Style(border=True, wrap=True, vertical="top", horizontal="center")
CENTERED_COLUMNS = (1, 5, 6)  # 级别, 应为, 实为
NOTE = Style(wrap=True, vertical="top")
NOTE_HEAD = Style(bold=True, wrap=True, vertical="top")
ROW_HEIGHT = 18.0


def feedback_entry(unit: str, name: str) -> str:
    """A feedback file's path relative to the shared folder, as a run's record keeps it
    (plain text: at 10,000 units ``pathlib`` joins cost a rerun ~0.6 CPU s)."""
    return f"feedback/{unit}/{name}"


def feedback_name(sub: Submission, year: int, returned: bool = False) -> str:
    """File name in ``feedback/<code>/``: stable per submission, so a rerun rewrites it
    (``returned``: the office sent a file that passed the rules back)."""
    kind = "退回修改" if returned or not sub.status.accepted else "回执"
    return f"{year}年-{sub.sha256[:12]}-{kind}.xlsx"


def _number(text: str) -> Value:
    """A figure as a number (the cell then holds a number), anything else as the text."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    return int(value) if value == value.to_integral_value() else float(value)


def finding_row(f: Finding) -> list[Value]:
    """A finding as a row of the findings table (``FINDING_COLUMNS``)."""
    where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
    return [
        "错误" if f.severity is Severity.ERROR else "提示",
        f"{f.kind.title}\n{f.code}",
        f.message,
        where,
        _number(f.expected),
        _number(f.actual),
        f.explanation,
        f.hint,
    ]


def received_label(tz: str) -> str:
    """The label of the received-time row, naming the time zone (e.g. 北京时间)."""
    return f"接收时间（{zone_label(tz)}）"


def findings_sheet(
    title: str,
    title_style: Style,
    lead: Sequence[tuple[str, Value]],
    findings: Sequence[Finding],
    notes: Sequence[str] = (),
    name: str = RECEIPT_SHEET,
) -> Sheet:
    """A titled sheet: ``notes`` (full-width paragraphs), ``lead`` (label, value) rows,
    then the findings table, whose header row repeats on every printed page."""
    width = len(FINDING_WIDTHS)
    full = sum(FINDING_WIDTHS)
    value_width = sum(FINDING_WIDTHS[LABEL_SPAN:])
    rows: list[list[Value]] = [[title]]
    merges = [f"A1:{a1(1, width)}"]
    styles: dict[tuple[int, int], Style] = {}
    row_styles: dict[int, Style] = {1: title_style}
    heights: dict[int, float] = {1: 24.0}
    for i, note in enumerate(notes):
        rows.append([note])
        r = len(rows)
        merges.append(f"A{r}:{a1(r, width)}")
        row_styles[r] = NOTE if i else NOTE_HEAD
        heights[r] = row_height([(note, full)])
    if notes:
        rows.append([])
    for label, value in lead:
        rows.append([label, None, value, *([None] * (width - LABEL_SPAN - 1))])
        r = len(rows)
        merges += [f"A{r}:{a1(r, LABEL_SPAN)}", f"{a1(r, LABEL_SPAN + 1)}:{a1(r, width)}"]
        row_styles[r] = VALUE
        styles.update({(r, c): LABEL for c in range(1, LABEL_SPAN + 1)})
        heights[r] = row_height([(value, value_width)] if isinstance(value, str) else [])
    rows.append([])
    if findings:
        rows.append(list(FINDING_COLUMNS))
        header = len(rows)
        row_styles[header] = HEADER
        for f in findings:
            row = finding_row(f)
            rows.append(row)
            r = len(rows)
            styles.update({(r, c): CENTERED for c in CENTERED_COLUMNS})
            heights[r] = row_height(
                (v, w) for v, w in zip(row, FINDING_WIDTHS, strict=True) if isinstance(v, str)
            )
        body: tuple[int, Style] | None = (header + 1, BODY)
        page = PageSetup(landscape=True, title_rows=(header, header))
    else:
        rows.append(["没有需要说明的问题。"])
        body, page = None, PageSetup(landscape=True)
    return Sheet(
        name,
        rows,
        row_styles=row_styles,
        cell_styles=styles,
        styled_from=body,
        widths=dict(enumerate(FINDING_WIDTHS, start=1)),
        heights=heights,
        default_height=ROW_HEIGHT,
        merges=merges,
        page=page,
    )


def receipt_sheet(
    unit: Unit,
    year: int,
    sub: Submission,
    late: bool,
    tz: str = DEFAULT_TIMEZONE,
    review: Sequence[tuple[str, str]] = (),
    held: str = "",
) -> Sheet:
    """The 回执's one sheet: when the return arrived (local time), its fingerprint, any
    warnings; the office's ``review`` rows (审核状态, 说明已认可); ``held``: the notice on a
    file received after the year was finalized, first."""
    received: datetime = excel_local(sub.received_at, tz)
    lead: list[tuple[str, Value]] = [
        ("原文件", sub.file),
        (received_label(tz), received),
        ("SHA-256", sub.sha256),
        ("是否逾期", "是（在截止时间之后报送）" if late else "否"),
        ("提示数", len(sub.findings)),
        *review,
    ]
    if held:
        lead.insert(0, ("定稿后收到", held))
        title = f"{unit.name} {year}年度报表回执：{year}年度已定稿，本文件已收到"
    else:
        title = f"{unit.name} {year}年度报表回执：{sub.status.label}"
    return findings_sheet(title, TITLE, lead, sub.findings)


def write_receipt(
    path: Path,
    unit: Unit,
    year: int,
    sub: Submission,
    late: bool,
    tz: str = DEFAULT_TIMEZONE,
    review: Sequence[tuple[str, str]] = (),
    held: str = "",
) -> None:
    """A 回执 for an accepted return, or for any file received after finalization (see
    ``receipt_sheet``)."""
    write_workbook(path, [receipt_sheet(unit, year, sub, late, tz, review, held)])
