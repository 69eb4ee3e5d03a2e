"""The first January morning of a new cycle, through real runs: last year's files still in the
inbox (or copied back this January) reject nobody and write no feedback; a mistaken old
template saved this January does."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from tests.e2e.conftest import Runner
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e

UNITS = (Unit("u1", "甲局", "部门"), Unit("u2", "乙镇", "乡镇"))


def test_a_new_year_over_last_years_inbox(nianbao: Runner, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(UNITS), encoding="utf-8")
    for i, unit in enumerate(UNITS):
        make_workbook(
            root / "inbox" / unit.code / "2020年报表.xlsx",
            unit,
            unit_figures(80 + i),
            received=datetime(2021, 1, 12, tzinfo=UTC),
        )
    nianbao("run", "--year", "2020", "--root", str(root))
    feedback = sorted(p.name for p in (root / "feedback").rglob("*.xlsx"))
    assert len(feedback) == 2  # last year's receipts

    nianbao("run", "--year", "2021", "--root", str(root))
    out = root / "output" / "2021"
    status = json.loads((out / "status.json").read_text(encoding="utf-8"))
    assert (status["complete"], status["missing"], status["rejected"]) == (
        False,
        ["u1", "u2"],
        [],
    )
    assert [(u["status"], u["other_years"][0]["year"]) for u in status["units"]] == [
        ("missing", 2020),
        ("missing", 2020),
    ]
    assert sorted(p.name for p in (root / "feedback").rglob("*.xlsx")) == feedback  # none new
    chase = load_workbook(out / "status.xlsx")["催报名单"]
    reasons = [r[1] for r in chase.iter_rows(min_row=3, values_only=True) if any(r)]
    assert len(reasons) == 2 and all("2020年度的报表" in str(r) for r in reasons)
    draft = [p.text for p in Document(str(out / "report.docx")).paragraphs]
    assert draft[2].startswith("【待填写：本初稿数据不完整") and "甲局、乙镇未报送" in draft[2]
    totals = json.loads((out / "totals.json").read_text(encoding="utf-8"))
    assert (totals["complete"], totals["missing"]) == (False, ["u1", "u2"])

    make_workbook(  # last year's template, filled this January by mistake
        root / "inbox" / "u1" / "2021年报表.xlsx",
        UNITS[0],
        unit_figures(90),
        year=2020,
        received=datetime(2022, 1, 6, tzinfo=UTC),
    )
    copied = datetime(2022, 1, 6, tzinfo=UTC).timestamp()  # u2's 2020 return, copied back
    os.utime(root / "inbox" / "u2" / "2020年报表.xlsx", (copied, copied))
    nianbao("run", "--year", "2021", "--root", str(root))
    status = json.loads((out / "status.json").read_text(encoding="utf-8"))
    u1, u2 = status["units"]
    assert (u1["status"], [f["code"] for f in u1["findings"]]) == ("rejected", ["wrong-year"])
    assert u2["status"] == "missing"  # the same bytes as its accepted 2020 return
    new = {p.parent.name: p for p in (root / "feedback").rglob("*.xlsx") if p.name not in feedback}
    assert list(new) == ["u1"]  # the rejection of the mistaken file, nothing for u2
