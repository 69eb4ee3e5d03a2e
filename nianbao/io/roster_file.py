"""Find and read the roster in the shared folder: ``roster.xlsx`` or ``roster.csv``.

A CSV may be UTF-8 (with or without BOM), GB18030/GBK (what Excel on Chinese Windows saves as
"CSV (逗号分隔)") or UTF-16 with BOM, comma- or tab-separated. A workbook's first sheet is read
with python-calamine; being a file of the shared folder, it is bounded before parsing (file
size, unpacked size, and the sheet's extent, which calamine would allocate densely).
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, XMLParser

from python_calamine import CalamineWorkbook

from nianbao.core.model import Unit
from nianbao.core.roster import Roster, RosterError, parse_csv, parse_table
from nianbao.io.extent import sheet_extent

ROSTER_FILES = ("roster.xlsx", "roster.csv")
MAX_BYTES = 16 * 2**20  # the file itself
MAX_UNPACKED = 64 * 2**20  # all parts of a workbook, as declared by its zip directory
MAX_PARTS = 1000
MAX_ROWS = 50_000
MAX_COLUMNS = 50

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an .xlsx with a password
SAVE_AS_CSV = "在Excel中“另存为”，保存类型选“CSV UTF-8（逗号分隔）”，或直接保存为 roster.xlsx"
SAVE_AS_XLSX = "请用Excel或WPS打开，另存为 roster.xlsx（Excel工作簿，不设密码）"


def find_roster(root: Path) -> Path:
    """The roster file in ``root``; RosterError when there is none, or two."""
    present = [root / name for name in ROSTER_FILES if (root / name).is_file()]
    where = root.resolve()
    if len(present) > 1:
        raise RosterError(
            f"共享文件夹 {where} 中同时有 {' 和 '.join(ROSTER_FILES)}，不能确定以哪一个为准",
            hint="请只保留一个：删除另一个，或改名（如 roster-旧.csv）",
        )
    if not present:
        old = (
            " 其中的 roster.xls 是旧版格式，" + SAVE_AS_XLSX
            if (root / "roster.xls").exists()
            else ""
        )
        raise RosterError(
            f"共享文件夹 {where} 中没有单位名单（{' 或 '.join(ROSTER_FILES)}）",
            hint=f"请放入单位名单（格式见 README 的“单位名单”一节）。{old}"
            "如果共享文件夹不在这里，请用 --root 指定，或设置环境变量 NIANBAO_ROOT",
        )
    return present[0]


def load_roster(root: Path) -> tuple[Unit, ...]:
    """The reporting units of the roster in ``root``."""
    return read_roster(find_roster(root))


def load_roster_tree(root: Path) -> Roster:
    """The units and groups of the roster in ``root``."""
    return read_roster_tree(find_roster(root))


def read_roster(path: Path) -> tuple[Unit, ...]:
    """The reporting units listed in ``path`` (see ``read_roster_tree``)."""
    return read_roster_tree(path).units


def read_roster_tree(path: Path) -> Roster:
    """Units and groups listed in ``path`` (.xlsx, else CSV); RosterError naming the file
    otherwise."""
    try:
        if not path.is_file():
            raise RosterError("找不到这个文件", hint="请检查文件名和路径")
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise RosterError(
                f"文件超过{MAX_BYTES // 2**20}MB，不像是单位名单", hint="请只保留单位名单的内容"
            )
        if path.suffix.lower() == ".xlsx":
            return parse_table(workbook_rows(data))
        return parse_csv(decode_csv(data))
    except RosterError as exc:
        raise exc.in_file(str(path)) from None


def decode_csv(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (BOM optional), UTF-16 with BOM, else GB18030 (GBK)."""
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise RosterError("这是一个Excel工作簿，不是CSV文件", hint="请把文件名改为 roster.xlsx")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    failed = len(data)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failed = exc.start  # the last encoding tried (GBK) tells the row best
    row = data[:failed].count(b"\n") + 1
    raise RosterError(
        "有无法识别的字符：文件既不是UTF-8编码，也不是GBK编码", row=row, hint=SAVE_AS_CSV
    )


def workbook_rows(data: bytes) -> Sequence[Sequence[object]]:
    """The cell values of a workbook's first sheet, row 1 first, after checking its bounds."""
    if data.startswith(OLE_MAGIC):
        raise RosterError("文件是旧版 .xls 格式，或设置了打开密码", hint=SAVE_AS_XLSX)
    if not data.startswith(ZIP_MAGIC):
        raise RosterError("文件不是Excel工作簿（.xlsx）", hint=SAVE_AS_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = zf.infolist()
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED:
                raise RosterError(
                    f"工作簿解压后超过{MAX_UNPACKED // 2**20}MB，不像是单位名单",
                    hint="请只保留单位名单的内容",
                )
            rows, columns = sheet_extent(zf.read(_first_sheet(zf)))
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            raise RosterError(
                f"第一个工作表的数据区域达{rows}行、{columns}列，超出单位名单的范围"
                f"（最多{MAX_ROWS}行、{MAX_COLUMNS}列）",
                hint="请把单位名单放在第一个工作表中，并删除表格以外远处的内容",
            )
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        grid: Sequence[Sequence[object]] = sheet.to_python(skip_empty_area=False)
    except RosterError:
        raise
    except Exception as exc:  # zip, XML or calamine errors: the file is damaged
        raise RosterError(
            f"工作簿已损坏，无法读取（{type(exc).__name__}）", hint=SAVE_AS_XLSX
        ) from exc
    return grid


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(zf: zipfile.ZipFile, name: str) -> Element:
    with zf.open(name) as f:
        parser = XMLParser()
        parser.feed(f.read())
        root: Element = parser.close()
        return root


def _first_sheet(zf: zipfile.ZipFile) -> str:
    """The zip part of the workbook's first sheet (the one calamine reads at index 0)."""
    book = _xml(zf, "xl/workbook.xml")
    sheet = next(el for el in book.iter() if _local(el.tag) == "sheet")
    rel_id = next(v for k, v in sheet.attrib.items() if _local(k) == "id")
    rels = _xml(zf, "xl/_rels/workbook.xml.rels")
    target = next(el.get("Target", "") for el in rels.iter() if el.get("Id") == rel_id)
    if target.startswith("/"):
        return target.lstrip("/")
    return str(PurePosixPath("xl") / target)
