"""The 回执 an accepted unit gets in ``feedback/<code>/``, and the findings table it shares
with the marked-up workbook of a rejected one.

Written with the plain-table writer (no openpyxl): one per accepted unit, so it is cheap, and
the processes that write thousands of them import little.
"""

from __future__ import annotations

from pathlib import Path

from nianbao.core.findings import Finding
from nianbao.core.model import Submission, Unit
from nianbao.core.spec import Severity
from nianbao.io.xlsx_lite import Sheet, Style, Value, write_workbook

RECEIPT_SHEET = "回执"
FINDING_COLUMNS = ("级别", "规则", "问题", "单元格", "应为", "实为", "说明", "修改建议")
FINDING_WIDTHS = (6, 20, 60, 22, 10, 14, 24, 40)


def feedback_name(sub: Submission, year: int) -> str:
    """File name in ``feedback/<code>/``: stable per submission, so a rerun rewrites it."""
    kind = "退回修改" if not sub.status.accepted else "回执"
    return f"{year}年-{sub.sha256[:12]}-{kind}.xlsx"


def finding_row(f: Finding) -> list[str]:
    where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
    return [
        "错误" if f.severity is Severity.ERROR else "提示",
        f.code,
        f.message,
        where,
        f.expected,
        f.actual,
        f.explanation,
        f.hint,
    ]


def write_receipt(path: Path, unit: Unit, year: int, sub: Submission, late: bool) -> None:
    """A 回执 for an accepted return: when it arrived, its fingerprint, any warnings.

    Written with the plain-table writer: one per accepted unit, so it must be cheap.
    """
    lead: list[list[Value]] = [
        [f"{unit.name} {year}年度报表回执：{sub.status.label}"],
        ["原文件", sub.file],
        ["接收时间", sub.received_at.isoformat()],
        ["SHA-256", sub.sha256],
        ["是否逾期", "是（在截止时间之后报送）" if late else "否"],
        ["提示数", str(len(sub.findings))],
    ]
    header = len(lead) + 2
    rows: list[list[Value]] = [*lead, [], list(FINDING_COLUMNS)]
    rows += [list(finding_row(f)) for f in sub.findings]
    sheet = Sheet(
        RECEIPT_SHEET,
        rows,
        row_styles={header: Style(bold=True)},
        cell_styles={(1, 1): Style(bold=True, size=14, color="006100")},
        styled_from=(header + 1, Style(wrap=True, vertical="top")),
        widths=dict(enumerate(FINDING_WIDTHS, start=1)),
    )
    write_workbook(path, [sheet])
