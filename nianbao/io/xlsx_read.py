"""Read returned workbooks with python-calamine (fast, values only, formulas' cached values).

A file is read once, from a descriptor opened without following links: its size is checked
on the descriptor before any byte is read, the bytes are checked against the zip bounds
(``nianbao.io.bounds``), and calamine parses those same bytes, reading only the sheets a
template has. Text from the cells is made safe for every output (``clean_cell_text``).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from nianbao.core.findings import Finding
from nianbao.core.formats import FORMATS
from nianbao.core.layout import GUIDE_SHEET, META_SHEET, RESULT_SHEET, TEXT_SHEET
from nianbao.core.model import RawWorkbook
from nianbao.core.spec import FormatSpec
from nianbao.core.upward import BREAKDOWN_SHEET
from nianbao.io.archive import archived_as, keep_bytes
from nianbao.io.bounds import ReadBounds, check_zip, size_text
from nianbao.io.guard import Refused
from nianbao.io.names import WORKBOOK_SUFFIXES, clean_cell_text, has_bad_cell_text, safe_text

Grid = list[list[Any]]

# The sheets read from a workbook: every format's tables (format detection compares their
# labels), the texts, the metadata and, in a return a lower office sends upward, its
# 下级单位明细. The guide is the template's too, but never read, and so is 校验结果, which a
# unit may send back inside the corrected 退回修改 workbook.
READ_SHEETS = frozenset(
    {
        META_SHEET,
        TEXT_SHEET,
        BREAKDOWN_SHEET,
        *(t.sheet for spec in FORMATS.values() for t in spec.tables),
    }
)
TEMPLATE_SHEETS = READ_SHEETS | {GUIDE_SHEET, RESULT_SHEET}
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_SEPARATOR = "\n"  # joins a grid's strings for one search (itself never a bad character)


def sheets_for(spec: FormatSpec | None) -> frozenset[str]:
    """The sheets to read when checking against ``spec``."""
    return READ_SHEETS if spec is None else READ_SHEETS | {t.sheet for t in spec.tables}


def sha256_of(data: bytes) -> str:
    """Hex digest of file content."""
    return hashlib.sha256(data).hexdigest()


def _describe(exc: Exception, data: bytes) -> str:
    """A Chinese explanation of why a file is not a readable workbook."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "文件是旧版.xls格式或已加密（设置了打开密码）"
    if data[:4] != b"PK\x03\x04":
        return "文件不是Excel工作簿（内容不是.xlsx格式）"
    return f"文件已损坏（{type(exc).__name__}）"


def read_open_file(
    fd: int, display: str, bounds: ReadBounds, expected: tuple[int, int] | None = None
) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file open at ``fd`` and its status, within ``bounds``.

    Raises ``Refused`` when it is no regular file, larger than the bound (nothing read),
    or changed since it was listed with signature ``expected`` (size, mtime in ns) or
    while it was read (still being written).
    """
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise Refused(Finding("file-not-read", file=display, actual="不是普通文件"))
    arriving = Refused(Finding("file-arriving", file=display))
    if expected is not None and (st.st_size, st.st_mtime_ns) != expected:
        raise arriving
    if st.st_size > bounds.file_bytes:
        too_large = Finding(
            "file-too-large",
            file=display,
            actual=size_text(st.st_size),
            expected=size_text(bounds.file_bytes),
        )
        raise Refused(too_large)
    with open(fd, "rb", closefd=False) as f:
        data = f.read(st.st_size + 1)
    after = os.fstat(fd)
    if len(data) != st.st_size or (after.st_size, after.st_mtime_ns) != (
        st.st_size,
        st.st_mtime_ns,
    ):
        raise arriving
    return data, st


def _clean(grid: Grid) -> Grid:
    """``grid`` with every text cell safe for XML and PostgreSQL (one search when clean)."""
    texts = [v for row in grid for v in row if v.__class__ is str]
    if not texts or not has_bad_cell_text(_SEPARATOR.join(texts)):
        return grid
    return [[clean_cell_text(v) if v.__class__ is str else v for v in row] for row in grid]


def parse_workbook(
    data: bytes,
    received_at: datetime,
    unit_folder: str,
    display: str,
    path: bytes = b"",
    *,
    archive: Path | None = None,
    bounds: ReadBounds | None = None,
    sheets: Collection[str] = READ_SHEETS,
) -> RawWorkbook:
    """The template's sheets of the workbook in ``data`` as grids; ``error`` (or an error
    note) instead when it cannot or may not be parsed.

    With ``archive``, the bytes are archived (content-addressed) before anything else: the
    archive holds exactly what was checked, even if the inbox file changes later.
    """
    sha256 = sha256_of(data)
    if archive is not None:
        keep_bytes(data, archived_as(archive, sha256, display))
    common: dict[str, Any] = {
        "unit_folder": unit_folder,
        "file": display,
        "sha256": sha256,
        "received_at": received_at,
        "path": path,
    }
    if not display.lower().endswith(WORKBOOK_SUFFIXES):
        suffix = Path(display).suffix or "无扩展名"
        return RawWorkbook(**common, error=f"不支持的文件类型“{suffix}”，只接收.xlsx")
    problem = check_zip(data, bounds or ReadBounds(), sheets)
    if problem is not None and problem.corrupt:
        return RawWorkbook(**common, error=f"文件已损坏（{problem.actual}）")
    if problem is not None:
        note = Finding("workbook-too-large", actual=problem.actual, expected=problem.expected)
        return RawWorkbook(**common, notes=(note,))
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = wb.sheet_names
        grids = {
            name: _clean(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in names
            if name in sheets
        }
    except Exception as exc:  # any parser failure means "could not read the file at all"
        return RawWorkbook(**common, error=_describe(exc, data))
    ignored = [safe_text(n) for n in names if n not in sheets and n not in TEMPLATE_SHEETS]
    notes: tuple[Finding, ...] = ()
    if ignored:
        notes = (Finding("sheets-ignored", actual="、".join(f"“{n}”" for n in ignored)),)
    return RawWorkbook(**common, grids=grids, notes=notes)


def received(st: os.stat_result) -> datetime:
    """When a file arrived: its modification time, to the second, in UTC."""
    return datetime.fromtimestamp(st.st_mtime, tz=UTC).replace(microsecond=0)


def read_workbook(
    path: Path,
    unit_folder: str,
    display: str,
    archive: Path | None = None,
    bounds: ReadBounds | None = None,
    sheets: Collection[str] = READ_SHEETS,
) -> RawWorkbook:
    """Read the workbook at ``path`` (not following a link) as ``parse_workbook``."""
    bounds = bounds or ReadBounds()
    fd = os.open(path, _FILE_FLAGS)
    try:
        data, st = read_open_file(fd, display, bounds)
    finally:
        os.close(fd)
    return parse_workbook(
        data,
        received(st),
        unit_folder,
        display,
        os.fsencode(path),
        archive=archive,
        bounds=bounds,
        sheets=sheets,
    )
