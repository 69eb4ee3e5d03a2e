"""JSON documents published for each cycle: ``totals.json`` and ``status.json`` (the latter
formats a ``CycleStatus``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from nianbao.core.clock import DEFAULT_TIMEZONE, iso_local
from nianbao.core.compiled import compiled
from nianbao.core.groups import group_totals
from nianbao.core.model import CycleResult, ReviewState, Status
from nianbao.core.spec import CellType, FormatSpec
from nianbao.core.unit_status import CycleStatus, UnitStatus


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


def completeness(gaps: Iterable[tuple[str, Status]]) -> dict[str, Any]:
    """``complete`` and the roster codes whose figures are not in the totals, by why, from
    (code, status) of the units left out."""
    left_out = list(gaps)
    return {
        "complete": not left_out,  # held-out units: see the documents' ``held_out``
        "missing": [code for code, status in left_out if status is Status.MISSING],
        "rejected": [code for code, status in left_out if status is Status.REJECTED],
    }


def totals_doc(spec: FormatSpec, result: CycleResult) -> dict[str, Any]:
    """``totals.json``: city totals and each accepted unit's figures (and, when the roster
    has groups, each group's name, parent and totals, in roster order)."""
    units = {code: cells_json(spec, vals) for code, vals in result.breakdown.items()}
    return {**totals_head(spec, result), "units": units, **totals_groups(spec, result)}


def totals_head(spec: FormatSpec, result: CycleResult) -> dict[str, Any]:
    """What ``totals.json`` holds before the units' figures."""
    return {
        "year": result.year,
        "format": result.format,
        **completeness((u.code, status) for u, status in result.not_included),
        "held_out": {code: state.value for code, state in result.held_out.items()},
        "totals": cells_json(spec, result.totals),
    }


def totals_groups(spec: FormatSpec, result: CycleResult) -> dict[str, Any]:
    """What ``totals.json`` holds after the units' figures: the groups, if any."""
    if not result.groups:
        return {}
    sums = group_totals(spec, result)
    return {
        "groups": {
            g.code: {"name": g.name, "parent": g.parent, "totals": cells_json(spec, sums[g.code])}
            for g in result.groups
        }
    }


def status_doc(status: CycleStatus, tz: str = DEFAULT_TIMEZONE) -> dict[str, Any]:
    """``status.json``: one entry per roster unit with its current file and findings; times
    in the office's time zone ``tz``, with the offset. With groups in the roster, each unit
    has its ``parent`` and ``groups`` lists them in roster order."""
    doc = {
        "year": status.year,
        "format": status.format,
        **completeness(
            (u.code, u.status)
            for u in status.units
            if (not u.status.accepted or u.held_out) and u.review is not ReviewState.EXCUSED
        ),
        "held_out": {u.code: u.review.value for u in status.units if u.held_out and u.review},
        "deadline": iso_local(status.deadline, tz) if status.deadline else None,
        "version": status.version,
        "locked": status.locked,
        "units": [_unit_doc(u, tz) for u in status.units],
        "findings": [f.doc for f in status.findings],
    }
    if status.groups:  # a roster with a tree: each unit's group, and the groups
        for entry, unit in zip(doc["units"], status.units, strict=True):
            entry["parent"] = unit.parent
        doc["groups"] = [
            {"code": g.code, "name": g.name, "parent": g.parent} for g in status.groups
        ]
    return doc


def _unit_doc(unit: UnitStatus, tz: str) -> dict[str, Any]:
    """A unit's entry of status.json."""
    return {
        "code": unit.code,
        "name": unit.name,
        "status": unit.status.value,
        "status_label": unit.label,
        "file": unit.file,
        "sha256": unit.sha256,
        "received_at": iso_local(unit.received_at, tz) if unit.received_at else None,
        "late": unit.late,
        "errors": unit.errors,
        "warnings": unit.warnings,
        "contact": unit.contact,
        "phone": unit.phone,
        "findings": [f.doc for f in unit.findings],
        "superseded": [{"file": s.file, "sha256": s.sha256} for s in unit.superseded],
        "other_years": [
            {"year": o.year, "file": o.file, "sha256": o.sha256} for o in unit.other_years
        ],
        "review": unit.review.value if unit.review else None,
        "review_reason": unit.review_reason,
        "accepted_warnings": list(unit.accepted_warnings),
        "held": [{"file": h.file, "sha256": h.sha256} for h in unit.held],
        "held_out": unit.held_out,
    }
