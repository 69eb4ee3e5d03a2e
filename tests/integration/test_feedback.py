"""Feedback workbooks read back with openpyxl: marked cells, 校验结果 rows, receipts, local
times, and a corrected rejection that is accepted when saved back into the inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.core.findings import Finding
from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.layout import RESULT_SHEET, locate
from nianbao.core.model import Status, Submission
from nianbao.core.parse import Extracted, extract
from nianbao.core.process import process_workbook
from nianbao.io.feedback import ERROR_FILLS, TITLE, render_sheet, write_rejection
from nianbao.io.receipt import FINDING_COLUMNS, RECEIPT_SHEET, findings_sheet, write_receipt
from nianbao.io.xlsx_lite import write_workbook
from nianbao.io.xlsx_read import read_workbook
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
UNITS = {u.code: u for u in ROSTER}
S2, S3, S4 = "二、主动公开", "三、依申请公开", "四、复议诉讼"
AT_0200_UTC = datetime(2021, 1, 10, 2, tzinfo=UTC)  # 10:00 in Beijing
STRONG, LIGHT = ERROR_FILLS
A1_CELLS = ("s3_new_natural", "s3_carried_in_natural", "s3_handled_total_natural")
A1_CELLS += ("s3_carried_out_natural",)


def refs(*cell_ids: str) -> set[str]:
    return {locate(SPEC, c)[1] for c in cell_ids}


def fill(cell: Cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def rejected(tmp_path: Path, edit: dict[tuple[str, str], object]) -> tuple[Submission, Path]:
    """alpha's consistent return with ``edit`` applied, processed and sent back."""
    path = make_workbook(tmp_path / "inbox" / "alpha" / "a.xlsx", UNITS["alpha"], unit_figures(5))
    wb = load_workbook(path)
    for (sheet, ref), value in edit.items():
        wb[sheet][ref] = value(wb[sheet][ref].value) if callable(value) else value
    wb.save(path)
    raw = read_workbook(path, "alpha", path.name)
    sub = process_workbook(raw, SPEC, 2020, UNITS)
    extracted = Extracted()
    list(extract(SPEC, raw.grids, extracted))
    out = tmp_path / "feedback.xlsx"
    write_rejection(out, SPEC, UNITS["alpha"], 2020, sub, extracted.values, extracted.texts)
    return sub, out


