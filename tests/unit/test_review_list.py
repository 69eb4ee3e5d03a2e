"""The review list: units awaiting review, most suspicious first, on the board, the run page
and ``nianbao review --list`` (read back from status.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.core.board import board_rows, review_markdown
from nianbao.core.findings import Finding
from nianbao.core.model import Status
from nianbao.core.outputs import status_doc
from nianbao.core.review_list import REVIEW_COLUMNS, review_list, review_rows, suspicion
from nianbao.core.unit_status import CycleStatus, StatusFinding, UnitStatus


def warning(code: str, significance: float = 0.0) -> StatusFinding:
    return StatusFinding.of(Finding(code, subject="某单位", basis="…", significance=significance))


def unit(code: str, status: Status, *findings: StatusFinding) -> UnitStatus:
    return UnitStatus(code, f"单位{code}", status, file=f"{code}.xlsx", findings=findings)


OK, WARNED = Status.ACCEPTED, Status.ACCEPTED_WITH_WARNINGS
STATUS = CycleStatus(
    2021,
    "2021",
    None,
    (
        unit("plain", OK),
        unit("blank", WARNED, warning("blank-cell")),
        unit("twice", WARNED, warning("plausibility-peer", 1.5), warning("plausibility-year", 1.2)),
        unit("once", WARNED, warning("plausibility-year", 1.5)),
        unit("back", Status.REJECTED, warning("plausibility-kind", 3.0)),
        unit("town", WARNED, warning("plausibility-kind", 3.0)),
        unit("gone", Status.MISSING),
    ),
)


def test_units_awaiting_review_are_ordered_by_their_most_significant_warning() -> None:
    entries = review_list(STATUS)
    # by the top significance, then the number of warnings, then roster order; the
    # rejected and the missing unit do not await review
    assert [e.unit.code for e in entries] == ["town", "twice", "once", "plain", "blank"]
    assert [e.suspicion for e in entries] == [3.0, 1.5, 1.5, 0, 0]
    assert [f.code for f in entries[1].flags] == ["plausibility-peer", "plausibility-year"]
    rows = review_rows(entries)
    assert [len(r) for r in rows] == [len(REVIEW_COLUMNS)] * 5
    assert [r[3:5] for r in rows] == [["3.00", 1], ["1.50", 2], ["1.50", 1], ["", 0], ["", 0]]


def test_another_review_state_chooses_who_awaits() -> None:
    entries = review_list(STATUS, awaiting=lambda u: u.code in {"plain", "once"})
    assert [e.unit.code for e in entries] == ["once", "plain"]


def test_the_board_shows_each_units_suspicion_and_the_run_page_the_list() -> None:
    assert [r["可疑程度"] for r in board_rows(STATUS)] == [
        "",
        "",
        "1.50",
        "1.50",
        "3.00",
        "3.00",
        "",
    ]
    assert suspicion(STATUS.units[0]) == 0
    text = review_markdown(STATUS)
    assert text.startswith("## 2021年度待审核单位（按可疑程度排序）")
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert [line.split(" | ")[1] for line in table[1:]] == [
        "单位town",
        "单位twice",
        "单位once",
        "单位plain",
        "单位blank",
    ]


def test_review_list_command_reads_status_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "output" / "2021"
    out.mkdir(parents=True)
    doc = status_doc(STATUS)
    (out / "status.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["review", "--list", "--year", "2021", "--root", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2021年度待审核单位（按可疑程度排序）")
    numbered = [line.split("（")[0] for line in lines[1:] if line[:1].isdigit()]
    assert numbered == [
        "1. 单位town",
        "2. 单位twice",
        "3. 单位once",
        "4. 单位plain",
        "5. 单位blank",
    ]
    assert sum(line.startswith("   - ") for line in lines) == 4  # one line per warning


def test_review_list_without_a_run_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "--list", "--year", "2021", "--root", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("错误：还没有2021年度的汇总结果")
