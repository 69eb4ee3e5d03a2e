"""What the office sees of one run, as plain rows formatted from its ``CycleStatus``: the
completeness board and the 催报名单 (status.xlsx and ``nianbao status``), and the run page's
board, findings summary, key totals and where the outputs went (Prefect artifacts, built in
``tasks/report_artifacts.py``), with the review list (``nianbao.core.review_list``). Pure
functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from nianbao.core.clock import DEFAULT_TIMEZONE, local, shown, zone_label
from nianbao.core.findings import CATALOGUE
from nianbao.core.model import CycleResult, Status
from nianbao.core.review_list import (
    REVIEW_COLUMNS,
    REVIEW_TITLE,
    review_list,
    review_rows,
    suspicion,
)
from nianbao.core.spec import Severity
from nianbao.core.unit_status import CycleStatus, UnitStatus, other_years_note

Row = dict[str, str | int | float]
BoardCell = str | int | datetime | None

BOARD_COLUMNS = ("单位", "状态", "文件", "接收时间", "错误", "提示", "其中已说明", "逾期", "审核")
CHASE_COLUMNS = ("单位", "原因", "联系人", "联系电话")
CHASE_REASONS = {Status.MISSING: "未报送", Status.REJECTED: "报表被退回，待重新报送"}
NO_UNIT = "（未归属）"
SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "提示"}
# (cell id, column title) of the figures shown per unit on the key-totals table.
KEY_CELLS: tuple[tuple[str, str], ...] = (("s3_new_total", "本年新收申请"),)
OUTPUT_LABELS = {
    "totals": "汇总数据（totals.json）",
    "status": "报送情况（status.json）",
    "report": "年度报告初稿（Word）",
    "summary_xlsx": "汇总表（Excel）",
    "summary_csv": "汇总表（CSV）",
}


def received_column(tz: str = DEFAULT_TIMEZONE) -> str:
    """The board's time column, naming the zone: 接收时间（北京时间）."""
    return f"接收时间（{zone_label(tz)}）"


def board_header(tz: str = DEFAULT_TIMEZONE) -> list[str]:
    """``BOARD_COLUMNS``, the time column naming its zone (接收时间（北京时间）)."""
    return [received_column(tz) if c == "接收时间" else c for c in BOARD_COLUMNS]


INDENT = "\u3000"  # a full-width space a level of the tree


def in_tree(status: CycleStatus) -> list[tuple[int, UnitStatus | GroupLine]]:
    """The board's entries: every unit in roster order, or, when the roster has groups, in
    tree order with a line per group before its members; with each entry's depth."""
    if not status.groups:
        return [(0, u) for u in status.units]
    tree = status.tree
    leaves = tree.leaves()
    units = {u.code: u for u in status.units}
    out: list[tuple[int, UnitStatus | GroupLine]] = []
    for node in tree.order:
        if not node.group:
            out.append((node.depth, units[node.code]))
            continue
        below = [units[c] for c in leaves[node.code]]
        taken = sum(u.status.accepted for u in below)
        out.append((node.depth, GroupLine(node.name, f"已接收{taken}个，共{len(below)}个单位")))
    return out


class GroupLine(NamedTuple):
    """A group's line on the board: its name and how many of its units are in."""

    name: str
    label: str


def board_table(status: CycleStatus, tz: str = DEFAULT_TIMEZONE) -> list[list[BoardCell]]:
    """Rows of the completeness board of status.xlsx and ``nianbao status`` (one per roster
    unit, grouped under a line per group when the roster has groups): counts as integers,
    the received time as an aware datetime in ``tz`` (None when nothing came)."""
    return [
        [INDENT * depth + u.name, u.label, *([None] * (len(BOARD_COLUMNS) - 2))]
        if isinstance(u, GroupLine)
        else [
            INDENT * depth + u.name,
            u.label,
            u.file_shown,
            local(u.received_at, tz) if u.received_at else None,
            u.errors,
            u.warnings,
            u.explained,
            "是" if u.late else "",
            u.review_label,
        ]
        for depth, u in in_tree(status)
    ]


def chase_list(status: CycleStatus) -> list[list[str]]:
    """催报名单: units that sent nothing or were sent back, with whom to call."""
    return [
        [u.name, _chase_reason(u), u.contact, u.phone]
        for u in status.units
        if u.status in CHASE_REASONS
    ]


def _chase_reason(unit: UnitStatus) -> str:
    reason = CHASE_REASONS[unit.status]
    if unit.status is Status.MISSING:
        note = other_years_note(o.year for o in unit.other_years)
        return f"{reason}（{note}）" if note else reason
    return reason


