"""The generated unit template, read back with openpyxl and python-calamine."""

from __future__ import annotations

import random
import re
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from nianbao.core import layout
from nianbao.core.formats import FORMAT_2019
from nianbao.core.model import Unit
from nianbao.core.spec import CellKind, CellType, Node
from nianbao.io.template_fill import fill_workbook
from nianbao.io.template_writer import write_template

pytestmark = pytest.mark.integration

SPEC = FORMAT_2019
UNIT = Unit("001", "市教育局")
YEAR = 2020
PREFILL = {"s2_licensing_prev_items": Decimal(12), "s2_fees_prev_items": Decimal(3)}
TABLE_SHEETS = ("二、主动公开", "三、依申请公开", "四、复议诉讼")
S3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "001.xlsx"
    write_template(SPEC, UNIT, YEAR, path, prefill=PREFILL)
    return path


@pytest.fixture(scope="module")
def wb(template: Path) -> Workbook:
    return load_workbook(template)


def _tables() -> list[tuple[layout.SheetLayout, str]]:
    return [(lay, lay.sheet) for lay in layout.layouts(SPEC)]


def _addr(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _expand(formula: str) -> set[str]:
    """Cells a ``=SUM(a,b:c,...)`` formula refers to."""
    m = re.fullmatch(r"=SUM\((.*)\)", formula)
    assert m, formula
    out: set[str] = set()
    for part in m.group(1).split(","):
        assert "!" not in part, part
        min_col, min_row, max_col, max_row = range_boundaries(part)
        assert None not in (min_col, min_row, max_col, max_row), part
        out |= {
            _addr(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)
        }
    return out


def _node_labels(nodes: tuple[Node, ...]) -> list[str]:
    return [t for n in nodes for t in (n.label, *_node_labels(n.children))]


# --- structure ----------------------------------------------------------------------


def test_sheet_names_and_order(wb: Workbook) -> None:
    assert wb.sheetnames == ["填报说明", *TABLE_SHEETS, "五六、文字材料及联系人", "_nianbao"]
    assert [t.sheet for t in SPEC.tables] == list(TABLE_SHEETS)
    assert wb.sheetnames[0] == layout.GUIDE_SHEET
    assert wb.sheetnames[-2:] == [layout.TEXT_SHEET, layout.META_SHEET]


def test_metadata_sheet(wb: Workbook) -> None:
    ws = wb[layout.META_SHEET]
    assert ws.sheet_state == "veryHidden"
    assert ws.protection.sheet
    found = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 6)}
    assert found == {
        "unit_code": "001",
        "unit_name": "市教育局",
        "year": 2020,
        "format": "2019",
        "template_version": "2",
    }
    for key, (row, col) in layout.meta_cells().items():
        assert ws.cell(row, 1).value == key
        assert ws.cell(row, col).value == found[key]


def test_calamine_reads_very_hidden_metadata(template: Path) -> None:
    cw = CalamineWorkbook.from_path(str(template))
    meta = {m.name: m.visible for m in cw.sheets_metadata}
    assert meta[layout.META_SHEET] == SheetVisibleEnum.VeryHidden
    assert meta["三、依申请公开"] == SheetVisibleEnum.Visible
    rows = cw.get_sheet_by_name(layout.META_SHEET).to_python()
    values = {row[0]: row[1] for row in rows}
    assert values["unit_code"] == "001"
    assert values["unit_name"] == "市教育局"
    assert values["year"] == 2020  # a number (calamine gives 2020.0)
    assert values["format"] == "2019"
    assert str(values["template_version"]) == "2"


def test_workbook_properties(wb: Workbook) -> None:
    assert wb.properties.title == "2020年政府信息公开工作年度报告统计表（市教育局）"
    assert wb.properties.creator == "nianbao"
    assert wb.security is not None and wb.security.lockStructure


# --- names and positions ------------------------------------------------------------


def test_every_input_has_a_defined_name_at_its_position(wb: Workbook) -> None:
    assert set(wb.defined_names) == set(SPEC.inputs)
    for cid in SPEC.inputs:
        lay = layout.sheet_layout(SPEC, SPEC.cell[cid].table)
        row, col = lay.cells[cid]
        dests = list(wb.defined_names[cid].destinations)
        assert dests == [(lay.sheet, f"${get_column_letter(col)}${row}")], cid


