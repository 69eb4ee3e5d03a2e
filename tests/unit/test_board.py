"""The rows behind a run's artifacts: completeness board, findings summary, key totals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from nianbao.core.board import (
    board_rows,
    board_table,
    findings_markdown,
    findings_rows,
    key_total_rows,
    markdown_table,
    outputs_markdown,
)
from nianbao.core.findings import Finding
from nianbao.core.model import CycleResult, Group, Status, Submission, Unit
from nianbao.core.outputs import status_doc
from nianbao.core.unit_status import CycleStatus, cycle_status

T0 = datetime(2021, 1, 10, 2, tzinfo=UTC)  # 10:00 in Beijing
ROSTER = (
    Unit("alpha", "甲局", "部门"),
    Unit("beta", "乙镇", "乡镇"),
    Unit("gamma", "丙委", "部门"),
)


def _sub(unit: str, file: str, status: Status, *findings: Finding, new: int = 0) -> Submission:
    values = {"s3_new_total": Decimal(new)} if status.accepted else {}
    return Submission(unit, file, f"sha-{file}", T0, "2019", status, values, {}, findings)


def _result() -> CycleResult:
    nan = Finding("not-a-number", unit="beta", sheet="三、依申请公开", cell="D7", actual="五")
    return CycleResult(
        year=2020,
        format="2019",
        roster=ROSTER,
        submissions=(
            _sub("alpha", "alpha/旧.xlsx", Status.SUPERSEDED, Finding("wrong-year", unit="alpha")),
            _sub(
                "alpha",
                "alpha/甲局.xlsx",
                Status.ACCEPTED_WITH_WARNINGS,
                Finding("blank-cell", unit="alpha"),
                new=5,
            ),
            _sub(
                "beta",
                "beta/乙镇.xlsx",
                Status.REJECTED,
                nan,
                nan,
                Finding("blank-cell", unit="beta"),
            ),
        ),
        totals={"s3_new_total": Decimal(5), "s2_procurement_amount": Decimal("12.5")},
        findings=(Finding("misplaced-file", file="散落.xlsx"),),
    )


def _status() -> CycleStatus:
    return cycle_status(_result())


def test_board_has_one_row_per_roster_unit_with_current_file_and_counts() -> None:
    when = "接收时间（北京时间）"
    assert board_rows(_status()) == [
        {
            "单位": "甲局",
            "状态": "已接收（有提示）",
            "文件": "alpha/甲局.xlsx",
            when: "2021-01-10 10:00:00",
            "错误数": 0,
            "提示数": 1,
            "审核": "",
            "可疑程度": "",
        },
        {
            "单位": "乙镇",
            "状态": "已退回",
            "文件": "beta/乙镇.xlsx",
            when: "2021-01-10 10:00:00",
            "错误数": 2,
            "提示数": 1,
            "审核": "",
            "可疑程度": "",
        },
        {
            "单位": "丙委",
            "状态": "未报送",
            "文件": "",
            when: "",
            "错误数": 0,
            "提示数": 0,
            "审核": "",
            "可疑程度": "",
        },
    ]


def test_board_times_follow_the_timezone_setting() -> None:
    (row, *_) = board_rows(_status(), "Asia/Tokyo")
    assert row["接收时间（Asia/Tokyo）"] == "2021-01-10 11:00:00"


def test_findings_are_counted_per_unit_and_code_ignoring_superseded_files() -> None:
    rows = findings_rows(_status())
    counts = {(r["单位"], r["问题代码"]): (r["级别"], r["数量"]) for r in rows}
    assert counts == {
        ("甲局", "blank-cell"): ("提示", 1),
        ("乙镇", "not-a-number"): ("错误", 2),
        ("乙镇", "blank-cell"): ("提示", 1),
        ("（未归属）", "misplaced-file"): ("提示", 1),
    }
    assert {r["问题"] for r in rows} >= {"不是数字", "空白单元格按0计"}


def test_findings_markdown_summarises_or_says_none() -> None:
    text = findings_markdown(_status())
    assert "共2条错误、3条提示" in text
    assert "| 乙镇 | not-a-number | 不是数字 | 错误 | 2 |" in text
    clean = CycleResult(2020, "2019", ROSTER, (), {})
    assert "没有发现问题" in findings_markdown(cycle_status(clean))


def test_key_totals_list_accepted_units_then_the_city_total() -> None:
    assert key_total_rows(_result()) == [
        {"单位": "甲局", "本年新收申请": 5},
        {"单位": "合计", "本年新收申请": 5},
    ]
    money = key_total_rows(_result(), cells=(("s2_procurement_amount", "采购金额"),))
    assert money[-1] == {"单位": "合计", "采购金额": 12.5}


def test_outputs_markdown_names_files_and_database_state() -> None:
    paths = {"totals": "/r/output/2020/totals.json", "report": "/r/output/2020/report.docx"}
    written = outputs_markdown(2020, paths, "sqlite:////r/nianbao.db")
    assert "汇总数据（totals.json）：`/r/output/2020/totals.json`" in written
    assert "年度报告初稿（Word）" in written
    assert "数据库：`sqlite:////r/nianbao.db`" in written
    dry = outputs_markdown(2020, paths, "sqlite:////r/nianbao.db", dry_run=True)
    assert "试运行：未写入数据库" in dry


def test_markdown_table_escapes_pipes() -> None:
    assert markdown_table([{"a": "x|y", "b": 1}]) == "| a | b |\n|---|---|\n| x\\|y | 1 |"
    assert markdown_table([]) == ""


def test_the_board_groups_units_under_a_line_per_group_and_reads_back() -> None:
    roster = tuple(replace(u, parent="depts" if u.kind == "部门" else "") for u in ROSTER)
    result = replace(_result(), roster=roster, groups=(Group("depts", "部门"),))
    status = cycle_status(result)
    rows = board_rows(status)
    assert [(r["单位"], r["状态"]) for r in rows] == [
        ("部门", "已接收1个，共2个单位"),
        ("\u3000甲局", "已接收（有提示）"),
        ("\u3000丙委", "未报送"),
        ("乙镇", "已退回"),
    ]
    assert board_table(status)[0][2:] == [None] * 7
    # status.json carries the tree, and the board read back from it is the same
    again = CycleStatus.from_json(status_doc(status))
    assert again.groups == status.groups
    assert [r["单位"] for r in board_rows(again)] == [r["单位"] for r in rows]
