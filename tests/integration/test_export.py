"""汇总表.xlsx / 汇总表.csv of a cycle built from real workbooks, read back from disk."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from nianbao.core.export_rows import header_label
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.read import read_totals
from nianbao.io.db.write import store_cycle
from nianbao.io.export import CSV_NAME, XLSX_NAME, write_summary
from tests.integration.real_cycle import SPEC, YEAR, build_real_cycle

pytestmark = pytest.mark.integration


def number(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def test_summary_total_row_equals_the_stored_totals(tmp_path: Path) -> None:
    cycle = build_real_cycle(tmp_path / "inbox")
    out = tmp_path / "output" / str(YEAR)
    paths = write_summary(SPEC, cycle.result, out)
    assert paths == {"summary_xlsx": out / XLSX_NAME, "summary_csv": out / CSV_NAME}

    engine = make_engine(f"sqlite:///{tmp_path / 'nianbao.db'}")
    try:
        upgrade(engine)
        store_cycle(engine, cycle.result)
        stored = read_totals(engine, YEAR)
    finally:
        engine.dispose()
    assert stored is not None

    ws = load_workbook(out / XLSX_NAME).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    labels, ids, *units, total = rows
    cells = [c.id for c in SPEC.cells]
    assert list(ids) == ["unit_code", "unit_name", "status", *cells]
    assert list(labels) == ["单位代码", "单位名称", "状态", *(header_label(c) for c in SPEC.cells)]
    assert labels[3 + cells.index("s3_new_natural")] == (
        "一、本年新收政府信息公开申请数量 / 申请人情况 / 自然人"
    )
    assert labels[3 + cells.index("s2_procurement_amount")].endswith("采购总金额（万元）")
    assert [(r[0], r[1], r[2]) for r in units] == [
        ("alpha", "甲局", "已接收"),
        ("beta", "乙镇", "已接收"),
        ("gamma", "丙委", "已退回"),
    ]
    assert total[1] == "合计"

    by_id = dict(zip(ids, total, strict=True))
    assert {cid: number(by_id[cid]) for cid in cells} == stored.totals
    assert {cid: number(by_id[cid]) for cid in cells} == cycle.result.totals
    for unit in units:
        figures = dict(zip(ids, unit, strict=True))
        if unit[0] == "gamma":
            assert all(figures[cid] is None for cid in cells)
        else:
            assert {cid: number(figures[cid]) for cid in cells} == stored.units[unit[0]]
    for i, cid in enumerate(cells, start=3):
        column = [number(u[i]) or Decimal(0) for u in units]
        assert sum(column, Decimal(0)) == number(total[i]), cid

    raw = (out / CSV_NAME).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (out / CSV_NAME).open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert len(table) == len(rows)
    assert table[:2] == [list(labels), list(ids)]
    for from_csv, from_xlsx in zip(table[2:], rows[2:], strict=True):
        assert from_csv[:3] == ["" if v is None else v for v in from_xlsx[:3]]
        assert [number(v) for v in from_csv[3:]] == [number(v) for v in from_xlsx[3:]]
