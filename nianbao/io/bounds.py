"""Size bounds on a workbook, checked before it is parsed.

An .xlsx file is a zip archive. Its central directory states every part's compressed and
uncompressed size; the reader (calamine's zip) stops at a part that inflates past its
stated size, so checking the directory is enough to refuse a workbook that would expand to
gigabytes. Real returns are tens of KB; the default bounds are three orders of magnitude
above that. Worksheets that nianbao does not read (not in the template) are not bounded:
they are never inflated. The sheets that are read are also bounded in cells (rows ×
columns from A1), which calamine allocates as one rectangle.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

MB = 1 << 20
RATIO_FLOOR = MB  # the compression ratio is checked on parts that inflate past this
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


@dataclass(frozen=True)
class ReadBounds:
    """Limits on a submitted file: its size on disk (checked before reading it), the
    number of parts, each part's and all read parts' uncompressed size, the compression
    ratio of large parts, and the cells a read sheet spans."""

    file_bytes: int = 20 * MB
    unzipped_bytes: int = 100 * MB
    part_bytes: int = 50 * MB
    ratio: float = 200.0
    members: int = 1000
    cells: int = 1_000_000


@dataclass(frozen=True)
class ZipProblem:
    """Why a workbook is refused: ``actual`` and ``expected`` fill the finding's message;
    ``corrupt`` when the archive is malformed rather than too large."""

    actual: str
    expected: str = ""
    corrupt: bool = False


def size_text(n: float) -> str:
    """A byte count as a clerk reads it: ``800 KB``, ``25.3 MB``, ``1.0 GB``."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> sheet name, from the workbook and its relationships (empty when they
    cannot be read)."""
    try:
        book = ET.fromstring(archive.read(WORKBOOK))
        rels = ET.fromstring(archive.read(WORKBOOK_RELS))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, ValueError, OSError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(part)
    out = {}
    for el in book.iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                out[targets[rid]] = el.get("name", "")
    return out


def _over(info: zipfile.ZipInfo, bounds: ReadBounds) -> tuple[str, str] | None:
    """(what, bound) when one part exceeds the per-part size or the ratio bound."""
    if info.file_size > bounds.part_bytes:
        return f"解压后有{size_text(info.file_size)}", size_text(bounds.part_bytes)
    if info.file_size > RATIO_FLOOR and info.file_size > bounds.ratio * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        return f"的压缩比为{ratio:.0f}:1", f"{bounds.ratio:.0f}:1"
    return None


# Cell and row references (`` r="XFD1048576"``); only <row> and <c> have an attribute ``r``.
_REF = re.compile(rb' r="([A-Z]{0,3})([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) that the sheet in ``xml`` spans from A1, or more: an upper bound.

    calamine allocates that whole rectangle when it loads a sheet, so two cells far apart
    in a 5 KB file would make it allocate gigabytes and abort the process. Positions come
    from the ``r`` references; cells and rows without one are counted as if each started a
    new column or row (``<c`` also counts other tags, which only raises the bound).
    """
    rows = columns = refs = 0
    for letters, number in _REF.findall(xml):
        refs += 1
        rows = max(rows, int(number))
        if letters:
            columns = max(columns, _column_number(letters))
    return max(rows, xml.count(b"<row")), max(columns, xml.count(b"<c") - refs)


def _extent_problem(
    archive: zipfile.ZipFile, sheets: dict[str, str], read: Collection[str], bounds: ReadBounds
) -> ZipProblem | None:
    """What exceeds the cell bound among the sheets that will be read."""
    for part, name in sheets.items():
        if name in read and part in archive.NameToInfo:
            rows, columns = sheet_extent(archive.read(part))
            if rows * columns > bounds.cells:
                return ZipProblem(
                    f"工作表“{name}”的数据区域达{rows}行×{columns}列",
                    f"{bounds.cells}个单元格",
                )
    return None


def _part_label(part: str, sheets: dict[str, str]) -> str:
    if part in sheets:
        return f"工作表“{sheets[part]}”"
    return f"文件内部的“{part}”"


def check_zip(data: bytes, bounds: ReadBounds, read: Collection[str]) -> ZipProblem | None:
    """None when the workbook in ``data`` is within ``bounds``; else what exceeds them.

    ``read`` names the sheets that will be read; other sheets' parts are not bounded. Data
    that is no zip archive at all is left to the reader (its error says what it is).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return None
    infos = archive.infolist()
    if len(infos) > bounds.members:
        return ZipProblem(f"内部有{len(infos)}个部件", f"{bounds.members}个")
    if len({i.filename for i in infos}) != len(infos):
        return ZipProblem("压缩包中有重复的部件", corrupt=True)
    sheets = _sheet_parts(archive)
    over = [i for i in infos if _over(i, bounds)]
    total = sum(i.file_size for i in infos)
    if not over and total <= bounds.unzipped_bytes:
        return _extent_problem(archive, sheets, read, bounds)  # the common case
    skipped = {part for part, name in sheets.items() if name not in read}
    for info in over:
        if info.filename not in skipped:
            what, bound = _over(info, bounds) or ("", "")
            return ZipProblem(f"{_part_label(info.filename, sheets)}{what}", bound)
    total = sum(i.file_size for i in infos if i.filename not in skipped)
    if total > bounds.unzipped_bytes:
        return ZipProblem(f"解压后共有{size_text(total)}", size_text(bounds.unzipped_bytes))
    return _extent_problem(archive, sheets, read, bounds)
