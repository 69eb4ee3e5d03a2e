"""The roster: which units are expected to return figures in a cycle."""

from __future__ import annotations

import csv
import io
import re

from nianbao.core.model import Unit

CODE_RE = re.compile(r"^[a-z0-9_-]+$")
HEADER = ("code", "name", "kind")
OPTIONAL = ("contact", "phone")  # 联系人, 联系电话: used on the 催报名单


class RosterError(ValueError):
    """The roster file is malformed; the message says where, in Chinese."""


def parse_roster(text: str) -> tuple[Unit, ...]:
    """Units from roster CSV text (columns ``code,name,kind``, optionally ``contact,phone``)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = [c.strip() for c in rows[0]] if rows else []
    if tuple(header[:3]) != HEADER or any(h not in OPTIONAL for h in header[3:]):
        raise RosterError("名单文件第1行应为表头：code,name,kind（可另加 contact,phone）")
    units: list[Unit] = []
    seen: set[str] = set()
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        code, name, kind = (cells.get(h, "") for h in HEADER)
        if not CODE_RE.match(code):
            raise RosterError(
                f"名单第{n}行：单位代码“{code}”只能包含小写字母、数字、下划线和连字符"
            )
        if not name:
            raise RosterError(f"名单第{n}行：缺少单位名称")
        if code in seen:
            raise RosterError(f"名单第{n}行：单位代码“{code}”重复")
        seen.add(code)
        units.append(Unit(code, name, kind, cells.get("contact", ""), cells.get("phone", "")))
    if not units:
        raise RosterError("名单中没有任何单位")
    return tuple(units)


def roster_csv(units: tuple[Unit, ...] | list[Unit]) -> str:
    """Roster CSV text for units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    contacts = any(u.contact or u.phone for u in units)
    writer.writerow(HEADER + OPTIONAL if contacts else HEADER)
    for u in units:
        extra = (u.contact, u.phone) if contacts else ()
        writer.writerow((u.code, u.name, u.kind, *extra))
    return out.getvalue()
