"""Size bounds on a workbook, checked before it is parsed.

An .xlsx file is a zip archive. Its central directory states every part's compressed and
uncompressed size; the reader (calamine's zip) stops at a part that inflates past its
stated size, so checking the directory is enough to refuse a workbook that would expand to
gigabytes. Real returns are tens of KB; the default bounds are three orders of magnitude
above that. Worksheets that nianbao does not read (not in the template) are not bounded:
they are never inflated.
"""

from __future__ import annotations

import io
import posixpath
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
    number of parts, each part's and all read parts' uncompressed size, and the
    compression ratio of large parts."""

    file_bytes: int = 20 * MB
    unzipped_bytes: int = 100 * MB
    part_bytes: int = 50 * MB
    ratio: float = 200.0
    members: int = 1000


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
    over = [i for i in infos if _over(i, bounds)]
    total = sum(i.file_size for i in infos)
    if not over and total <= bounds.unzipped_bytes:
        return None  # the common case: no part needs to be told apart
    sheets = _sheet_parts(archive)
    skipped = {part for part, name in sheets.items() if name not in read}
    for info in over:
        if info.filename not in skipped:
            what, bound = _over(info, bounds) or ("", "")
            return ZipProblem(f"{_part_label(info.filename, sheets)}{what}", bound)
    total = sum(i.file_size for i in infos if i.filename not in skipped)
    if total > bounds.unzipped_bytes:
        return ZipProblem(f"解压后共有{size_text(total)}", size_text(bounds.unzipped_bytes))
    return None
