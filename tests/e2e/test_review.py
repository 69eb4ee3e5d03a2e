"""The office's review through real runs and the CLI, on SQLite and PostgreSQL: decisions,
finalization (定稿) that locks the year, a file received while locked, reopening one unit,
version 2 and the diff between versions; the audit trail records it all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from nianbao.io.db.migrate import make_engine
from nianbao.io.db.schema import Base
from tests.databases import BACKENDS, database_url
from tests.e2e.conftest import Runner
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e
UNITS = (Unit("a1", "甲局", "部门"), Unit("b2", "乙镇", "乡镇街道"), Unit("c3", "丙委", "部门"))
JAN = datetime(2021, 1, 10, tzinfo=UTC)


def dump(url: str, skip: str = "review_events") -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but ``skip``, for comparing database states."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted(map(tuple, conn.execute(select(t))), key=repr)
                for t in Base.metadata.sorted_tables
                if t.name != skip
            }
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A shared folder with three units' valid returns, and the CLI's database options."""
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(UNITS), encoding="utf-8")
    for i, unit in enumerate(UNITS):
        make_workbook(
            root / "inbox" / unit.code / "报表.xlsx", unit, unit_figures(70 + i), received=JAN
        )
    with database_url(request.param, tmp_path) as url:
        yield root, ["--root", str(root), "--db", url]


def history(nianbao: Runner, where: list[str], *more: str) -> list[dict[str, object]]:
    out = nianbao("history", "--year", "2020", *where, "--json", *more).stdout
    docs: list[dict[str, object]] = json.loads(out)
    return docs


def test_finalize_lock_reopen_version_two_and_the_diff(
    nianbao: Runner, site: tuple[Path, list[str]]
) -> None:
    root, where = site
    url = where[-1]
    out = root / "output" / "2020"
    nianbao("run", "--year", "2020", *where)
    for unit in UNITS:
        nianbao(
            "review", "--year", "2020", "--unit", unit.code, "--approve", "--by", "张三", *where
        )
    done = nianbao("finalize", "--year", "2020", "--by", "张三", "--reason", "第一次公开", *where)
    assert "第1版" in done.stdout
    v1 = out / "定稿" / "v1"
    assert {p.name for p in v1.iterdir()} >= {"totals.json", "report.docx", "status.json"}
    assert (v1 / "report.docx").read_bytes() == (out / "report.docx").read_bytes()

    before = dump(url)
    totals, report = (out / "totals.json").read_bytes(), (out / "report.docx").read_bytes()
    later = datetime(2021, 2, 3, tzinfo=UTC)
    new_file = make_workbook(
        root / "inbox" / "a1" / "报表（更正）.xlsx", UNITS[0], unit_figures(90), received=later
    )
    nianbao("run", "--year", "2020", *where)

    assert dump(url) == before  # every table but the audit trail
    assert (out / "totals.json").read_bytes() == totals
    assert (out / "report.docx").read_bytes() == report
    receipts = sorted((root / "feedback" / "a1").glob("2020年-*-回执.xlsx"))
    (receipt,) = receipts
    sheet = load_workbook(receipt).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "定稿后收到" in cells
    assert any("已定稿（第1版）" in c for c in cells)
    status = json.loads((out / "status.json").read_text(encoding="utf-8"))
    a1 = next(u for u in status["units"] if u["code"] == "a1")
    assert [h["file"] for h in a1["held"]] == [f"a1/{new_file.name}"]
    assert (status["locked"], status["version"]) == (True, 1)
    board = load_workbook(out / "status.xlsx")["报送情况"]
    assert any(
        "定稿后收到1个文件" in str(c) for row in board.iter_rows(values_only=True) for c in row
    )
    held = [
        e for e in history(nianbao, where, "--unit", "a1") if e["action"] == "received_after_final"
    ]
    assert len(held) == 1

    refused = nianbao(
        "review", "--year", "2020", "--unit", "a1", "--approve", "--by", "张三", *where, check=False
    )
    assert refused.returncode == 2 and "已定稿" in refused.stderr

    nianbao(
        "reopen",
        "--year",
        "2020",
        "--unit",
        "a1",
        "--reason",
        "甲局更正数字",
        "--by",
        "李四",
        *where,
    )
    nianbao("run", "--year", "2020", *where)
    assert (out / "totals.json").read_bytes() != totals
    nianbao("review", "--year", "2020", "--unit", "a1", "--approve", "--by", "李四", *where)
    nianbao("finalize", "--year", "2020", "--by", "李四", "--reason", "更正", *where)

    diff = json.loads(
        nianbao("diff", "--year", "2020", "--from", "1", "--to", "2", "--json", *where).stdout
    )
    old_doc = json.loads((v1 / "totals.json").read_text(encoding="utf-8"))
    new_doc = json.loads((out / "定稿" / "v2" / "totals.json").read_text(encoding="utf-8"))
    expected = {
        ("", cid) for cid in old_doc["totals"] if old_doc["totals"][cid] != new_doc["totals"][cid]
    } | {
        ("a1", cid)
        for cid in old_doc["units"]["a1"]
        if old_doc["units"]["a1"][cid] != new_doc["units"]["a1"][cid]
    }
    assert expected  # the planted change shows
    assert {(c["unit"], c["cell_id"]) for c in diff} == expected
    for c in diff:
        assert c["label"] == SPEC.cell[c["cell_id"]].label
        side = new_doc["totals"] if c["unit"] == "" else new_doc["units"]["a1"]
        assert Decimal(c["new"]) == Decimal(str(side[c["cell_id"]]))

    v2 = json.loads(nianbao("totals", "--year", "2020", "--version", "2", "--json", *where).stdout)
    assert v2["totals"] == new_doc["totals"]
    v1_totals = json.loads(
        nianbao("totals", "--year", "2020", "--version", "1", "--json", *where).stdout
    )
    assert v1_totals["totals"] == old_doc["totals"]

    trail = history(nianbao, where)
    actions = [e["action"] for e in trail]
    for wanted in ("received", "accepted", "approve", "finalize", "version", "reopen"):
        assert wanted in actions
    assert actions.count("version") == 2
    reopened = next(e for e in trail if e["action"] == "reopen")
    assert (reopened["unit"], reopened["actor"], reopened["reason"]) == (
        "a1",
        "李四",
        "甲局更正数字",
    )
    assert str(reopened["time"]).endswith("（北京时间）")
    decisions = [e for e in trail if e["action"] in ("approve", "finalize", "reopen", "version")]
    assert all(e["actor"] in ("张三", "李四") and e["time"] for e in decisions)


