"""The sheet-extent bound against calamine itself: for any spelling of cells and references
(quotes, spacing, case, namespace prefixes, cells without a reference), the bound is at
least the rectangle calamine builds, and the quick look says "small" only when it is."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from nianbao.core.layout import col_letter
from nianbao.core.model import Unit
from nianbao.io.extent import SMALL, column_number, sheet_extent, within_small
from tests.helpers import make_workbook, unit_figures
from tests.xlsx_surgery import parts

pytestmark = pytest.mark.integration

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


# How a cell is written: (format of its start tag, given the reference); None: no reference.
SPELLINGS = (
    '<c r="{}">',
    "<c r='{}'>",
    '<c r = "{}">',
    '<c\tr="{}">',
    '<c t="n" r="{}">',
    '<x:c r="{}">',
    None,
)


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    """A worksheet of a few rows of cells at random places, spelt in random ways."""
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row = draw(st.one_of(st.integers(1, 4), st.integers(1, 1100)))
        cells = []
        for _ in range(draw(st.integers(1, 4))):
            col = draw(st.one_of(st.integers(1, 4), st.integers(1, 760)))
            ref = col_letter(col) + str(row)
            if draw(st.booleans()):
                ref = ref.lower()
            spelling = draw(st.sampled_from(SPELLINGS))
            tag = "<c>" if spelling is None else spelling.format(ref)
            close = "</x:c>" if tag.startswith("<x:") else "</c>"
            cells.append(f"{tag}<v>1</v>{close}")
        row_tag = draw(st.sampled_from([f'<row r="{row}">', "<row>"]))
        rows.append(row_tag + "".join(cells) + "</row>")
    return (
        f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"><sheetData>{"".join(rows)}'
        "</sheetData></worksheet>"
    ).encode()


def calamine_extent(xml: bytes) -> tuple[int, int] | None:
    """(rows, columns) from A1 of the sheet as calamine reads it; None when it refuses it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in PARTS.items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    try:
        grid = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
        rows = grid.get_sheet_by_name("S").to_python(skip_empty_area=False)
    except Exception:
        return None
    return len(rows), max((len(r) for r in rows), default=0)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
@example(
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="5"><c r="A5"><v>1</v></c></row>'
    "<row><c><v>1</v></c><c><v>1</v></c></row></sheetData></worksheet>".encode()
)
def test_the_bound_holds_whatever_the_spelling(xml: bytes) -> None:
    read = calamine_extent(xml)
    if read is None:
        return  # calamine refuses the sheet: no cells, nothing allocated
    rows, columns = sheet_extent(xml)
    assert rows >= read[0] and columns >= read[1]
    if within_small(xml):
        assert read[0] <= SMALL[0] and read[1] <= SMALL[1]


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A1000"/>',
        '<c r="AAA1"/>',
        "<c r='A1'/>",
        '<c r = "A1"/>',
        '<c\nr="A1"/>',
        '<c r="a1"/>',
        '<c s="1" r="A1"/>',
        '<x:c r="A1"/>',
        "<c/>",
    ],
)
def test_the_quick_look_sends_anything_unusual_to_the_full_scan(cell: str) -> None:
    xml = f'<worksheet><sheetData><row r="1">{cell}</row></sheetData></worksheet>'.encode()
    assert not within_small(xml)


def test_the_quick_look_passes_the_templates_sheets(tmp_path: Path) -> None:
    """Workbooks as the template writer makes them take the quick path."""
    path = make_workbook(tmp_path / "a.xlsx", Unit("alpha", "甲局", "部门"), unit_figures(3))
    sheets = [x for name, x in parts(path).items() if name.startswith("xl/worksheets/")]
    assert sheets and all(within_small(x) for x in sheets)
    assert all(sheet_extent(x)[0] <= SMALL[0] for x in sheets)


def test_column_numbers() -> None:
    assert [column_number(s) for s in (b"", b"A", b"Z", b"AA", b"zz", b"XFD")] == [
        0,
        1,
        26,
        27,
        702,
        16384,
    ]