def board_rows(status: CycleStatus, tz: str = DEFAULT_TIMEZONE) -> list[Row]:
    """The run page's completeness board: one row per roster unit, in roster order;
    received times in the office's time zone ``tz``."""
    when = received_column(tz)
    return [
        {
            "单位": INDENT * depth + u.name,
            "状态": u.label,
            "文件": "",
            when: "",
            "错误数": "",
            "提示数": "",
        }
        if isinstance(u, GroupLine)
        else {
            "单位": INDENT * depth + u.name,
            "状态": u.label,
            "文件": u.file_shown,
            when: shown(u.received_at, tz, label=False) if u.received_at else "",
            "错误数": u.errors,
            "提示数": u.warnings,
            "审核": u.review_label,
            "可疑程度": _suspicion(u),
        }
        for depth, u in in_tree(status)
    ]


def _suspicion(unit: UnitStatus) -> str:
    """The board's 可疑程度: the most significant plausibility warning, "" when none."""
    top = suspicion(unit)
    return f"{top:.2f}" if top else ""


def review_markdown(status: CycleStatus) -> str:
    """The run page's 待审核单位（按可疑程度排序）: the review list, most suspicious first."""
    entries = review_list(status)
    head = f"## {status.year}年度{REVIEW_TITLE}\n\n"
    if not entries:
        return head + "没有待审核的单位。\n"
    flagged = sum(1 for e in entries if e.flags)
    rows: list[Row] = [dict(zip(REVIEW_COLUMNS, row, strict=True)) for row in review_rows(entries)]
    return (
        f"{head}共{len(entries)}个单位，其中{flagged}个有可疑提示（可疑程度1为达到提示标准，"
        f"越大越可疑）。\n\n{markdown_table(rows)}\n"
    )


def findings_rows(status: CycleStatus) -> list[Row]:
    """How often each finding code occurs per unit (first-seen order): each roster unit's
    current file, then the run's findings (files of a unit that were not read, e.g. still
    being written, or of no unit)."""
    names = {u.code: u.name for u in status.units}
    counts = Counter((u.name, f.code) for u in status.units for f in u.findings)
    counts.update((names.get(f.unit, NO_UNIT), f.code) for f in status.findings)
    rows: list[Row] = []
    for (name, code), n in counts.items():
        kind = CATALOGUE[code]
        rows.append(
            {
                "单位": name,
                "问题代码": code,
                "问题": kind.title,
                "级别": SEVERITY_LABELS[kind.severity],
                "数量": n,
            }
        )
    return rows


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def key_total_rows(result: CycleResult, cells: Sequence[tuple[str, str]] = KEY_CELLS) -> list[Row]:
    """Key figures by accepted unit, then a 合计 row with the city totals."""
    names = {u.code: u.name for u in result.roster}
    rows: list[Row] = []
    for code, values in result.breakdown.items():
        row: Row = {"单位": names.get(code, code)}
        row.update({title: _number(values.get(cid, Decimal(0))) for cid, title in cells})
        rows.append(row)
    total: Row = {"单位": "合计"}
    total.update({title: _number(result.totals.get(cid, Decimal(0))) for cid, title in cells})
    return [*rows, total]


def markdown_table(rows: Sequence[Row]) -> str:
    """A GitHub-style Markdown table of rows sharing the same keys."""
    if not rows:
        return ""
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for row in rows:
        cells = [str(row[h]).replace("|", "\\|") for h in heads]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def findings_markdown(status: CycleStatus) -> str:
    """The findings summary for the run page."""
    rows = findings_rows(status)
    head = f"## {status.year}年度校验问题汇总\n\n"
    if not rows:
        return head + "本次运行没有发现问题。\n"
    errors = sum(int(r["数量"]) for r in rows if r["级别"] == "错误")
    warnings = sum(int(r["数量"]) for r in rows) - errors
    return f"{head}共{errors}条错误、{warnings}条提示。\n\n{markdown_table(rows)}\n"


def outputs_markdown(
    year: int, paths: Mapping[str, str], database: str, *, dry_run: bool = False
) -> str:
    """Where this run wrote its outputs (and whether it wrote the database)."""
    lines = [f"## {year}年度输出文件", ""]
    for name, path in paths.items():
        lines.append(f"- {OUTPUT_LABELS.get(name, name)}：`{path}`")
    lines.append("")
    if dry_run:
        lines.append(f"试运行：未写入数据库（`{database}`）。")
    else:
        lines.append(f"数据库：`{database}`")
    return "\n".join(lines) + "\n"
