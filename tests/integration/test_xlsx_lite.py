"""The plain-table writer's dates, borders, number formats, merges and print set-up, read
back with openpyxl (a warning would fail: filterwarnings = error)."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from nianbao.io.text_measure import display_width, row_height, text_lines
from nianbao.io.xlsx_lite import (
    DATETIME_FORMAT,
    PageSetup,
    Sheet,
    Style,
    excel_serial,
    write_workbook,
)

pytestmark = pytest.mark.integration
MOMENT = datetime(2021, 1, 10, 10, 0, 0)


def test_a_datetime_is_an_excel_date_with_a_date_time_format(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    own = Style(num_fmt="yyyy年m月d日")
    rows = [["a", MOMENT, MOMENT, 3]]
    write_workbook(path, [Sheet("表", rows, cell_styles={(1, 3): own})])
    ws = load_workbook(path)["表"]
    assert ws["B1"].value == MOMENT and ws["B1"].is_date
    assert ws["B1"].number_format == DATETIME_FORMAT
    assert ws["C1"].value == MOMENT and ws["C1"].number_format == "yyyy年m月d日"
    assert ws["D1"].value == 3 and not ws["D1"].is_date


def test_an_aware_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="zone"):
        excel_serial(MOMENT.replace(tzinfo=UTC))


@given(st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2200, 1, 1)))
def test_excel_serial_counts_days_from_1899_12_30(moment: datetime) -> None:
    serial = excel_serial(moment)
    assert int(serial) == (moment.date() - datetime(1899, 12, 30).date()).days
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    assert abs((serial - int(serial)) * 86400 - seconds) < 1e-3


def test_borders_number_formats_merges_heights(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    sheet = Sheet(
        "表",
        [["标题", None, None], ["甲", 1, 2.5], ["乙", None, None]],
        row_styles={1: Style(bold=True, horizontal="center")},
        cell_styles={(2, 3): Style(border=True, num_fmt="0.00")},
        styled_from=(2, Style(border=True, indent=1)),
        merges=["A1:C1"],
        default_height=18.0,
    )
    write_workbook(path, [sheet])
    ws = load_workbook(path)["表"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert ws["A1"].alignment.horizontal == "center"
    for ref in ("A2", "B2", "C2", "B3", "C3"):  # empty cells of a styled row keep the frame
        assert ws[ref].border.left.style == "thin", ref
    assert ws["C2"].number_format == "0.00" and ws["C2"].value == 2.5
    assert ws["A2"].alignment.indent == 1
    assert ws.sheet_format.defaultRowHeight == 18.0


def test_print_setup_a4_fit_width_titles_and_footer(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [["标题"], ["单位", "数"], *([f"单位{i}", i] for i in range(100))]
    fit = PageSetup(landscape=True, title_rows=(1, 2))
    wide = PageSetup(
        landscape=True, fit_width=False, scale=70, title_rows=(1, 2), title_cols=(1, 1)
    )
    write_workbook(path, [Sheet("一's", rows, page=fit), Sheet("二", rows, page=wide)])
    wb = load_workbook(path)
    one, two = wb["一's"], wb["二"]
    for ws in (one, two):
        assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$1:$2"
        assert "&P" in str(ws.oddFooter.center.text) and "&N" in str(ws.oddFooter.center.text)
    assert one.sheet_properties.pageSetUpPr.fitToPage
    assert (int(one.page_setup.fitToWidth), int(one.page_setup.fitToHeight)) == (1, 0)
    assert not (two.sheet_properties.pageSetUpPr and two.sheet_properties.pageSetUpPr.fitToPage)
    assert int(two.page_setup.scale) == 70 and two.print_title_cols == "$A:$A"


def test_every_sheet_prints_on_a4_one_page_wide_by_default(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", [[1]])])
    ws = load_workbook(path)["表"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1


def test_text_measure_counts_cjk_twice_and_wraps() -> None:
    assert display_width("SHA-256") == 7
    assert display_width("是否逾期") == 8
    assert text_lines("是否逾期", 10) == 1
    assert text_lines("是否逾期" * 3, 10) == 3
    assert text_lines("一\n二", 40) == 2
    assert row_height([("是否逾期" * 3, 10), ("a", 5)]) > row_height([("a", 5)])


def test_the_hand_written_zip_container_is_a_valid_zip_with_a_fixed_date(tmp_path: Path) -> None:
    rows = [["甲", 1, MOMENT], *([f"行{i}", i, None] for i in range(3000))]  # several chunks
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(first, [Sheet("表", rows), Sheet("二", [["x"]])])
    write_workbook(second, [Sheet("表", rows), Sheet("二", [["x"]])])
    assert first.read_bytes() == second.read_bytes()  # the same bytes for the same content
    with zipfile.ZipFile(first) as archive:
        assert archive.testzip() is None  # every member's CRC-32 and sizes check out
        infos = archive.infolist()
        assert {i.filename for i in infos} == {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        }
        assert {(i.date_time, i.compress_type) for i in infos} == {
            ((1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED)
        }
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == len(rows) and "行2999" in sheet


_FLOAT = st.one_of(st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False))
_DECIMAL = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
)
_VALUE = st.one_of(_FLOAT, _DECIMAL, st.none(), st.booleans(), st.text("甲乙 a<&\"'", max_size=4))


def _rows(width: int) -> st.SearchStrategy[list[list[object]]]:
    """Rows as 汇总表's (a unit's name, then numbers of one kind), or of anything."""
    lead = st.lists(st.text("甲乙a", max_size=3), max_size=2)
    numbers = st.one_of(st.lists(_FLOAT, max_size=width), st.lists(_DECIMAL, max_size=width))
    table_row = st.tuples(lead, numbers).map(lambda p: [*p[0], *p[1]])
    return st.lists(st.one_of(table_row, st.lists(_VALUE, max_size=width)), max_size=6)


def _read_back(value: object) -> object:
    """What openpyxl reads for a written value."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return None if value == "" else value


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 7).flatmap(
        lambda w: st.lists(st.lists(_VALUE, min_size=w, max_size=w), max_size=6)
    ),
    st.sets(st.tuples(st.integers(1, 6), st.integers(1, 7)), max_size=5),
    st.booleans(),
)
def test_rows_of_numbers_mixed_with_text_blanks_and_own_styles_read_back(
    rows: list[list[object]], styled: set[tuple[int, int]], bordered: bool
) -> None:
    """Each value reads back as written (decimals as Excel keeps them) wherever it sits,
    and a cell with a style of its own keeps it, also among a row's numbers."""
    bold = Style(bold=True)
    sheet = Sheet(
        "表",
        rows,  # type: ignore[arg-type]
        cell_styles={rc: bold for rc in styled},
        styled_from=(2, Style(border=True)) if bordered else None,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        write_workbook(path, [sheet])
        ws = load_workbook(path)["表"]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c)
                assert cell.value == _read_back(value), (r, c, value)
                assert bool(cell.font.b) == ((r, c) in styled), (r, c)
                row_border = bordered and r >= 2 and (r, c) not in styled
                assert (cell.border.left.style == "thin") == row_border, (r, c)
