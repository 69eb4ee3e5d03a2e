"""The 2021 format as data, format choice per year, and cross-year continuity rules."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest

from nianbao.core.carry import carry_forward, carry_notes, check_continuity
from nianbao.core.formats import FORMAT_2019, FORMAT_2021, format_for_year
from nianbao.core.spec import CellType, FormatSpec
from tests.conftest import DATA

REFERENCE = (DATA / "report-format.md").read_text(encoding="utf-8")


def test_value_cell_counts() -> None:
    assert Counter(c.table for c in FORMAT_2021.cells) == {"s2": 10, "s3": 175, "s4": 15}


@pytest.mark.parametrize(
    ("year", "fid"), [(2019, "2019"), (2020, "2019"), (2021, "2021"), (2026, "2021")]
)
def test_year_picks_the_format(year: int, fid: str) -> None:
    assert format_for_year(year).id == fid


def test_override_beats_the_year() -> None:
    assert format_for_year(2022, "2019").id == "2019"


def test_s2_labels_equal_the_reference_2021_table() -> None:
    table = REFERENCE.split("2021 format (10 value cells):")[1].split("- The fee")[0]
    labels = {
        label
        for c in FORMAT_2021.cells
        if c.table == "s2"
        for label in (*c.row_path, *c.column_path)
    }
    for label in labels:
        assert label in table, label
    assert FORMAT_2021.cell["s2_fees_amount"].type is CellType.MONEY
    assert FORMAT_2021.cell["s2_fees_amount"].unit == "万元"


def test_s3_has_the_three_other_handling_rows_of_the_reference() -> None:
    block = REFERENCE.split("Rows, in order")[1].split("```")[1]
    ref = [
        re.sub(r"\s+\(2021\)$", "", line.strip()) for line in block.splitlines() if "(2021)" in line
    ]
    rows = [
        c.row_path[-1]
        for c in FORMAT_2021.cells
        if c.id.startswith("s3_other_") and c.id.endswith("_natural")
    ]
    assert rows == ref
    assert [c.row_path[-2] for c in FORMAT_2021.cells if c.id == "s3_other_other_natural"] == [
        "（六）其他处理"
    ]


def test_2021_a2_includes_the_other_handling_rows() -> None:
    eq = FORMAT_2021.definitions["s3_handled_total_natural"]
    assert {
        "s3_other_overdue_fix_natural",
        "s3_other_unpaid_natural",
        "s3_other_other_natural",
    } <= set(eq.rhs)
    assert "s3_other_natural" not in FORMAT_2021.cell


def zeros(spec: FormatSpec) -> dict[str, Decimal]:
    return {c.id: Decimal(0) for c in spec.cells}


def test_carry_forward_from_2019_into_2019() -> None:
    last = zeros(FORMAT_2019) | {
        "s3_carried_out_natural": Decimal(3),
        "s2_licensing_prev_items": Decimal(305),
        "s2_licensing_change": Decimal(-74),
    }
    pre = carry_forward(FORMAT_2019, last)
    assert pre["s3_carried_in_natural"] == 3
    assert pre["s2_licensing_prev_items"] == 231
    assert "s3_carried_in_total" not in pre  # derived, not an input


def test_across_the_format_change_only_shared_cells_carry_over() -> None:
    last = zeros(FORMAT_2019) | {
        "s3_carried_out_legal": Decimal(2),
        "s2_licensing_prev_items": Decimal(9),
    }
    pre = carry_forward(FORMAT_2021, last)
    assert pre["s3_carried_in_legal"] == 2
    assert set(pre) == {
        f"s3_carried_in_{c}"
        for c in ("natural", "commercial", "research", "nonprofit", "legal", "other")
    }
    assert carry_notes(FORMAT_2021, last) == {}  # 2019 has no 现行有效件数


def test_2021_shows_last_years_in_force_count_beside_the_block() -> None:
    last = zeros(FORMAT_2021) | {"s2_normative_docs_in_force": Decimal(40)}
    notes = carry_notes(FORMAT_2021, last)
    assert set(notes) == {"s2_regulations_in_force", "s2_normative_docs_in_force"}
    assert "40" in notes["s2_normative_docs_in_force"]


def test_continuity_warnings_appear_exactly_when_it_breaks() -> None:
    last = zeros(FORMAT_2021) | {
        "s3_carried_out_natural": Decimal(2),
        "s2_regulations_in_force": Decimal(10),
    }
    this = zeros(FORMAT_2021) | {
        "s3_carried_in_natural": Decimal(2),
        "s2_regulations_issued": Decimal(3),
        "s2_regulations_repealed": Decimal(1),
        "s2_regulations_in_force": Decimal(12),
    }
    assert list(check_continuity(FORMAT_2021, this, last)) == []
    broken = this | {"s3_carried_in_natural": Decimal(1), "s2_regulations_in_force": Decimal(13)}
    found = [
        (f.code, f.cell, f.expected, f.actual) for f in check_continuity(FORMAT_2021, broken, last)
    ]
    assert found == [
        ("a6-carry-over", "D8", "2", "1"),
        ("c3-in-force-continuity", "D6", "12", "13"),
    ]
    assert all(f.severity == "warning" for f in check_continuity(FORMAT_2021, broken, last))


def test_c1_in_the_2019_format() -> None:
    last = zeros(FORMAT_2019) | {"s2_fees_prev_items": Decimal(68), "s2_fees_change": Decimal(-1)}
    this = zeros(FORMAT_2019) | {"s2_fees_prev_items": Decimal(67)}
    assert list(check_continuity(FORMAT_2019, this, last)) == []
    this["s2_fees_prev_items"] = Decimal(68)
    assert [(f.code, f.cell) for f in check_continuity(FORMAT_2019, this, last)] == [
        ("c1-item-continuity", "B18")
    ]
