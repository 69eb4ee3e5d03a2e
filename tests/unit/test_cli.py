"""The CLI's offline commands: spec, templates, and clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.cli import main
from nianbao.core.roster import roster_csv
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
