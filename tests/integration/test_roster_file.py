"""Rosters as offices keep them: real CSV files in UTF-8, GBK and UTF-16, and real workbooks."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from nianbao.core.model import Unit
from nianbao.core.roster import RosterError, UnitKind
from nianbao.io import roster_file
from nianbao.io.roster_file import find_roster, load_roster, read_roster, read_roster_tree

pytestmark = pytest.mark.integration

CHINESE = (
    "单位代码,单位名称,单位类型,联系人,联系电话\r\nfuningzhen,阜宁镇,乡镇,王强,0453-3920002\r\n"
)
EXPECTED = (Unit("funingzhen", "阜宁镇", UnitKind.TOWNSHIP, "王强", "0453-3920002"),)


@pytest.mark.parametrize(
    "raw",
    [
        CHINESE.encode("gbk"),  # Excel on Chinese Windows: "CSV (逗号分隔)"
        CHINESE.encode("gb18030"),
        CHINESE.encode("utf-8"),
        codecs.BOM_UTF8 + CHINESE.encode("utf-8"),  # "CSV UTF-8 (逗号分隔)"
        CHINESE.replace(",", "\t").encode("utf-16"),  # "Unicode 文本"
    ],
    ids=["gbk", "gb18030", "utf-8", "utf-8-bom", "utf-16-tab"],
)
def test_csv_in_every_encoding_excel_saves(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(raw)
    assert read_roster(path) == EXPECTED


def test_rare_characters_only_gb18030_holds(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("code,name\nx,䶮山镇\n".encode("gb18030"))
    assert read_roster(path) == (Unit("x", "䶮山镇"),)


def test_undecodable_csv_names_the_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("code,name\na,甲\n".encode("gbk") + b"b,\x81\x20\xff\n")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert (caught.value.file, caught.value.row) == (str(path), 3)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名单"
    for row in rows:
        ws.append(row)
    wb.create_sheet("说明")["A1"] = "另一张表不读"
    wb.save(path)
    return path


def test_xlsx_with_a_title_row_numbers_and_chinese_headers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "roster.xlsx",
        [
            ["2021年度报送单位"],
            ["序号", "单位代码", "单位名称", "单位类型", "联系人", "联系电话"],
            [1, "funingzhen", "阜宁镇", "乡镇", "王强", "0453-3920002"],
            [2, 7, "口岸委", "部门", None, 13800000000],
        ],
    )
    assert read_roster(path) == (
        *EXPECTED,
        Unit("7", "口岸委", UnitKind.DEPARTMENT, phone="13800000000"),
    )


def test_xlsx_error_names_the_sheet_row(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "roster.xlsx",
        [["标题"], ["code", "name"], ["a", "甲"], ["合计", None]],
    )
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert (caught.value.file, caught.value.row) == (str(path), 4)


def test_a_far_away_cell_is_refused_before_calamine_allocates_the_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["code", "name"])
    ws.append(["a", "甲"])
    ws.cell(row=roster_file.MAX_ROWS + 1, column=1, value="x")
    wb.save(tmp_path / "roster.xlsx")
    with pytest.raises(RosterError) as caught:
        read_roster(tmp_path / "roster.xlsx")
    assert caught.value.row is None and caught.value.file


def test_declared_unpacked_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workbook(tmp_path / "roster.xlsx", [["code", "name"], ["a", "甲"]])
    monkeypatch.setattr(roster_file, "MAX_UNPACKED", 100)
    with pytest.raises(RosterError):
        read_roster(path)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("roster.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),  # .xls or encrypted
        ("roster.xlsx", b"code,name\na,b\n"),  # a CSV named .xlsx
        ("roster.xlsx", b"PK\x03\x04broken"),
        ("roster.csv", b"PK\x03\x04broken"),  # a workbook named .csv
    ],
)
def test_wrong_files_are_refused(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(RosterError) as caught:
        read_roster(tmp_path / name)
    assert caught.value.file == str(tmp_path / name) and caught.value.hint


def test_an_oversized_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_file, "MAX_BYTES", 10)
    (tmp_path / "roster.csv").write_text("code,name\na,甲\n", encoding="utf-8")
    with pytest.raises(RosterError):
        read_roster(tmp_path / "roster.csv")


def test_the_roster_in_the_shared_folder(tmp_path: Path) -> None:
    with pytest.raises(RosterError):
        find_roster(tmp_path)
    _workbook(tmp_path / "roster.xlsx", [["code", "name"], ["a", "甲"]])
    assert load_roster(tmp_path) == (Unit("a", "甲"),)
    (tmp_path / "roster.csv").write_text("code,name\nb,乙\n", encoding="utf-8")
    with pytest.raises(RosterError):  # two rosters: which one counts is not guessed
        find_roster(tmp_path)
    (tmp_path / "roster.xlsx").unlink()
    assert load_roster(tmp_path) == (Unit("b", "乙"),)


def test_the_first_sheet_is_found_through_the_workbook_relationships(tmp_path: Path) -> None:
    """The first sheet in workbook order is read, whatever its part is called."""
    plain = _workbook(tmp_path / "plain.xlsx", [["code", "name"], ["a", "甲"]])
    path = tmp_path / "roster.xlsx"
    renamed = "xl/worksheets/roster-list.xml"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/sheet1.xml", b"worksheets/roster-list.xml")
            name = renamed if info.filename == "xl/worksheets/sheet1.xml" else info.filename
            dst.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        assert roster_file._first_sheet(zf) == renamed
    assert read_roster(path) == (Unit("a", "甲"),)


def test_a_cycle_of_groups_names_the_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("单位代码,单位名称,单位类型,上级单位\na,甲组,分组,b\nb,乙组,分组,a\nc,丙,,a\n")
    with pytest.raises(RosterError) as caught:
        read_roster_tree(path)
    assert str(caught.value).startswith(f"单位名单 {path} 第2行：上级单位形成循环")
