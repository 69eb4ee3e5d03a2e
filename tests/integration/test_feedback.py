"""Feedback workbooks read back with openpyxl: marked cells, 校验结果 rows, receipts."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Status
from nianbao.core.parse import Extracted, extract
from nianbao.core.process import process_workbook
from nianbao.io.feedback import RESULT_SHEET, write_rejection
from nianbao.io.receipt import write_receipt
from nianbao.io.xlsx_read import read_workbook
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
UNITS = {u.code: u for u in ROSTER}
S2, S3, S4 = "二、主动公开", "三、依申请公开", "四、复议诉讼"


def test_rejected_return_comes_back_marked(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], unit_figures(5))
    wb = load_workbook(path)
    natural_out = wb[S3]["D29"].value
    wb[S2]["B6"] = "十一"
    wb[S3]["D29"] = natural_out + 1
    wb[S4]["E7"] = 999
    wb.save(path)
    raw = read_workbook(path, "alpha", path.name)
    sub = process_workbook(raw, SPEC, 2020, UNITS)
    planted = {(S2, "B6"), (S3, "D29"), (S4, "E7")}
    assert {(f.sheet, f.cell) for f in sub.findings} == planted
    extracted = Extracted()
    list(extract(SPEC, raw.grids, extracted))

    out = tmp_path / "feedback.xlsx"
    write_rejection(out, SPEC, UNITS["alpha"], 2020, sub, extracted.values, extracted.texts)

    back = load_workbook(out)
    assert back.sheetnames[0] == RESULT_SHEET
    for sheet, ref in planted:
        cell = back[sheet][ref]
        assert cell.fill.fgColor.rgb.endswith("FFC7CE"), (sheet, ref)
        assert cell.comment is not None and "修改建议" in cell.comment.text
    marked = {
        (ws.title, c.coordinate)
        for ws in back.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.comment is not None and c.comment.author == "nianbao"
    }
    assert marked == planted
    assert back[S2]["B6"].value == "十一"  # the unit's own entry, as typed
    rows = list(back[RESULT_SHEET].iter_rows(values_only=True))
    header = rows.index(("级别", "规则", "问题", "单元格", "应为", "实为", "说明", "修改建议"))
    listed = [r for r in rows[header + 1 :] if any(r)]
    assert len(listed) == 3
    assert {r[3] for r in listed} == {f"{s}!{c}" for s, c in planted}


def test_accepted_return_gets_a_receipt(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", UNITS["beta"], unit_figures(6))
    sub = process_workbook(read_workbook(path, "beta", path.name), SPEC, 2020, UNITS)
    assert sub.status is Status.ACCEPTED
    out = tmp_path / "receipt.xlsx"
    write_receipt(out, UNITS["beta"], 2020, sub, late=True)
    values = [v for row in load_workbook(out).active.iter_rows(values_only=True) for v in row if v]
    assert sub.sha256 in values
    assert any("在截止时间之后" in str(v) for v in values)