def listed(ws: Worksheet) -> tuple[int, list[tuple[object, ...]]]:
    """The findings table's header row and its rows."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(FINDING_COLUMNS)
    return header + 1, [r for r in rows[header + 1 :] if any(r)]


def test_rejected_return_comes_back_marked(tmp_path: Path) -> None:
    planted = {(S2, "B6"), (S3, "D29"), (S4, "E7")}
    sub, out = rejected(
        tmp_path,
        {(S2, "B6"): "十一", (S3, "D29"): lambda v: v + 1, (S4, "E7"): 999},
    )
    assert {(f.sheet, f.cell) for f in sub.findings} == planted

    back = load_workbook(out)
    assert back.sheetnames[0] == RESULT_SHEET
    commented = {
        (ws.title, c.coordinate)
        for ws in back.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.comment is not None and c.comment.author == "nianbao"
    }
    assert commented == planted  # one comment per finding, on its own cell
    for sheet, ref in planted:
        assert "修改建议" in str(back[sheet][ref].comment.text)
    assert back[S2]["B6"].value == "十一"  # the unit's own entry, as typed
    assert fill(back[S2]["B6"]) == STRONG
    _, rows = listed(back[RESULT_SHEET])
    assert len(rows) == 3
    assert {r[3] for r in rows} == {f"{s}!{c}" for s, c in planted}
    assert any(f.code in str(r[1]) for r in rows for f in sub.findings)


def test_a_units_text_that_looks_like_a_formula_comes_back_as_text(tmp_path: Path) -> None:
    """A typed entry or a 说明 starting with "=" is written back as text, never a formula."""
    hostile = '=HYPERLINK("http://example.invalid","点击")'
    path = make_workbook(tmp_path / "inbox" / "alpha" / "a.xlsx", UNITS["alpha"], unit_figures(5))
    wb = load_workbook(path)
    wb[S2]["B6"] = hostile
    wb[S2]["B6"].data_type = "s"  # typed as text in the unit's file
    wb.save(path)
    raw = read_workbook(path, "alpha", path.name)
    sub = process_workbook(raw, SPEC, 2020, UNITS)
    assert sub.status is Status.REJECTED
    extracted = Extracted()
    list(extract(SPEC, raw.grids, extracted))
    out = tmp_path / "feedback.xlsx"
    texts = dict.fromkeys(extracted.texts, "=1+1") or {"none": "=1+1"}
    write_rejection(out, SPEC, UNITS["alpha"], 2020, sub, extracted.values, texts)
    back = load_workbook(out)
    assert back[S2]["B6"].value == hostile and back[S2]["B6"].data_type == "s"
    cells = [c for ws in back.worksheets for row in ws.iter_rows() for c in row]
    written_back = [c for c in cells if c.value == "=1+1"]  # the 说明, written back ...
    assert written_back and all(c.data_type == "s" for c in written_back)  # ... as text


def test_an_a1_imbalance_marks_both_sides_and_the_short_one_strongly(tmp_path: Path) -> None:
    """A new application with no outcome: the outcomes' side is short, so (七)总计 and 四、结转
    are the suspects and 一、本年新收 + 二、上年结转 are marked lightly, not left blank."""
    sub, out = rejected(tmp_path, {(S3, "D7"): lambda v: v + 2})
    (a1,) = sub.findings
    assert (a1.code, a1.sheet, a1.cell) == ("a1-balance", S3, "D29")
    assert set(a1.cells) == refs(*A1_CELLS)
    assert set(a1.suspects) == refs("s3_handled_total_natural", "s3_carried_out_natural")
    assert a1.gap == "2"
    labels = [SPEC.cell[c].row_path[-1] for c in A1_CELLS[2:]]
    assert a1.short_side == " + ".join(labels)
    assert Decimal(a1.expected) - Decimal(a1.actual) == 2  # lhs, rhs

    ws = load_workbook(out)[S3]
    for ref in a1.cells:
        cell = ws[ref]
        strong = ref in a1.suspects
        assert fill(cell) == (STRONG if strong else LIGHT), ref
        assert (cell.border.left.style == "medium") is strong, ref


def test_a_typed_over_total_is_the_suspect_not_its_parts(tmp_path: Path) -> None:
    sub, out = rejected(tmp_path, {(S4, "E7"): 999})
    (b1,) = sub.findings
    total, parts = "s4_review_total", SPEC.definitions["s4_review_total"].rhs
    assert (b1.code, b1.sheet, b1.cell) == ("b1-review-sum", S4, locate(SPEC, total)[1])
    assert set(b1.cells) == refs(total, *parts) and set(b1.suspects) == refs(total)
    ws = load_workbook(out)[S4]
    assert {fill(ws[r]) for r in refs(*parts)} == {LIGHT}


def test_the_result_sheet_says_how_to_resubmit_before_the_findings(tmp_path: Path) -> None:
    _, out = rejected(tmp_path, {(S3, "D7"): lambda v: v + 2})
    ws = load_workbook(out)[RESULT_SHEET]
    header, _ = listed(ws)
    top = [str(v) for row in ws.iter_rows(max_row=header - 1, values_only=True) for v in row if v]
    assert any("inbox/alpha/" in line for line in top)
    assert str(ws.print_title_rows).replace("$", "") == f"{header}:{header}"  # on every page


def test_a_corrected_rejection_saved_into_the_inbox_is_accepted(tmp_path: Path) -> None:
    """What 校验结果 says works: fix the cells in the returned workbook itself and save it
    into inbox/<code>/ beside the old file."""
    original = unit_figures(5)
    sub, out = rejected(tmp_path, {(S2, "B6"): "十一", (S3, "D7"): lambda v: v + 2})
    assert sub.status is Status.REJECTED
    wb = load_workbook(out)
    wb[S2]["B6"] = int(original["s2_regulations_made"])
    wb[S3]["D7"] = int(original["s3_new_natural"])
    fixed = tmp_path / "inbox" / "alpha" / "a（修改后）.xlsx"
    wb.save(fixed)
    again = process_workbook(read_workbook(fixed, "alpha", fixed.name), SPEC, 2020, UNITS)
    assert again.status is Status.ACCEPTED, [f.code for f in again.findings]
    assert again.values["s3_new_natural"] == original["s3_new_natural"]


@pytest.mark.parametrize(
    ("tz", "hour", "zone"), [(None, 10, "北京时间"), ("Asia/Tokyo", 11, "Asia/Tokyo")]
)
def test_feedback_shows_the_received_time_in_the_office_zone_as_a_date(
    tmp_path: Path, tz: str | None, hour: int, zone: str
) -> None:
    path = make_workbook(tmp_path / "b.xlsx", UNITS["beta"], unit_figures(6), received=AT_0200_UTC)
    sub = process_workbook(read_workbook(path, "beta", path.name), SPEC, 2020, UNITS)
    assert sub.status is Status.ACCEPTED and sub.received_at == AT_0200_UTC
    receipt, rejection = tmp_path / "receipt.xlsx", tmp_path / "rejection.xlsx"
    kw = {"tz": tz} if tz else {}
    write_receipt(receipt, UNITS["beta"], 2020, sub, late=True, **kw)
    bad = Submission(**{**sub.__dict__, "status": Status.REJECTED, "findings": ()})
    write_rejection(rejection, SPEC, UNITS["beta"], 2020, bad, None, {}, **kw)
    for path, sheet in ((receipt, RECEIPT_SHEET), (rejection, RESULT_SHEET)):
        ws = load_workbook(path)[sheet]
        (cell,) = [r[2] for r in ws.iter_rows() if r[0].value == f"接收时间（{zone}）"]
        assert cell.value == datetime(2021, 1, 10, hour), path.name
        assert cell.is_date and "hh:mm" in cell.number_format


def test_receipt_counts_are_numbers_and_findings_listed(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", UNITS["beta"], unit_figures(6))
    sub = process_workbook(read_workbook(path, "beta", path.name), SPEC, 2020, UNITS)
    blank = Finding("blank-cell", sheet=S3, cell="E7", expected="0", actual="")
    sub = Submission(**{**sub.__dict__, "findings": (blank,)})
    out = tmp_path / "receipt.xlsx"
    write_receipt(out, UNITS["beta"], 2020, sub, late=True)
    ws = load_workbook(out)[RECEIPT_SHEET]
    by_label = {r[0]: r[2] for r in ws.iter_rows(values_only=True) if r[0]}
    assert by_label["SHA-256"] == sub.sha256
    assert by_label["提示数"] == 1 and by_label["是否逾期"].startswith("是")
    header, rows = listed(ws)
    assert [(r[3], r[4]) for r in rows] == [(f"{S3}!E7", 0)]  # 应为 as a number
    assert str(ws.print_title_rows).replace("$", "") == f"{header}:{header}"


def test_the_findings_sheet_is_the_same_from_both_writers(tmp_path: Path) -> None:
    """校验结果 (openpyxl, inside the marked-up template) and the 回执 (the plain-table writer)
    are one ``Sheet``: values, merges, widths, heights and print set-up agree."""
    blank = Finding("blank-cell", sheet=S3, cell="E7", expected="0", actual="")
    lead = [
        ("原文件", "a.xlsx"),
        ("接收时间（北京时间）", datetime(2021, 1, 10, 10)),
        ("提示数", 1),
    ]
    sheet = findings_sheet("标题", TITLE, lead, [blank], ["如何重新报送：", "1. 说明"], "表")
    lite, rendered = tmp_path / "lite.xlsx", tmp_path / "openpyxl.xlsx"
    write_workbook(lite, [sheet])
    wb = Workbook()
    render_sheet(wb.active, sheet)
    wb.save(rendered)
    a, b = (load_workbook(p).worksheets[0] for p in (lite, rendered))
    assert list(a.iter_rows(values_only=True)) == list(b.iter_rows(values_only=True))
    assert {str(r) for r in a.merged_cells.ranges} == {str(r) for r in b.merged_cells.ranges}
    for col in "ABCDEFGH":
        assert a.column_dimensions[col].width == b.column_dimensions[col].width, col
    assert [a.row_dimensions[r].height for r in range(1, 12)] == [
        b.row_dimensions[r].height for r in range(1, 12)
    ]
    for ws in (a, b):
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert str(ws.print_title_rows).replace("$", "") == "9:9"  # the table header
        assert ws["C6"].is_date and ws["A9"].border.left.style == "thin"
