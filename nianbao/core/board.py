"""What the office sees of one run, as plain rows: the completeness board, a findings summary,
key totals and where the outputs went. Pure functions; Prefect artifacts are built from these
in ``tasks/report_artifacts.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

from nianbao.core.clock import DEFAULT_TIMEZONE, shown, zone_label
from nianbao.core.findings import CATALOGUE, Finding
from nianbao.core.model import CycleResult, Status, Submission
from nianbao.core.outputs import other_years_note
from nianbao.core.spec import Severity

Row = dict[str, str | int | float]

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


def current_submission(result: CycleResult, code: str) -> Submission | None:
    """A unit's submission that counts this run (None when it sent nothing)."""
    return result.current(code)


def received_column(tz: str = DEFAULT_TIMEZONE) -> str:
    """The board's time column, naming the zone: 接收时间（北京时间）."""
    return f"接收时间（{zone_label(tz)}）"


def board_rows(result: CycleResult, tz: str = DEFAULT_TIMEZONE) -> list[Row]:
    """The completeness board: one row per roster unit, in roster order; received times in
    the office's time zone ``tz``."""
    rows: list[Row] = []
    when = received_column(tz)
    for unit in result.roster:
        sub = current_submission(result, unit.code)
        findings = sub.findings if sub else ()
        errors = sum(f.severity is Severity.ERROR for f in findings)
        rows.append(
            {
                "单位": unit.name,
                "状态": (sub.status if sub else Status.MISSING).label,
                "文件": sub.file if sub else _other_years(result, unit.code),
                when: shown(sub.received_at, tz, label=False) if sub else "",
                "错误数": errors,
                "提示数": len(findings) - errors,
            }
        )
    return rows


def _other_years(result: CycleResult, code: str) -> str:
    """What a unit without this year's report has in its folder (another year's files)."""
    return other_years_note(s.other_year for s in result.other_years_of(code))


def _current_findings(result: CycleResult) -> list[tuple[str, Finding]]:
    """(unit name, finding) for each roster unit's current file, then the run's findings
    (on files of a unit that were not read, e.g. still being written, or of no unit)."""
    out = []
    names = {}
    for unit in result.roster:
        names[unit.code] = unit.name
        sub = current_submission(result, unit.code)
        out += [(unit.name, f) for f in (sub.findings if sub else ())]
    return out + [(names.get(f.unit, NO_UNIT), f) for f in result.findings]


def findings_rows(result: CycleResult) -> list[Row]:
    """How often each finding code occurs per unit (first-seen order)."""
    counts = Counter((name, f.code) for name, f in _current_findings(result))
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


def findings_markdown(result: CycleResult) -> str:
    """The findings summary for the run page."""
    rows = findings_rows(result)
    head = f"## {result.year}年度校验问题汇总\n\n"
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
