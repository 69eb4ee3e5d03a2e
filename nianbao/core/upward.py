"""Sending totals upward (上报): the sheet 下级单位明细 of a county's return to its parent.

A county fills the template its parent issued with its totals and adds this sheet: one row
per accepted unit with its figures (every cell of the format), the sha256 of the unit's
source workbook, the finalized version the figures come from (未定稿 for a draft export),
and a check code over the row. The parent reads the sheet with the return and checks that
its units add up, cell by cell, to the return's figures; a row whose figures no longer match
its check code has been changed since the export, and is named with the cells that no
longer add up. Pure: the writer and the reader are in ``nianbao.io.upward`` and the intake.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nianbao.core.findings import Finding
from nianbao.core.layout import a1
from nianbao.core.numbers import fmt, normal, to_decimal
from nianbao.core.spec import FormatSpec

BREAKDOWN_SHEET = "下级单位明细"
DRAFT_NOTE = "本表为未定稿数据"
UNFINALIZED = "未定稿"  # the version of figures exported before the year was finalized
LEAD_LABELS = ("单位代码", "单位名称", "源文件SHA-256", "定稿版本", "校验码")
LEAD_IDS = ("unit_code", "unit_name", "sha256", "version", "check")
TOTAL_LABEL = "合计"
TITLE_ROW, NOTE_ROW, LABEL_ROW, ID_ROW = 1, 2, 3, 4
FIRST_ROW = 5  # the first unit's row
CHECK_LENGTH = 16  # hex digits of the check code


@dataclass(frozen=True)
class UnitLine:
    """One unit's row of the breakdown."""

    code: str
    name: str
    sha256: str
    version: str
    values: Mapping[str, Decimal]


def check_code(spec: FormatSpec, line: UnitLine) -> str:
    """The row's check code: a digest of the unit, its source, version and figures."""
    parts = [line.code, line.name, line.sha256, line.version]
    parts += (f"{c.id}={fmt(line.values.get(c.id, Decimal(0)))}" for c in spec.cells)
    return hashlib.sha256("\t".join(parts).encode()).hexdigest()[:CHECK_LENGTH]


def breakdown_rows(
    spec: FormatSpec,
    title: str,
    note: str,
    lines: Sequence[UnitLine],
    totals: Mapping[str, Decimal],
) -> list[list[Any]]:
    """The sheet's rows from A1: title, note, labels, cell ids, one row per unit, 合计."""
    width = len(LEAD_IDS) + len(spec.cells)
    rows: list[list[Any]] = [
        [title, *[None] * (width - 1)],
        [note, *[None] * (width - 1)],
        [*LEAD_LABELS, *(c.label for c in spec.cells)],
        [*LEAD_IDS, *(c.id for c in spec.cells)],
    ]
    for line in lines:
        lead = [line.code, line.name, line.sha256, line.version, check_code(spec, line)]
        rows.append([*lead, *(line.values.get(c.id, Decimal(0)) for c in spec.cells)])
    rows.append(["", TOTAL_LABEL, "", "", "", *(totals.get(c.id, Decimal(0)) for c in spec.cells)])
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_breakdown(
    spec: FormatSpec, grid: list[list[Any]]
) -> tuple[list[tuple[int, UnitLine, str]], list[Finding]]:
    """(sheet row, line, check code as written) of each unit row, and the findings on a
    sheet that cannot be read as a breakdown of ``spec``."""

    def at(row: int, col: int) -> Any:
        try:
            return grid[row - 1][col - 1]
        except IndexError:
            return None

    ids = [_text(at(ID_ROW, c)) for c in range(1, len(LEAD_IDS) + len(spec.cells) + 1)]
    expected = [*LEAD_IDS, *(c.id for c in spec.cells)]
    for col, (got, want) in enumerate(zip(ids, expected, strict=True), start=1):
        if got != want:
            return [], [_unreadable(a1(ID_ROW, col), f"应为编号“{want}”，实为“{got}”")]
    lines, findings = [], []
    first = len(LEAD_IDS) + 1
    for row in range(FIRST_ROW, len(grid) + 1):
        code, name = _text(at(row, 1)), _text(at(row, 2))
        if not code and name == TOTAL_LABEL:
            break
        if not code:
            findings.append(_unreadable(a1(row, 1), "缺少单位代码"))
            continue
        values: dict[str, Decimal] = {}
        for col, cell in enumerate(spec.cells, start=first):
            raw = at(row, col)
            value = raw if isinstance(raw, Decimal) else to_decimal(raw)
            if value is None:
                findings.append(_unreadable(a1(row, col), f"“{_text(at(row, col))}”不是数字"))
                break
            values[cell.id] = normal(value)
        else:
            line = UnitLine(code, name, _text(at(row, 3)), _text(at(row, 4)), values)
            lines.append((row, line, _text(at(row, 5))))
    return lines, findings


def _unreadable(cell: str, why: str) -> Finding:
    return Finding("breakdown-unreadable", sheet=BREAKDOWN_SHEET, cell=cell, actual=why)


def check_breakdown(
    spec: FormatSpec, grid: list[list[Any]], values: Mapping[str, Decimal]
) -> list[Finding]:
    """Findings on a return's 下级单位明细 against the return's figures ``values``: cells
    whose units do not add up to the figure (named at the changed unit's row when one row's
    check code fails, else at the 合计 row), and changed rows whose columns still add up."""
    lines, findings = read_breakdown(spec, grid)
    if findings:
        return findings
    changed = [(row, line) for row, line, code in lines if code != check_code(spec, line)]
    total_row = FIRST_ROW + len(lines)
    out: list[Finding] = []
    named: set[int] = set()
    first = len(LEAD_IDS) + 1
    for col, cell in enumerate(spec.cells, start=first):
        added = sum((line.values[cell.id] for _, line, _ in lines), Decimal(0))
        figure = values.get(cell.id, Decimal(0))
        if normal(added) == normal(figure):
            continue
        row, who = total_row, (TOTAL_LABEL,)
        if len(changed) == 1:
            row, line = changed[0]
            who = (f"{line.name}（{line.code}）",)
            named.add(row)
        out.append(
            Finding(
                "breakdown-mismatch",
                sheet=BREAKDOWN_SHEET,
                cell=a1(row, col),
                row_path=who,
                column_path=(*cell.row_path, *cell.column_path),
                expected=fmt(figure),
                actual=fmt(added),
            )
        )
    out += _altered(spec, [(r, line) for r, line in changed if r not in named])
    return out


def _altered(spec: FormatSpec, changed: Sequence[tuple[int, UnitLine]]) -> Iterator[Finding]:
    last = a1(1, len(LEAD_IDS) + len(spec.cells))[:-1]  # the last column's letters
    for row, line in changed:
        yield Finding(
            "breakdown-altered",
            sheet=BREAKDOWN_SHEET,
            cell=f"A{row}:{last}{row}",
            row_path=(f"{line.name}（{line.code}）",),
        )


def breakdown_of(spec: FormatSpec, grid: list[list[Any]]) -> list[UnitLine]:
    """The unit rows of a breakdown sheet (none when it cannot be read)."""
    lines, findings = read_breakdown(spec, grid)
    return [] if findings else [line for _, line, _ in lines]
