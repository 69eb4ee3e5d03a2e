"""The rows of 汇总表: every roster unit, its status label, and a 合计 row equal to the totals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from nianbao.core.export_rows import LEAD_IDS, TOTAL_LABEL, header_label, summary_table
from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Status, Submission
from nianbao.core.process import consolidate
from nianbao.core.validate import derive
from tests.helpers import ROSTER, unit_figures


def submission(unit: str, status: Status, values: dict[str, Decimal]) -> Submission:
    return Submission(
        unit,
        f"{unit}.xlsx",
        unit * 8,
        datetime(2021, 1, 10, tzinfo=UTC),
        SPEC.id,
        status,
        values,
        {},
        (),
    )


def derived(figures: dict[str, Decimal]) -> dict[str, Decimal]:
    """A unit's complete figures (inputs and 总计 cells), as validation leaves them."""
    out: dict[str, Decimal | None] = dict(figures)
    derive(SPEC, out)
    return {cid: v for cid, v in out.items() if v is not None}


def test_rows_cover_the_roster_and_the_total_row_equals_the_totals() -> None:
    a = derived(unit_figures(1))
    assert len(a) == len(SPEC.cells)
    result = consolidate(
        SPEC,
        2020,
        ROSTER,
        [
            submission("alpha", Status.ACCEPTED_WITH_WARNINGS, a),
            submission("beta", Status.REJECTED, {}),
        ],
    )
    table = summary_table(SPEC, result)
    assert table.ids == (*LEAD_IDS, *(c.id for c in SPEC.cells))
    assert table.labels[3:] == tuple(header_label(c) for c in SPEC.cells)
    assert [r[:3] for r in table.rows] == [
        ("alpha", "甲局", "已接收（有提示）"),
        ("beta", "乙镇", "已退回"),
        ("gamma", "丙委", "未报送"),
        ("", TOTAL_LABEL, "已接收1个，共3个单位"),
    ]
    assert dict(zip(table.ids[3:], table.rows[0][3:], strict=True)) == a
    assert set(table.rows[1][3:]) == set(table.rows[2][3:]) == {None}
    assert dict(zip(table.ids[3:], table.rows[-1][3:], strict=True)) == result.totals
