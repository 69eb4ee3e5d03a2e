"""Year-on-year change per cell (同比), including cells of only one format."""

from __future__ import annotations

from decimal import Decimal

from nianbao.core.compare import compare_totals
from nianbao.core.formats import FORMAT_2019
from nianbao.core.spec import Block, CellType, FormatSpec, Node, Table

D = Decimal


def small_spec(fid: str, rows: tuple[Node, ...], amount: CellType) -> FormatSpec:
    columns = (Node("数量", "n"), Node("金额", "amt", type=amount, unit="万元"))
    block = Block(columns=columns, rows=rows)
    return FormatSpec(fid, "标题", "通知", (Table("s2", "二、主动公开", "二", (block,)),), (), ())


LAST = small_spec("old", (Node("规章", "reg"), Node("规范性文件", "doc")), CellType.MONEY)
THIS = small_spec("new", (Node("规章", "reg"), Node("行政许可", "lic")), CellType.COUNT)


def test_same_format_every_cell_is_compared() -> None:
    this = {c.id: D(5) for c in FORMAT_2019.cells}
    last = {c.id: D(3) for c in FORMAT_2019.cells}
    last["s2_procurement_amount"] = D("2911.14")
    this["s2_procurement_amount"] = D("2911.14")
    changes = compare_totals(FORMAT_2019, this, last)
    assert [c.cell_id for c in changes] == [c.id for c in FORMAT_2019.cells]
    assert all(c.comparable for c in changes)
    by_id = {c.cell_id: c for c in changes}
    assert by_id["s3_new_total"].delta == D(2)
    assert by_id["s3_new_total"].percent == D("66.7")
    assert by_id["s3_new_total"].phrase() == "比上年增加2"
    assert by_id["s2_procurement_amount"].phrase() == "与上年持平"


def test_cells_of_one_format_only_are_not_comparable() -> None:
    this = {"s2_reg_n": D(7), "s2_reg_amt": D(1), "s2_lic_n": D(4), "s2_lic_amt": D(0)}
    last = {"s2_reg_n": D(9), "s2_reg_amt": D("1.5"), "s2_doc_n": D(2), "s2_doc_amt": D("0.5")}
    changes = compare_totals(THIS, this, last, LAST)
    table = [(c.cell_id, c.this, c.last, c.comparable, c.delta) for c in changes]
    assert table == [
        ("s2_reg_n", D(7), D(9), True, D(-2)),
        ("s2_reg_amt", D(1), D("1.5"), False, None),  # money last year, a count now
        ("s2_lic_n", D(4), None, False, None),
        ("s2_lic_amt", D(0), None, False, None),
        ("s2_doc_n", None, D(2), False, None),
        ("s2_doc_amt", None, D("0.5"), False, None),
    ]
    assert changes[0].phrase() == "比上年减少2"
    assert changes[2].phrase() == "无可比数据"
    assert changes[4].label == "规范性文件 / 数量"


def test_money_change_keeps_its_unit_and_a_missing_value_is_not_comparable() -> None:
    this = {"s2_reg_amt": D("10.25")}
    last = {"s2_reg_amt": D("12.5"), "s2_reg_n": D(0)}
    changes = {c.cell_id: c for c in compare_totals(LAST, this, last)}
    assert changes["s2_reg_amt"].delta == D("-2.25")
    assert changes["s2_reg_amt"].phrase() == "比上年减少2.25万元"
    assert changes["s2_reg_n"].comparable is False  # no value this year
    assert changes["s2_reg_n"].percent is None
