"""Two levels, each office on its own folder and database, through the real program: a
county runs its cycle on a roster with groups, sends its totals upward into the template its
city issued, and the city's run accepts that return; the city's totals are the county's and
``explain`` at the city shows the county's units."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from tests.e2e.conftest import Runner
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e

COUNTY_ROSTER = """单位代码,单位名称,单位类型,上级单位
xianbenji,县本级,本级,
xianzhi,县直部门,分组,
caizhengju,财政局,部门,xianzhi
xiangzhen,乡镇街道,分组,
xizhen,西镇,乡镇,xiangzhen
"""
SENDERS = (Unit("xianbenji", "县本级"), Unit("caizhengju", "财政局"), Unit("xizhen", "西镇"))
COUNTY = Unit("mouxian", "某县", "government")


def test_a_county_reports_to_its_city(nianbao: Runner, tmp_path: Path) -> None:
    county, city = tmp_path / "county", tmp_path / "city"
    (county / "inbox").mkdir(parents=True)
    (county / "roster.csv").write_text(COUNTY_ROSTER, encoding="utf-8")
    for seed, unit in enumerate(SENDERS, start=40):
        make_workbook(county / "inbox" / unit.code / "报表.xlsx", unit, unit_figures(seed))
    nianbao("run", "--year", "2020", "--root", str(county))
    out = county / "output" / "2020"
    summary = (out / "汇总表.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in summary[2:-1]] == [
        "xianbenji",
        "xianzhi",
        "caizhengju",
        "xiangzhen",
        "xizhen",
    ]
    shown = nianbao("totals", "--year", "2020", "--group", "xianzhi", "--root", str(county))
    assert "县直部门（xianzhi）合计：已接收1个，共1个单位" in shown.stdout

    (city / "inbox" / COUNTY.code).mkdir(parents=True)
    (city / "roster.csv").write_text(roster_csv([COUNTY]), encoding="utf-8")
    nianbao("templates", "--year", "2020", "--root", str(city), "--out", str(city / "templates"))
    upward = county / "上报" / "2020年度-某县.xlsx"
    done = nianbao(
        "export-upward",
        "--year",
        "2020",
        "--template",
        str(city / "templates" / f"{COUNTY.code}.xlsx"),
        "--out",
        str(upward),
        "--root",
        str(county),
    )
    assert "未定稿" in done.stdout
    shutil.copy2(upward, city / "inbox" / COUNTY.code / upward.name)
    nianbao("run", "--year", "2020", "--root", str(city))

    county_totals = json.loads((out / "totals.json").read_text(encoding="utf-8"))
    city_out = city / "output" / "2020"
    city_totals = json.loads((city_out / "totals.json").read_text(encoding="utf-8"))
    status = json.loads((city_out / "status.json").read_text(encoding="utf-8"))
    assert [u["status"] for u in status["units"]] == ["accepted"]
    assert city_totals["totals"] == county_totals["totals"]

    explained = nianbao("explain", "--year", "2020", "s3_new_total", "--root", str(city))
    lines = explained.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "某县（mouxian）" in line)
    for unit in SENDERS:
        assert any(f"{unit.name}（{unit.code}）" in line for line in lines[at + 1 :]), unit
