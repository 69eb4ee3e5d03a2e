"""Submission lifecycle through real runs: board, 催报名单, feedback, resubmission, quarantine."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from tests.e2e.conftest import Runner, dump_sqlite
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e
S3 = "三、依申请公开"


def status_of(root: Path) -> dict[str, object]:
    doc: dict[str, object] = json.loads(
        (root / "output" / "2020" / "status.json").read_text(encoding="utf-8")
    )
    return doc


def new_root(tmp_path: Path, units: tuple[Unit, ...], config: str = "") -> Path:
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(units), encoding="utf-8")
    (root / "nianbao.toml").write_text(config, encoding="utf-8")
    return root


def break_a1(path: Path) -> None:
    """Unbalance the 自然人 column (A1), keeping the file's received time."""
    stamp = path.stat().st_mtime
    wb = load_workbook(path)
    wb[S3]["D29"] = (wb[S3]["D29"].value or 0) + 1
    wb.save(path)
    os.utime(path, (stamp, stamp))


def test_six_units_board_status_and_chase_list(nianbao: Runner, tmp_path: Path) -> None:
    units = tuple(
        Unit(code, name, "部门", contact, phone)
        for code, name, contact, phone in (
            ("c1", "一局", "", ""),
            ("c2", "二局", "", ""),
            ("c3", "三局", "", ""),
            ("w1", "四局", "", ""),
            ("r1", "五局", "赵敏", "0453-5555555"),
            ("m1", "六局", "钱进", "0453-6666666"),
        )
    )
    root = new_root(tmp_path, units, 'deadline = "2021-01-15T18:00:00+08:00"\n')
    on_time = datetime(2021, 1, 10, tzinfo=UTC)
    for i, unit in enumerate(units[:3]):
        make_workbook(
            root / "inbox" / unit.code / "报表.xlsx", unit, unit_figures(30 + i), received=on_time
        )
    warned = make_workbook(
        root / "inbox" / "w1" / "报表.xlsx",
        units[3],
        unit_figures(40),
        texts={"explanation": "本单位为新设机构。"},
        received=datetime(2021, 1, 20, tzinfo=UTC),
    )
    stamp = warned.stat().st_mtime
    wb = load_workbook(warned)
    wb[S3]["E12"] = None  # a blank input: counted as 0 with a warning
    wb.save(warned)
    os.utime(warned, (stamp, stamp))
    rejected = make_workbook(
        root / "inbox" / "r1" / "报表.xlsx", units[4], unit_figures(50), received=on_time
    )
    break_a1(rejected)

    nianbao("run", "--year", "2020", "--root", str(root))

    doc = status_of(root)
    got = {u["code"]: (u["status"], u["errors"], u["warnings"], u["late"]) for u in doc["units"]}  # type: ignore[attr-defined]
    assert got == {
        "c1": ("accepted", 0, 0, False),
        "c2": ("accepted", 0, 0, False),
        "c3": ("accepted", 0, 0, False),
        "w1": ("accepted_with_warnings", 0, 1, True),
        "r1": ("rejected", 1, 0, False),
        "m1": ("missing", 0, 0, False),
    }
    w1 = next(u for u in doc["units"] if u["code"] == "w1")  # type: ignore[attr-defined]
    assert [(f["code"], f["explained"]) for f in w1["findings"]] == [("blank-cell", True)]

    book = load_workbook(root / "output" / "2020" / "status.xlsx")
    chase = [r for r in book["催报名单"].iter_rows(min_row=3, values_only=True) if any(r)]
    assert [(r[0], r[2], r[3]) for r in chase] == [
        ("五局", "赵敏", "0453-5555555"),
        ("六局", "钱进", "0453-6666666"),
    ]
    board = [r for r in book["报送情况"].iter_rows(min_row=3, values_only=True) if any(r)]
    assert [r[1] for r in board] == [
        "已接收",
        "已接收",
        "已接收",
        "已接收（有提示）",
        "已退回",
        "未报送",
    ]

    out = nianbao("status", "--year", "2020", "--root", str(root)).stdout
    assert "催报名单（2个单位）" in out and "六局" in out

    feedback = {p.parent.name: p.name for p in (root / "feedback").rglob("*.xlsx")}
    assert feedback["r1"].endswith("退回修改.xlsx")
    assert all(feedback[c].endswith("回执.xlsx") for c in ("c1", "c2", "c3", "w1"))
    assert "m1" not in feedback
    archived = {p.name.split(".")[0] for p in (root / "archive").rglob("*.xlsx")}
    assert len(archived) == 5


