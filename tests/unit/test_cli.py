"""The CLI's offline commands: spec, templates, and clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.cli import main
from nianbao.core.findings import Finding
from nianbao.core.model import Status
from nianbao.core.outputs import status_doc
from nianbao.core.roster import roster_csv
from nianbao.core.unit_status import CycleStatus, StatusFinding, UnitStatus
from tests.helpers import ROSTER


def test_spec_json_lists_every_cell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", "--year", "2020", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"]["id"] == "2019"
    assert len(doc["cells"]) == 22 + 161 + 15
    assert {c["kind"] for c in doc["cells"]} == {"input", "derived"}


def test_templates_writes_one_workbook_per_unit(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv(ROSTER), encoding="utf-8")
    assert (
        main(["templates", "--year", "2020", "--roster", str(roster), "--out", str(tmp_path / "t")])
        == 0
    )
    files = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert files == sorted(f"{u.code}.xlsx" for u in ROSTER)
    wb = load_workbook(tmp_path / "t" / "alpha.xlsx")
    assert "s3_new_natural" in wb.defined_names


@pytest.mark.parametrize(
    "argv",
    [
        ["spec", "--year", "2010"],
        ["spec", "--year", "2020", "--format", "1999"],
        ["templates", "--year", "2020", "--roster", "/nonexistent.csv", "--out", "/tmp/x"],
    ],
)
def test_user_errors_exit_2_with_a_chinese_message(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：")


def test_run_without_roster_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--year", "2020", "--root", str(tmp_path)]) == 2
    assert "roster.csv" in capsys.readouterr().err


def _status_unit(i: int, status: Status, findings: int) -> UnitStatus:
    finding = StatusFinding.of(Finding("blank-cell", sheet="三", cell="D7"))
    return UnitStatus(f"u{i}", f"单位{i}", status, findings=(finding,) * findings)


@pytest.mark.parametrize("n", [3, 40])
def test_run_lists_units_and_summarises_a_long_roster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], n: int
) -> None:
    from nianbao.cli.cycle import LISTED, _print_status
    from nianbao.settings import load_settings

    units = [_status_unit(i, Status.ACCEPTED, 0) for i in range(n)]
    units[1] = _status_unit(1, Status.REJECTED, 0)
    units[2] = _status_unit(2, Status.ACCEPTED_WITH_WARNINGS, 2)
    out = tmp_path / "output" / "2020"
    out.mkdir(parents=True)
    doc = status_doc(CycleStatus(2020, "2019", None, tuple(units)))
    (out / "status.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    _print_status(load_settings(root=tmp_path), 2020)
    lines = capsys.readouterr().out.splitlines()
    listed = [ln for ln in lines if ln.startswith("  单位")]
    if n <= LISTED:
        assert len(listed) == n
        assert not any("其余" in ln for ln in lines)
    else:
        assert lines[0] == f"  已接收{n - 2}个，已退回1个，已接收（有提示）1个"
        assert [ln.split() for ln in listed] == [
            ["单位1", "已退回", "错误0条，提示0条"],
            ["单位2", "已接收（有提示）", "错误0条，提示2条"],
        ]
        assert lines[-1] == f"  其余{n - 2}个单位的情况见 {out / 'status.xlsx'}"


def test_the_console_entry_flushes_everything_and_keeps_the_exit_status() -> None:
    """``entry()`` skips the interpreter's teardown: output must still arrive whole."""
    import subprocess
    import sys

    run = [sys.executable, "-m", "nianbao.cli", "spec"]
    ok = subprocess.run([*run, "--year", "2020", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0
    assert len(json.loads(ok.stdout)["cells"]) == 22 + 161 + 15
    bad = subprocess.run([*run, "--year", "2010"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.startswith("错误：")