@pytest.mark.parametrize(
    ("cid", "text"),
    [
        ("s3_new_natural", "'三、依申请公开'!$D$7"),
        ("s3_carried_out_other", "'三、依申请公开'!$I$29"),
        ("s2_regulations_made", "'二、主动公开'!$B$6"),
        ("s2_procurement_amount", "'二、主动公开'!$C$21"),
        ("s4_review_upheld", "'四、复议诉讼'!$A$7"),
    ],
)
def test_defined_name_text(wb: Workbook, cid: str, text: str) -> None:
    assert wb.defined_names[cid].attr_text == text


def test_derived_cells_have_no_name(wb: Workbook) -> None:
    derived = [c.id for c in SPEC.cells if c.kind is CellKind.DERIVED]
    assert derived
    assert not set(derived) & set(wb.defined_names)


# --- labels -------------------------------------------------------------------------


def test_layout_labels_at_their_positions(wb: Workbook) -> None:
    for lay, sheet in _tables():
        ws = wb[sheet]
        for label in lay.labels:
            assert ws.cell(label.row, label.col).value == label.text, (sheet, label)


def test_merges(wb: Workbook) -> None:
    # value cells under a header stretched to the sheet's width are merged like it
    stretched = {"二、主动公开": {"C18:D18", "C21:D21"}}
    for lay, sheet in _tables():
        expected = {
            f"{_addr(lb.row, lb.col)}:{_addr(lb.row_end, lb.col_end)}"
            for lb in lay.labels
            if lb.merged
        } | stretched.get(sheet, set())
        assert {str(r) for r in wb[sheet].merged_cells.ranges} == expected, sheet


def test_table_texts_are_the_official_labels(wb: Workbook) -> None:
    """Every string in a table sheet is an official label from the spec, and vice versa."""
    for table in SPEC.tables:
        expected = Counter([table.title])
        for block in table.blocks:
            expected.update(t for t in (block.caption, block.corner) if t)
            expected.update(_node_labels(block.columns) + _node_labels(block.rows))
        ws = wb[table.sheet]
        found = Counter(
            cell.value
            for row in ws.iter_rows(min_row=layout.FIRST_BLOCK_ROW)
            for cell in row
            if isinstance(cell.value, str) and not cell.value.startswith(("=", "注："))
        )
        found[ws.cell(1, 1).value] += 1
        assert found == expected, table.sheet