def test_reject_then_corrected_then_same_bytes_again(nianbao: Runner, tmp_path: Path) -> None:
    unit = Unit("u1", "甲局")
    root = new_root(tmp_path, (unit,))
    figures = unit_figures(60)
    bad = make_workbook(
        root / "inbox" / "u1" / "报表.xlsx",
        unit,
        figures,
        received=datetime(2021, 1, 8, tzinfo=UTC),
    )
    break_a1(bad)
    nianbao("run", "--year", "2020", "--root", str(root))
    assert status_of(root)["units"][0]["status"] == "rejected"  # type: ignore[index]

    good = make_workbook(
        root / "inbox" / "u1" / "报表（修改后）.xlsx",
        unit,
        figures,
        received=datetime(2021, 1, 9, tzinfo=UTC),
    )
    nianbao("run", "--year", "2020", "--root", str(root))
    (entry,) = status_of(root)["units"]  # type: ignore[misc]
    assert (entry["status"], entry["file"]) == ("accepted", "u1/报表（修改后）.xlsx")
    assert [s["file"] for s in entry["superseded"]] == ["u1/报表.xlsx"]
    totals = json.loads((root / "output" / "2020" / "totals.json").read_text(encoding="utf-8"))
    assert totals["totals"]["s3_new_natural"] == figures["s3_new_natural"]
    history = dump_sqlite(root / "nianbao.db")["submissions"]
    assert len(history) == 2

    before = dump_sqlite(root / "nianbao.db")
    shutil.copy2(good, root / "inbox" / "u1" / "报表（再次报送）.xlsx")
    nianbao("run", "--year", "2020", "--root", str(root))
    assert dump_sqlite(root / "nianbao.db") == before
    assert status_of(root)["units"][0]["file"] == "u1/报表（修改后）.xlsx"  # type: ignore[index]


def test_unreadable_files_are_quarantined_and_kept(nianbao: Runner, tmp_path: Path) -> None:
    bad_files = {
        "q1": ("损坏.xlsx", b"PK\x03\x04not a zip at all"),
        "q2": ("加密.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048),
        "q3": ("旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\1" * 2048),
        "q4": ("说明.xlsx", "这是一段文字，不是表格。".encode()),
    }
    units = (Unit("ok", "好局"), *(Unit(code, f"单位{code}") for code in bad_files))
    root = new_root(tmp_path, units)
    good = make_workbook(root / "inbox" / "ok" / "报表.xlsx", units[0], unit_figures(70))
    originals = {good: good.read_bytes()}
    for code, (name, data) in bad_files.items():
        path = root / "inbox" / code / name
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        originals[path] = data

    nianbao("run", "--year", "2020", "--root", str(root))

    got = {
        u["code"]: (u["status"], [f["code"] for f in u["findings"]])
        for u in status_of(root)["units"]
    }  # type: ignore[attr-defined]
    assert got["ok"] == ("accepted", [])
    for code in bad_files:
        assert got[code] == ("rejected", ["file-unreadable"]), code
        assert len(list((root / "quarantine" / code).iterdir())) == 1
        assert any((root / "feedback" / code).iterdir())
    assert {p: p.read_bytes() for p in originals} == originals


def test_every_time_a_person_reads_is_in_the_office_zone(nianbao: Runner, tmp_path: Path) -> None:
    """The ``timezone`` setting (here Asia/Tokyo, +09:00) reaches every writer of a real run:
    a file received at 02:00 UTC is 11:00 in the receipt, the rejection, status.json (with
    its offset), status.xlsx (an Excel date) and the status command."""
    units = (Unit("ok", "甲局", "部门"), Unit("bad", "乙局", "部门"))
    config = 'timezone = "Asia/Tokyo"\ndeadline = "2021-01-15T18:00:00+08:00"\n'
    root = new_root(tmp_path, units, config)
    at = datetime(2021, 1, 10, 2, tzinfo=UTC)
    for unit, seed in zip(units, (80, 81), strict=True):
        path = make_workbook(
            root / "inbox" / unit.code / "报表.xlsx", unit, unit_figures(seed), received=at
        )
    break_a1(path)  # 乙局's
    nianbao("run", "--year", "2020", "--root", str(root))
    local = datetime(2021, 1, 10, 11)

    doc = status_of(root)
    assert doc["deadline"] == "2021-01-15T19:00:00+09:00"
    assert [u["received_at"] for u in doc["units"]] == ["2021-01-10T11:00:00+09:00"] * 2  # type: ignore[attr-defined]
    for path in (root / "feedback").rglob("*.xlsx"):
        ws = load_workbook(path).worksheets[0]
        (cell,) = [r[2] for r in ws.iter_rows() if r[0].value == "接收时间（Asia/Tokyo）"]
        assert cell.value == local and cell.is_date, path.name
    board = load_workbook(root / "output" / "2020" / "status.xlsx")["报送情况"]
    header = [c.value for c in board[2]]
    column = header.index("接收时间（Asia/Tokyo）")
    times = [r[column] for r in board.iter_rows(min_row=3, values_only=True)]
    assert times == [local, local]
    out = nianbao("status", "--year", "2020", "--root", str(root)).stdout
    assert "2021-01-10 11:00:00" in out and "02:00:00" not in out
