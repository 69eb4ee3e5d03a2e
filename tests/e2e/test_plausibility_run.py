"""Plausibility warnings through real runs: last year's figures from the run's database, the
warnings in status.json, the receipt and the database, the review list on the run page and
from ``nianbao review --list``, most suspicious first."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.model import Unit
from nianbao.core.roster import UnitKind, roster_csv
from nianbao.io.receipt import RECEIPT_SHEET
from tests.e2e.conftest import Runner
from tests.helpers import make_workbook, steady_figures

pytestmark = pytest.mark.e2e

UNITS = (
    Unit("alpha", "甲局", UnitKind.DEPARTMENT),
    Unit("beta", "乙镇", UnitKind.TOWNSHIP),
    Unit("gamma", "丙委", UnitKind.DEPARTMENT),
)


def test_jump_and_township_are_warned_and_listed_first(
    nianbao: Runner, state_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(UNITS), encoding="utf-8")
    for year, spec in ((2020, FORMAT_2019), (2021, FORMAT_2021)):
        for i, unit in enumerate(UNITS):
            figures = steady_figures(40 + i, spec, unit.kind)
            if year == 2021 and unit.code == "alpha":
                figures["s4_review_upheld"] = Decimal(1985)  # 行政复议 总计 20 → 2000
            if year == 2021 and unit.code == "beta":
                figures["s2_regulations_issued"] = Decimal(1)
            make_workbook(
                root / "inbox" / unit.code / f"{year}年报表.xlsx",
                unit,
                figures,
                year,
                spec,
                received=datetime(year + 1, 1, 12, tzinfo=UTC),
            )
        nianbao("run", "--year", str(year), "--root", str(root))

    status = json.loads((root / "output" / "2021" / "status.json").read_text(encoding="utf-8"))
    flagged = {
        u["code"]: [(f["code"], f["significance"]) for f in u["findings"] if f["significance"]]
        for u in status["units"]
    }
    assert flagged == {
        "alpha": [("plausibility-year", 2.0)],
        "beta": [("plausibility-kind", 3.0)],
        "gamma": [],
    }
    assert {u["status"] for u in status["units"]} <= {"accepted", "accepted_with_warnings"}

    (receipt,) = (root / "feedback" / "beta").glob("2021年-*-回执.xlsx")
    rows = load_workbook(receipt)[RECEIPT_SHEET].iter_rows(values_only=True)
    assert any(r[1] and str(r[1]).endswith("plausibility-kind") for r in rows)

    with sqlite3.connect(root / "nianbao.db") as db:
        stored = db.execute(
            "SELECT f.unit, f.code, f.significance FROM findings f JOIN cycles c "
            "ON c.id = f.cycle_id WHERE c.year = 2021 AND f.significance > 0 ORDER BY f.seq"
        ).fetchall()
    assert stored == [("alpha", "plausibility-year", 2.0), ("beta", "plausibility-kind", 3.0)]

    listed = nianbao("review", "--list", "--year", "2021", "--root", str(root)).stdout.splitlines()
    numbered = [line.split("（")[0] for line in listed[1:] if line[:1].isdigit()]
    assert numbered == ["1. 乙镇", "2. 甲局", "3. 丙委"]

    prefect = sqlite3.connect(state_dir / "prefect" / "prefect.db")
    try:
        (page,) = prefect.execute(
            "SELECT data FROM artifact WHERE key = 'nianbao-2021-review' "
            "ORDER BY created DESC LIMIT 1"
        ).fetchone()
    finally:
        prefect.close()
    text = json.loads(page) if page.startswith('"') else page
    assert "待审核单位（按可疑程度排序）" in text
    assert text.index("乙镇") < text.index("甲局") < text.index("丙委")
