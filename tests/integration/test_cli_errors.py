"""A user's mistakes, through the real console script: exit status 2, one ``错误：`` line (and a
``提示：``), no traceback, and no Prefect started (its state folder is never made)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from nianbao.core.roster import roster_csv
from tests.conftest import REPO
from tests.helpers import ROSTER

pytestmark = pytest.mark.integration

Setup = Callable[[Path], list[str]]


def _cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    state = cwd / "state"
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "PREFECT_"))},
        "NIANBAO_STATE_DIR": str(state),
        "PREFECT_HOME": str(state / "prefect"),
        "PYTHONPATH": str(REPO),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _root(tmp: Path, roster: bytes | None = None, name: str = "roster.csv") -> Path:
    root = tmp / "root"
    (root / "inbox").mkdir(parents=True)
    if roster is not None:
        (root / name).write_bytes(roster)
    return root


def _good(tmp: Path) -> Path:
    return _root(tmp, roster_csv(ROSTER).encode("gbk"))


def _far_cell_workbook(tmp: Path) -> Path:
    """A 5 KB workbook whose cells span the whole sheet: calamine would abort on it."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["code", "name"])
    ws["XFD1048576"] = "x"
    root = _root(tmp)
    wb.save(root / "roster.xlsx")
    return root


def _two_rosters(tmp: Path) -> Path:
    root = _good(tmp)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["code", "name"])
    ws.append(["a", "甲"])
    wb.save(root / "roster.xlsx")
    return root


CASES: dict[str, Setup] = {
    "year before the formats": lambda t: ["run", "--year", "2018", "--root", str(_good(t))],
    "year before the formats, format forced": lambda t: [
        *("run", "--year", "2018", "--format", "2019", "--root", str(_good(t)))
    ],
    "year too late": lambda t: ["run", "--year", "2101", "--root", str(_good(t))],
    "unknown format": lambda t: [
        "run",
        "--year",
        "2020",
        "--format",
        "2030",
        "--root",
        str(_good(t)),
    ],
    "no such folder": lambda t: ["run", "--year", "2020", "--root", str(t / "nowhere")],
    "default folder missing": lambda t: ["run", "--year", "2020"],
    "no roster": lambda t: ["run", "--year", "2020", "--root", str(_root(t))],
    "two rosters": lambda t: ["run", "--year", "2020", "--root", str(_two_rosters(t))],
    "roster without a code column": lambda t: [
        *("run", "--year", "2020", "--root", str(_root(t, "单位名称\n甲局\n".encode("gbk"))))
    ],
    "roster in no known encoding": lambda t: [
        *("run", "--year", "2020", "--root", str(_root(t, b"code,name\na,\x81\x20\n")))
    ],
    "roster with a bad kind": lambda t: [
        *("run", "--year", "2020", "--root", str(_root(t, "code,name,kind\na,甲,局\n".encode())))
    ],
    "roster workbook spanning the sheet": lambda t: [
        *("templates", "--year", "2020", "--root", str(_far_cell_workbook(t)), "--out", str(t))
    ],
    "bad nianbao.toml": lambda t: ["run", "--year", "2020", "--root", str(_toml(t, "region = "))],
    "bad deadline": lambda t: [
        *("run", "--year", "2020", "--root", str(_toml(t, 'deadline = "tomorrow"')))
    ],
    "year not a number": lambda t: ["run", "--year", "twenty"],
    "no such command": lambda t: ["rnu", "--year", "2020"],
    "spec of a year before the formats": lambda t: ["spec", "--year", "2010"],
    "roster file given does not exist": lambda t: [
        *("templates", "--year", "2020", "--roster", str(t / "no.csv"), "--out", str(t))
    ],
}


def _toml(tmp: Path, text: str) -> Path:
    root = _good(tmp)
    (root / "nianbao.toml").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", CASES)
def test_user_errors_exit_2_without_traceback_or_prefect(tmp_path: Path, case: str) -> None:
    args = CASES[case](tmp_path)
    proc = _cli(tmp_path, *args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    errors = [ln for ln in lines if ln.startswith("错误：")]
    assert len(errors) == 1, proc.stderr
    assert any(ln.startswith("提示：") for ln in lines), proc.stderr
    assert not (tmp_path / "state").exists()  # checked before Prefect was prepared or started


def test_no_folder_and_no_roster_are_different_messages_naming_the_way_to_choose(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    no_folder = _cli(tmp_path / "a", "run", "--year", "2020", "--root", "nowhere")
    no_roster = _cli(tmp_path / "b", "run", "--year", "2020", "--root", ".")
    assert {no_folder.returncode, no_roster.returncode} == {2}
    assert no_folder.stderr != no_roster.stderr
    for proc in (no_folder, no_roster):
        assert "--root" in proc.stderr and "NIANBAO_ROOT" in proc.stderr
    default = _cli(tmp_path / "a", "run", "--year", "2020")
    assert "nianbao-root" in default.stderr  # the default folder is named


def test_the_rosters_file_and_row_are_named(tmp_path: Path) -> None:
    root = _root(tmp_path, "code,name\na,甲\nB,乙\n".encode("gbk"))
    proc = _cli(tmp_path, "run", "--year", "2020", "--root", str(root))
    (error,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("错误：")]
    assert str(root / "roster.csv") in error and "第3行" in error
