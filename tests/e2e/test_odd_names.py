"""One unit's odd file never changes what the others get (issues 13, 18), and a file still
being written is left for the next run (issue 19), through real runs."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from benchmarks.figures import unit_figures as random_figures
from benchmarks.xlsx_patch import Patcher
from nianbao.core.findings import CATALOGUE
from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from nianbao.io.names import NAME_MAX
from nianbao.io.template_fill import fill_workbook
from nianbao.io.template_writer import write_template
from tests.e2e.conftest import Runner
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e
YEAR = 2020
N = 300
OUT = Path("output") / str(YEAR)
HEALTHY = tuple(Unit(f"u{i:03d}", f"单位{i:03d}", "部门") for i in range(N))
ODD = (
    Unit("odd-gbk", "编码局", "部门"),
    Unit("odd-newline", "换行局", "部门"),
    Unit("odd-long", "长名局", "部门"),
    Unit("odd-link", "链接局", "部门"),
)
GBK = "甲局2020年报表.xlsx".encode("gbk")
LONG = ("某某县人民政府办公室关于政府信息公开工作年度报告的统计表" * 4)[:83] + ".xlsx"
SECRET = b"PK\x03\x04 bytes of a file outside the shared folder"
RECEIVED = 1610236800.0  # 2021-01-10 00:00 UTC: long settled


def _zero_figures() -> dict[str, Decimal]:
    return {cid: Decimal(0) for cid in SPEC.inputs}


def _at(root: Path, folder: bytes, name: bytes) -> Path:
    path = Path(os.fsdecode(os.fsencode(root / "inbox") + b"/" + folder + b"/" + name))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _build(root: Path, patcher: Patcher, figures: list[dict[str, Decimal]], odd: bool) -> None:
    """300 healthy units (and, with ``odd``, the odd units and a folder of no unit)."""
    roster = HEALTHY + (ODD if odd else ())
    root.mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(roster), encoding="utf-8")
    for i, unit in enumerate(HEALTHY):
        path = root / "inbox" / unit.code / f"{unit.name}{YEAR}年报表.xlsx"
        patcher.write(path, unit.code, unit.name, figures[i], RECEIVED + i)
    if not odd:
        return
    gbk, newline, long, link = ODD
    # accepted, with zero figures: the city totals are the same with and without them
    patcher.write(_at(root, b"odd-gbk", GBK), gbk.code, gbk.name, _zero_figures(), RECEIVED)
    path = _at(root, b"odd-newline", "报表\n2020.xlsx".encode())
    patcher.write(path, newline.code, newline.name, _zero_figures(), RECEIVED)
    broken = _at(root, long.code.encode(), LONG.encode())
    broken.write_bytes(b"PK\x03\x04 broken")
    os.utime(broken, (RECEIVED, RECEIVED))
    secret = root.parent / f"{root.name}-secret.xlsx"
    secret.write_bytes(SECRET)
    _at(root, link.code.encode(), "报表.xlsx".encode()).symlink_to(secret)
    stranger = _at(root, "测试单位".encode("gbk"), GBK)
    patcher.write(stranger, gbk.code, gbk.name, _zero_figures(), RECEIVED)


def _json(root: Path, name: str) -> dict[str, Any]:
    return json.loads((root / OUT / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _csv_rows(root: Path) -> dict[str, list[str]]:
    with (root / OUT / "汇总表.csv").open(encoding="utf-8-sig", newline="") as f:
        return {row[0]: row for row in csv.reader(f)}


def _receipts(root: Path, codes: list[str]) -> dict[str, dict[str, bytes]]:
    return {
        code: {p.name: p.read_bytes() for p in (root / "feedback" / code).iterdir()}
        for code in codes
    }


def _db_rows(root: Path, codes: list[str]) -> list[tuple[Any, ...]]:
    marks = ",".join("?" * len(codes))
    query = f"""
        SELECT u.code, cu.status, s.file, s.sha256, s.received_at, s.status, cv.cell_id, cv.value
        FROM units u
        JOIN cycle_units cu ON cu.unit_id = u.id
        LEFT JOIN submissions s ON s.unit_id = u.id
        LEFT JOIN cell_values cv ON cv.submission_id = s.id
        WHERE u.code IN ({marks})
        ORDER BY 1, 3, 7
    """
    with sqlite3.connect(root / "nianbao.db") as con:
        return con.execute(query, codes).fetchall()


def _run(nianbao: Runner, root: Path) -> subprocess.CompletedProcess[str]:
    proc = nianbao("run", "--year", str(YEAR), "--root", str(root))
    logs = proc.stdout + proc.stderr
    assert "Logging error" not in logs and "Traceback" not in logs, logs
    return proc


def test_odd_units_among_300_change_nothing_for_the_others(nianbao: Runner, tmp_path: Path) -> None:
    prototype = tmp_path / "prototype.xlsx"
    proto = Unit("proto-unit", "原型单位", "部门")
    figures = random_figures(SPEC, N, seed=18)
    write_template(SPEC, proto, YEAR, prototype)
    fill_workbook(prototype, figures[0])
    patcher = Patcher(SPEC, prototype, proto.code, proto.name)
    plain, odd = tmp_path / "plain", tmp_path / "odd"
    _build(plain, patcher, figures, odd=False)
    _build(odd, patcher, figures, odd=True)

    _run(nianbao, plain)
    _run(nianbao, odd)

    codes = [u.code for u in HEALTHY]
    totals = {root: _json(root, "totals.json") for root in (plain, odd)}
    assert totals[odd]["totals"] == totals[plain]["totals"]
    assert {c: totals[odd]["units"][c] for c in codes} == totals[plain]["units"]
    status = {
        root: {u["code"]: u for u in _json(root, "status.json")["units"]} for root in (plain, odd)
    }
    assert {c: status[odd][c] for c in codes} == status[plain]
    rows = {root: _csv_rows(root) for root in (plain, odd)}
    assert {c: rows[odd][c] for c in codes} == {c: rows[plain][c] for c in codes}
    assert rows[odd][""][3:] == rows[plain][""][3:]  # the 合计 row's figures
    assert _receipts(odd, codes) == _receipts(plain, codes)
    assert _db_rows(odd, codes) == _db_rows(plain, codes)
    assert len(_db_rows(plain, codes)) > N

    # the odd ones: read under their display names, or reported; never a crash
    got = {c: (status[odd][c]["status"], status[odd][c]["file"]) for c in [u.code for u in ODD]}
    assert got == {
        "odd-gbk": ("accepted", "odd-gbk/甲局2020年报表.xlsx"),
        "odd-newline": ("accepted", "odd-newline/报表\\x0a2020.xlsx"),
        "odd-long": ("rejected", f"odd-long/{LONG}"),
        "odd-link": ("missing", None),
    }
    run_findings = {
        (f["code"], f["unit"], f["file"]) for f in _json(odd, "status.json")["findings"]
    }
    assert run_findings == {
        ("symlink-refused", "odd-link", "odd-link/报表.xlsx"),
        ("unknown-unit", "", "测试单位"),
    }
    (quarantined,) = (odd / "quarantine" / "odd-long").iterdir()
    assert len(quarantined.name.encode()) <= NAME_MAX
    for code in ("odd-gbk", "odd-newline", "odd-long"):
        assert len(list((odd / "feedback" / code).iterdir())) == 1
    for folder, _dirs, files in os.walk(odd):
        for name in files:
            path = Path(folder, name)
            assert path.is_symlink() or SECRET not in path.read_bytes(), path


def _status(root: Path, code: str) -> dict[str, Any]:
    return next(u for u in _json(root, "status.json")["units"] if u["code"] == code)


def test_a_file_growing_during_a_run_is_left_for_the_next(nianbao: Runner, tmp_path: Path) -> None:
    root = tmp_path / "root"
    alpha, beta = Unit("alpha", "甲局"), Unit("beta", "乙镇")
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv((alpha, beta)), encoding="utf-8")
    (root / "nianbao.toml").write_text("settle_seconds = 3\n", encoding="utf-8")
    make_workbook(root / "inbox" / "alpha" / "甲局.xlsx", alpha, unit_figures(21))
    make_workbook(root / "inbox" / "beta" / "乙镇.xlsx", beta, unit_figures(22))
    _run(nianbao, root)
    before = _status(root, "alpha")
    before_totals = _json(root, "totals.json")
    before_feedback = sorted(p.name for p in (root / "feedback" / "alpha").iterdir())
    assert before["status"] == "accepted"

    newer = make_workbook(tmp_path / "更正.xlsx", alpha, unit_figures(23)).read_bytes()
    target = root / "inbox" / "alpha" / "甲局（更正）.xlsx"
    done = threading.Event()

    def copy_slowly() -> None:
        """The first half at once, then the rest a little at a time while the run goes on
        (the last piece once it has ended), as a slow copy onto the share does."""
        half = len(newer) // 2
        with target.open("wb") as f:
            f.write(newer[:half])
            f.flush()
            pos = half
            while not done.is_set() and pos < len(newer) - 1:
                time.sleep(0.25)
                f.write(newer[pos : pos + 16])
                f.flush()
                pos = min(pos + 16, len(newer) - 1)
            done.wait()
            f.write(newer[pos:])

    writer = threading.Thread(target=copy_slowly)
    writer.start()
    try:
        time.sleep(0.3)
        proc = _run(nianbao, root)
    finally:
        done.set()
        writer.join()

    # that run: alpha's status, figures and feedback as before; the board and log say why
    assert _status(root, "alpha") == before
    assert _json(root, "totals.json") == before_totals
    assert sorted(p.name for p in (root / "feedback" / "alpha").iterdir()) == before_feedback
    assert not (root / "quarantine").exists() or not any((root / "quarantine").iterdir())
    findings = _json(root, "status.json")["findings"]
    assert [(f["code"], f["unit"], f["file"]) for f in findings] == [
        ("file-arriving", "alpha", "alpha/甲局（更正）.xlsx")
    ]
    said = CATALOGUE["file-arriving"].title  # 文件正在写入，下次汇总时处理
    assert findings[0]["message"].startswith(said)
    assert said in proc.stdout + proc.stderr

    # the next run takes the complete file
    assert target.read_bytes() == newer
    _run(nianbao, root)
    after = _status(root, "alpha")
    assert (after["status"], after["file"]) == ("accepted", "alpha/甲局（更正）.xlsx")
    assert _json(root, "totals.json")["units"]["alpha"]["s3_new_natural"] == int(
        unit_figures(23)["s3_new_natural"]
    )
    assert _json(root, "status.json")["findings"] == []
    feedback = root / "feedback" / "alpha"
    (current,) = (p.name for p in feedback.iterdir() if p.is_file())
    assert current.endswith("回执.xlsx") and current not in before_feedback
    assert sorted(p.name for p in (feedback / "历史").iterdir()) == before_feedback
