"""The roster: which units are expected to return figures in a cycle."""

from __future__ import annotations

import csv
import io
import re

from nianbao.core.model import Unit

CODE_RE = re.compile(r"^[a-z0-9_-]+$")
HEADER = ("code", "name", "kind")


class RosterError(ValueError):
    """The roster file is malformed; the message says where, in Chinese."""


def parse_roster(text: str) -> tuple[Unit, ...]:
    """Units from roster CSV text (columns ``code,name,kind``)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or tuple(c.strip() for c in rows[0][:3]) != HEADER:
        raise RosterError("名单文件第1行应为表头：code,name,kind")
    units: list[Unit] = []
    seen: set[str] = set()
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row] + ["", "", ""]
        code, name, kind = cells[:3]
        if not CODE_RE.match(code):
            raise RosterError(
                f"名单第{n}行：单位代码“{code}”只能包含小写字母、数字、下划线和连字符"
            )
        if not name:
            raise RosterError(f"名单第{n}行：缺少单位名称")
        if code in seen:
            raise RosterError(f"名单第{n}行：单位代码“{code}”重复")
        seen.add(code)
        units.append(Unit(code, name, kind))
    if not units:
        raise RosterError("名单中没有任何单位")
    return tuple(units)


def roster_csv(units: tuple[Unit, ...] | list[Unit]) -> str:
    """Roster CSV text for units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for u in units:
        writer.writerow((u.code, u.name, u.kind))
    return out.getvalue()
