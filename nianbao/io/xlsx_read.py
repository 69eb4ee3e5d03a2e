"""Read returned workbooks with python-calamine (fast, values only, formulas' cached values)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from nianbao.core.model import RawWorkbook
from nianbao.io.archive import archived_as, keep_bytes

# Office temporary/lock files and hidden files are never submissions.
IGNORED_PREFIXES = ("~$", ".", "~")
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm")


def is_candidate(path: Path) -> bool:
    """Whether a file in the inbox should be treated as a submission."""
    return (
        path.is_file()
        and not path.name.startswith(IGNORED_PREFIXES)
        and not path.name.endswith((".tmp", ".part", ".crdownload"))
    )


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


def read_workbook(
    path: Path, unit_folder: str, display: str, archive: Path | None = None
) -> RawWorkbook:
    """All sheets of one workbook as grids; an unreadable file yields ``error`` instead.

    With ``archive``, the bytes read are archived (content-addressed) before anything else:
    the archive holds exactly what was checked, even if the inbox file changes later.
    """
    data = path.read_bytes()
    received = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(microsecond=0)
    sha256 = sha256_of(data)
    if archive is not None:
        keep_bytes(data, archived_as(archive, sha256, path.name))
    common: dict[str, Any] = {
        "unit_folder": unit_folder,
        "file": display,
        "sha256": sha256,
        "received_at": received,
    }
    if not path.name.lower().endswith(ACCEPTED_SUFFIXES):
        return RawWorkbook(
            **common, error=f"不支持的文件类型“{path.suffix or '无扩展名'}”，只接收.xlsx"
        )
    try:
        wb = CalamineWorkbook.from_path(str(path))
        grids = {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names
        }
    except Exception as exc:  # any parser failure means "could not read the file at all"
        return RawWorkbook(**common, error=_describe(exc, data))
    return RawWorkbook(**common, grids=grids)
