"""JSON documents published for each cycle: ``totals.json`` and ``status.json``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from nianbao.core.model import CycleResult, Status
from nianbao.core.spec import CellType, FormatSpec


def json_value(value: Decimal, ctype: CellType) -> int | float:
    """Counts as integers, money as a decimal number."""
    return float(value) if ctype is CellType.MONEY else int(value)


def cells_json(spec: FormatSpec, values: Mapping[str, Decimal]) -> dict[str, int | float]:
    """Cell id -> JSON number, in spec order."""
    return {c.id: json_value(values[c.id], c.type) for c in spec.cells if c.id in values}


def totals_doc(spec: FormatSpec, result: CycleResult) -> dict[str, Any]:
    """``totals.json``: city totals and each accepted unit's figures."""
    return {
        "year": result.year,
        "format": result.format,
        "totals": cells_json(spec, result.totals),
        "units": {code: cells_json(spec, vals) for code, vals in result.breakdown.items()},
    }


def status_doc(result: CycleResult) -> dict[str, Any]:
    """``status.json``: one entry per roster unit with its current file and findings."""
    units = []
    for unit in result.roster:
        subs = [s for s in result.submissions if s.unit == unit.code]
        current = next((s for s in subs if s.status is not Status.SUPERSEDED), None)
        status = current.status if current else Status.MISSING
        units.append(
            {
                "code": unit.code,
                "name": unit.name,
                "status": status.value,
                "status_label": status.label,
                "file": current.file if current else None,
                "sha256": current.sha256 if current else None,
                "received_at": current.received_at.isoformat() if current else None,
                "findings": [f.to_json() for f in current.findings] if current else [],
                "superseded": [
                    {"file": s.file, "sha256": s.sha256} for s in subs if s is not current
                ],
            }
        )
    return {
        "year": result.year,
        "format": result.format,
        "units": units,
        "findings": [{**f.to_json(), "unit": f.unit, "file": f.file} for f in result.findings],
    }
