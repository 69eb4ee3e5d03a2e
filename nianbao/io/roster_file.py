"""Read the roster CSV from the shared folder."""

from __future__ import annotations

from pathlib import Path

from nianbao.core.model import Unit
from nianbao.core.roster import RosterError, parse_roster


def read_roster(path: Path) -> tuple[Unit, ...]:
    """Units listed in ``path``; a missing file is a RosterError with a Chinese message."""
    if not path.is_file():
        raise RosterError(f"找不到单位名单文件：{path}")
    return parse_roster(path.read_text(encoding="utf-8-sig"))
