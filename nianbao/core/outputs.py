"""JSON documents published for each cycle: ``totals.json`` and ``status.json``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from nianbao.core.clock import DEFAULT_TIMEZONE, iso_local, local, zone_label
from nianbao.core.compiled import compiled
from nianbao.core.model import CycleResult, Status
from nianbao.core.spec import CellType, FormatSpec, Severity


def json_value(value: Decimal, ctype: CellType) -> int | float:
    """Counts as integers, money as a decimal number."""
    return float(value) if ctype is CellType.MONEY else int(value)


def cells_json(spec: FormatSpec, values: Mapping[str, Decimal]) -> dict[str, int | float]:
    """Cell id -> JSON number, in spec order (as ``json_value``)."""
    return {
        cid: float(values[cid]) if money else int(values[cid])
        for cid, money in compiled(spec, _json_cells)
        if cid in values
    }


def _json_cells(spec: FormatSpec) -> tuple[tuple[str, bool], ...]:
    """(cell id, is money) in spec order: looked up once, used for every unit."""
    return tuple((c.id, c.type is CellType.MONEY) for c in spec.cells)


def completeness(result: CycleResult) -> dict[str, Any]:
    """``complete`` and the roster codes whose figures are not in the totals, by why."""
    gaps = result.not_included
    return {
        "complete": not gaps,
        "missing": [u.code for u, status in gaps if status is Status.MISSING],
        "rejected": [u.code for u, status in gaps if status is Status.REJECTED],
    }


def totals_doc(spec: FormatSpec, result: CycleResult) -> dict[str, Any]:
    """``totals.json``: city totals and each accepted unit's figures."""
    return {
        "year": result.year,
        "format": result.format,
        **completeness(result),
        "totals": cells_json(spec, result.totals),
        "units": {code: cells_json(spec, vals) for code, vals in result.breakdown.items()},
    }


def status_doc(result: CycleResult, tz: str = DEFAULT_TIMEZONE) -> dict[str, Any]:
    """``status.json``: one entry per roster unit with its current file and findings; times
    in the office's time zone ``tz``, with the offset."""
    units = []
    for unit in result.roster:
        subs = result.submissions_of(unit.code)
        current = next((s for s in subs if s.status is not Status.SUPERSEDED), None)
        status = current.status if current else Status.MISSING
        findings = current.findings if current else ()
        errors = sum(f.severity is Severity.ERROR for f in findings)
        texts = current.texts if current else {}
        units.append(
            {
                "code": unit.code,
                "name": unit.name,
                "status": status.value,
                "status_label": status.label,
                "file": current.file if current else None,
                "sha256": current.sha256 if current else None,
                "received_at": iso_local(current.received_at, tz) if current else None,
                "late": bool(current and result.late(current)),
                "errors": errors,
                "warnings": len(findings) - errors,
                "contact": unit.contact or texts.get("contact_person", ""),
                "phone": unit.phone or texts.get("contact_phone", ""),
                "findings": [f.to_json() for f in findings],
                "superseded": [
                    {"file": s.file, "sha256": s.sha256} for s in subs if s is not current
                ],
                "other_years": [
                    {"year": s.other_year, "file": s.file, "sha256": s.sha256}
                    for s in result.other_years_of(unit.code)
                ],
            }
        )
    return {
        "year": result.year,
        "format": result.format,
        **completeness(result),
        "deadline": iso_local(result.deadline, tz) if result.deadline else None,
        "units": units,
        "findings": [{**f.to_json(), "unit": f.unit, "file": f.file} for f in result.findings],
    }


BOARD_COLUMNS = ("单位", "状态", "文件", "接收时间", "错误", "提示", "其中已说明", "逾期")
CHASE_COLUMNS = ("单位", "原因", "联系人", "联系电话")
BoardCell = str | int | datetime | None


def board_header(tz: str = DEFAULT_TIMEZONE) -> list[str]:
    """``BOARD_COLUMNS``, the time column naming its zone (接收时间（北京时间）)."""
    return [f"{c}（{zone_label(tz)}）" if c == "接收时间" else c for c in BOARD_COLUMNS]


def board_table(doc: dict[str, Any], tz: str = DEFAULT_TIMEZONE) -> list[list[BoardCell]]:
    """Rows of the completeness board from ``status.json`` (one per roster unit): counts as
    integers, the received time as an aware datetime in ``tz`` (None when nothing came)."""
    rows: list[list[BoardCell]] = []
    for u in doc["units"]:
        received = u["received_at"]
        rows.append(
            [
                u["name"],
                u["status_label"],
                u["file"] or other_years_note(o["year"] for o in u.get("other_years", ())),
                local(datetime.fromisoformat(received), tz) if received else None,
                u["errors"],
                u["warnings"],
                sum(1 for f in u["findings"] if f.get("explained")),
                "是" if u["late"] else "",
            ]
        )
    return rows


def other_years_note(years: Iterable[int | None]) -> str:
    """``文件夹中只有2020年度的报表``: what a unit without this year's report has sent."""
    shown = sorted({y for y in years if y is not None})
    return f"文件夹中只有{'、'.join(map(str, shown))}年度的报表" if shown else ""


def chase_list(doc: dict[str, Any]) -> list[list[str]]:
    """催报名单: units that sent nothing or were sent back, with whom to call."""
    reasons = {Status.MISSING.value: "未报送", Status.REJECTED.value: "报表被退回，待重新报送"}
    rows = []
    for u in doc["units"]:
        if u["status"] not in reasons:
            continue
        reason = reasons[u["status"]]
        if u["status"] == Status.MISSING.value:
            note = other_years_note(o["year"] for o in u.get("other_years", ()))
            reason = f"{reason}（{note}）" if note else reason
        rows.append([u["name"], reason, u["contact"], u["phone"]])
    return rows