def test_official_labels_spot_checks(wb: Workbook) -> None:
    s2, s3, s4 = (wb[s] for s in TABLE_SHEETS)
    assert s2["A4"].value == "第二十条第（一）项"
    assert s2["C20"].value == "采购总金额"
    assert s2["C17"].value == "本年增/减"
    assert s3["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert s3["A4"].value == S3_NOTE
    assert s3["D4"].value == "申请人情况"
    assert s3["E5"].value == "法人或其他组织"
    assert s3["B10"].value == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert s3["C13"].value == "3.危及“三安全一稳定”"
    assert s3["A29"].value == "四、结转下年度继续办理"
    assert s4["F4"].value == "行政诉讼"
    assert s4["K5"].value == "复议后起诉"


def test_info_row(wb: Workbook) -> None:
    for sheet in (*TABLE_SHEETS, layout.TEXT_SHEET):
        assert wb[sheet].cell(2, 1).value == "填报单位：市教育局　　报告年度：2020年"


# --- value cells --------------------------------------------------------------------


def test_input_cells(wb: Workbook) -> None:
    for cid in SPEC.inputs:
        sheet, ref = layout.locate(SPEC, cid)
        cell = wb[sheet][ref]
        if cid in PREFILL:
            assert cell.value == int(PREFILL[cid])
            assert cell.protection.locked
            assert cell.comment is not None
            assert cell.comment.text == "上年数据自动带入，不可修改"
        else:
            assert cell.value == 0, cid
            assert not cell.protection.locked, cid
            assert cell.comment is None
            assert cell.fill.fgColor.rgb.endswith("FFF2CC")


def test_money_cell(wb: Workbook) -> None:
    cell = wb["二、主动公开"]["C21"]
    assert cell.number_format == "0.00"
    assert SPEC.cell["s2_procurement_amount"].type is CellType.MONEY
    notes = [c.value for row in wb["二、主动公开"].iter_rows(min_row=21, max_row=21) for c in row]
    assert any(isinstance(v, str) and "万元" in v for v in notes)


def test_derived_cells_are_locked_sums_of_their_parts(wb: Workbook) -> None:
    derived = [c for c in SPEC.cells if c.kind is CellKind.DERIVED]
    # （七）总计 per column, 总计 per row (sharing one cell), the three groups of 四
    assert len(derived) == 7 + 23 - 1 + 3
    for c in derived:
        sheet, ref = layout.locate(SPEC, c.id)
        cell = wb[sheet][ref]
        assert cell.protection.locked
        assert cell.font.bold
        expected = {layout.locate(SPEC, r)[1] for r in SPEC.definitions[c.id].rhs}
        assert _expand(cell.value) == expected, c.id


@pytest.mark.parametrize(
    ("sheet", "ref", "cells"),
    [
        ("四、复议诉讼", "E7", {"A7", "B7", "C7", "D7"}),
        ("四、复议诉讼", "O7", {"K7", "L7", "M7", "N7"}),
        ("三、依申请公开", "J7", {f"{c}7" for c in "DEFGHI"}),
        ("三、依申请公开", "D28", {f"D{r}" for r in range(9, 28)}),
        ("三、依申请公开", "J28", {f"J{r}" for r in range(9, 28)}),
    ],
)
def test_derived_formula_spot_checks(wb: Workbook, sheet: str, ref: str, cells: set[str]) -> None:
    assert _expand(wb[sheet][ref].value) == cells


def _validations_of(ws: Worksheet, ref: str) -> list[DataValidation]:
    return [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]


def test_data_validations(wb: Workbook) -> None:
    rules = {
        CellType.COUNT: ("whole", "greaterThanOrEqual"),
        CellType.SIGNED: ("whole", "between"),
        CellType.MONEY: ("decimal", "greaterThanOrEqual"),
    }
    for lay, sheet in _tables():
        ws = wb[sheet]
        types = set()
        for cid, (row, col) in lay.cells.items():
            cell = SPEC.cell[cid]
            dvs = _validations_of(ws, _addr(row, col))
            if cell.kind is CellKind.DERIVED or cid in PREFILL:
                assert dvs == [], cid
                continue
            types.add(cell.type)
            assert len(dvs) == 1, cid
            dv = dvs[0]
            assert (dv.type, dv.operator) == rules[cell.type], cid
            assert dv.showErrorMessage and dv.showInputMessage
            assert dv.prompt and dv.error and dv.promptTitle and dv.errorTitle
            if cell.type is CellType.SIGNED:
                assert int(dv.formula1) <= -(10**6) and int(dv.formula2) >= 10**6
            else:
                assert dv.formula1 == "0"
            if cell.type is CellType.MONEY:
                assert "万元" in dv.prompt
        assert len(ws.data_validations.dataValidation) == len(types), sheet


def test_signed_cells_are_the_year_change_column() -> None:
    signed = {c.id for c in SPEC.cells if c.type is CellType.SIGNED}
    assert signed == {f"s2_{r}_change" for r in ("licensing", "other_services", "penalty")} | {
        "s2_enforcement_change",
        "s2_fees_change",
    }


# --- sheets -------------------------------------------------------------------------


def test_protection_on_every_sheet(wb: Workbook) -> None:
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title


def test_print_setup(wb: Workbook) -> None:
    for sheet in TABLE_SHEETS:
        ws = wb[sheet]
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert int(ws.page_setup.fitToWidth) == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_text_sheet(wb: Workbook) -> None:
    ws = wb[layout.TEXT_SHEET]
    labels = {t.key: t.label for t in SPEC.texts}
    assert labels["problems"] == "存在的主要问题及改进情况"
    assert labels["other_matters"] == "其他需要报告的事项"
    for key, (row, col) in layout.text_cells(SPEC).items():
        assert col == 2
        assert ws.cell(row, 1).value == labels[key]
        value = ws.cell(row, col)
        assert value.value is None
        assert not value.protection.locked
        assert value.alignment.wrap_text
        assert _validations_of(ws, _addr(row, col))  # a prompt


def test_guide_mentions_inbox_folder(wb: Workbook) -> None:
    text = "\n".join(str(c.value) for row in wb[layout.GUIDE_SHEET].iter_rows() for c in row)
    assert "inbox/001/" in text
    assert "万元" in text
    assert "负数" in text


def test_prefill_must_name_input_cells(tmp_path: Path) -> None:
    for bad in ("s3_new_total", "no_such_cell"):
        with pytest.raises(KeyError):
            write_template(SPEC, UNIT, YEAR, tmp_path / "x.xlsx", prefill={bad: Decimal(1)})


def test_output_is_deterministic(tmp_path: Path) -> None:
    def parts(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(SPEC, UNIT, YEAR, a, prefill=PREFILL)
    write_template(SPEC, UNIT, YEAR, b, prefill=PREFILL)
    assert parts(a) == parts(b)


# --- filling by id ------------------------------------------------------------------


def _arbitrary_values(seed: int) -> dict[str, Decimal]:
    rnd = random.Random(seed)
    values: dict[str, Decimal] = {}
    for cid in SPEC.inputs:
        cell_type = SPEC.cell[cid].type
        if cell_type is CellType.MONEY:
            values[cid] = Decimal(rnd.randint(0, 10**7)) / 100
        elif cell_type is CellType.SIGNED:
            values[cid] = Decimal(rnd.randint(-500, 500))
        else:
            values[cid] = Decimal(rnd.randint(0, 10**6))
    return values


TEXTS = {
    "problems": "一是……\n二是……",
    "other_matters": "无",
    "contact_person": "张三",
    "contact_phone": "0453-3921234",
    "filled_date": "2021年1月8日",
    "explanation": "口岸委由原两个机构合并，上年结转数有变化。",
}


def test_fill_round_trip(template: Path, tmp_path: Path) -> None:
    values = _arbitrary_values(7)
    out = tmp_path / "filled.xlsx"
    fill_workbook(template, values, TEXTS, out=out)
    wb = load_workbook(out, data_only=False)
    for cid, expected in values.items():
        sheet, ref = layout.locate(SPEC, cid)
        got = wb[sheet][ref].value
        assert Decimal(str(got)) == expected, cid
        if SPEC.cell[cid].type is not CellType.MONEY:
            assert isinstance(got, int), cid
    for key, (row, col) in layout.text_cells(SPEC).items():
        assert wb[layout.TEXT_SHEET].cell(row, col).value == TEXTS[key]
    # the template's machinery survives an openpyxl load/save
    assert wb[layout.META_SHEET].sheet_state == "veryHidden"
    assert set(wb.defined_names) == set(SPEC.inputs)
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert wb["三、依申请公开"]["J7"].value.startswith("=SUM(")
    assert _validations_of(wb["三、依申请公开"], "D7")


def test_filled_values_read_by_calamine(template: Path, tmp_path: Path) -> None:
    values = _arbitrary_values(11)
    out = tmp_path / "filled.xlsx"
    fill_workbook(template, values, out=out)
    cw = CalamineWorkbook.from_path(str(out))
    grids = {lay.sheet: cw.get_sheet_by_name(lay.sheet).to_python() for lay in layout.layouts(SPEC)}
    for cid, expected in values.items():
        lay = layout.sheet_layout(SPEC, SPEC.cell[cid].table)
        row, col = lay.cells[cid]
        assert Decimal(str(grids[lay.sheet][row - 1][col - 1])) == expected, cid


def test_fill_in_place_and_money_rounding(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(SPEC, UNIT, YEAR, path)
    fill_workbook(path, {"s2_procurement_amount": Decimal("2911.145"), "s3_new_natural": 5})
    wb = load_workbook(path)
    assert wb["二、主动公开"]["C21"].value == pytest.approx(2911.15)
    assert wb["三、依申请公开"]["D7"].value == 5


def test_fill_rejects_unknown_ids(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    with pytest.raises(KeyError):
        fill_workbook(template, {"no_such_cell": Decimal(1)}, out=out)
    with pytest.raises(KeyError):  # derived cells are not fillable
        fill_workbook(template, {"s3_new_total": Decimal(1)}, out=out)
    with pytest.raises(KeyError):
        fill_workbook(template, {}, {"no_such_text": "x"}, out=out)
