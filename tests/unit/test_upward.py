"""The 下级单位明细 sheet as plain rows: written, read back and checked against the figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nianbao.core.formats import FORMATS
from nianbao.core.layout import a1
from nianbao.core.upward import (
    FIRST_ROW,
    ID_ROW,
    LEAD_IDS,
    UNFINALIZED,
    UnitLine,
    breakdown_rows,
    check_breakdown,
)

SPEC = FORMATS["2019"]
CELLS = [c.id for c in SPEC.cells]


def _lines() -> list[UnitLine]:
    return [
        UnitLine(
            f"u{i}",
            f"单位{i}",
            f"{i}" * 64,
            UNFINALIZED,
            {
                c: Decimal(i * 3 + n % 7) / (100 if "amount" in c else 1)
                for n, c in enumerate(CELLS)
            },
        )
        for i in range(1, 4)
    ]


def _grid(lines: list[UnitLine]) -> tuple[list[list[Any]], dict[str, Decimal]]:
    totals = {c: sum((line.values[c] for line in lines), Decimal(0)) for c in CELLS}
    return breakdown_rows(SPEC, "标题", "本表为未定稿数据", lines, totals), totals


def test_an_untouched_breakdown_adds_up() -> None:
    grid, totals = _grid(_lines())
    assert check_breakdown(SPEC, grid, totals) == []


def test_a_changed_figure_is_named_at_its_unit_and_cell() -> None:
    grid, totals = _grid(_lines())
    col = len(LEAD_IDS) + CELLS.index("s3_new_natural")  # 0-based
    grid[FIRST_ROW][col] += 2  # the second unit
    (found,) = check_breakdown(SPEC, grid, totals)
    assert (found.code, found.cell, found.row_path) == (
        "breakdown-mismatch",
        a1(FIRST_ROW + 1, col + 1),
        ("单位2（u2）",),
    )
    assert (found.expected, found.actual) == (
        str(totals["s3_new_natural"]),
        str(totals["s3_new_natural"] + 2),
    )


def test_changed_return_figures_are_named_at_the_total_row() -> None:
    grid, totals = _grid(_lines())
    totals["s4_review_upheld"] += 1  # the table sheets changed, the breakdown not
    (found,) = check_breakdown(SPEC, grid, totals)
    col = len(LEAD_IDS) + CELLS.index("s4_review_upheld") + 1
    assert (found.code, found.cell, found.row_path) == (
        "breakdown-mismatch",
        a1(FIRST_ROW + 3, col),
        ("合计",),
    )


def test_a_sheet_of_other_columns_is_unreadable() -> None:
    grid, totals = _grid(_lines())
    grid[ID_ROW - 1][len(LEAD_IDS) + 1] = "something_else"
    (found,) = check_breakdown(SPEC, grid, totals)
    assert (found.code, found.cell) == ("breakdown-unreadable", a1(ID_ROW, len(LEAD_IDS) + 2))
