"""Bad workbooks are rejected with findings, kept untouched, and the other units go on."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.core.roster import roster_csv
from tests.e2e.conftest import Runner
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.e2e


def test_one_good_unit_one_misfiled_one_corrupt(nianbao: Runner, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(ROSTER), encoding="utf-8")
    alpha = ROSTER[0]
    figures = unit_figures(11)
    good = make_workbook(root / "inbox" / "alpha" / "甲局.xlsx", alpha, figures)
    (root / "inbox" / "beta").mkdir()
    misfiled = root / "inbox" / "beta" / "甲局副本.xlsx"
    shutil.copy2(good, misfiled)
    (root / "inbox" / "gamma").mkdir()
    corrupt = root / "inbox" / "gamma" / "丙委.xlsx"
    corrupt.write_bytes(b"PK\x03\x04broken")
    originals = {p: p.read_bytes() for p in (good, misfiled, corrupt)}

    out = nianbao("run", "--year", "2020", "--root", str(root))
    assert "已退回" in out.stdout

    status = json.loads((root / "output" / "2020" / "status.json").read_text(encoding="utf-8"))
    summary = {
        u["code"]: (u["status"], [f["code"] for f in u["findings"]]) for u in status["units"]
    }
    assert summary == {
        "alpha": ("accepted", []),
        "beta": ("rejected", ["wrong-unit-folder"]),
        "gamma": ("rejected", ["file-unreadable"]),
    }
    totals = json.loads((root / "output" / "2020" / "totals.json").read_text(encoding="utf-8"))
    assert set(totals["units"]) == {"alpha"}
    for cid, value in figures.items():
        assert Decimal(str(totals["totals"][cid])) == value, cid
    assert {p: p.read_bytes() for p in originals} == originals