def test_a_return_reaches_the_unit_first_and_a_missing_unit_must_be_excused(
    nianbao: Runner, site: tuple[Path, list[str]]
) -> None:
    root, where = site
    (root / "inbox" / "c3" / "报表.xlsx").unlink()  # c3 sends nothing
    nianbao("run", "--year", "2020", *where)
    reason = "第三部分“本年新收申请数量”与登记台账不符，请核实后重新报送"
    nianbao("review", "--year", "2020", "--unit", "b2", "--return", reason, "--by", "王五", *where)
    (book,) = (root / "feedback" / "b2").glob("2020年-*-退回修改.xlsx")
    first = load_workbook(book).worksheets[0]
    assert first.title == "校验结果"
    assert str(first["A2"].value).startswith(f"审核意见：{reason}")
    assert not list((root / "feedback" / "b2").glob("2020年-*-回执.xlsx"))  # into 历史

    nianbao("run", "--year", "2020", *where)  # the run keeps the return, with its reason
    (again,) = (root / "feedback" / "b2").glob("2020年-*-退回修改.xlsx")
    assert str(load_workbook(again).worksheets[0]["A2"].value).startswith(f"审核意见：{reason}")
    status = json.loads((root / "output" / "2020" / "status.json").read_text(encoding="utf-8"))
    b2 = next(u for u in status["units"] if u["code"] == "b2")
    assert (b2["review"], b2["review_reason"], b2["held_out"]) == ("returned", reason, True)
    totals = json.loads((root / "output" / "2020" / "totals.json").read_text(encoding="utf-8"))
    assert set(totals["units"]) == {"a1"}

    refused = nianbao("finalize", "--year", "2020", "--by", "王五", *where, check=False)
    assert refused.returncode == 2 and "丙委" in refused.stderr and "乙镇" in refused.stderr
    nianbao(
        "finalize",
        "--year",
        "2020",
        "--by",
        "王五",
        "--excuse",
        "c3",
        "--excuse",
        "b2",
        "--excuse-reason",
        "已并入甲局",
        *where,
    )
    trail = history(nianbao, where)
    excused = [(e["unit"], e["reason"], e["actor"]) for e in trail if e["action"] == "excuse"]
    assert excused == [("b2", "已并入甲局", "王五"), ("c3", "已并入甲局", "王五")]
    returned = next(e for e in trail if e["action"] == "return")
    assert (returned["unit"], returned["reason"], returned["actor"]) == ("b2", reason, "王五")
