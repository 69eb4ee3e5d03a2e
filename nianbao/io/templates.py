"""Write a cycle's unit templates, pre-filled from last year's accepted figures."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from nianbao.core.carry import carry_forward, carry_notes
from nianbao.core.model import Unit
from nianbao.core.spec import FormatSpec
from nianbao.io.template_writer import write_template


def write_cycle_templates(
    spec: FormatSpec,
    roster: tuple[Unit, ...],
    year: int,
    out_dir: Path,
    last: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> dict[str, Path]:
    """``out_dir/<code>.xlsx`` for every unit; returns the paths by unit code.

    ``last`` maps unit codes to last year's accepted figures; cells that follow from them
    (上年结转, 上一年项目数量) are pre-filled and locked, and related figures shown beside.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for unit in roster:
        previous = (last or {}).get(unit.code, {})
        path = out_dir / f"{unit.code}.xlsx"
        write_template(
            spec,
            unit,
            year,
            path,
            prefill=carry_forward(spec, previous),
            notes=carry_notes(spec, previous),
        )
        paths[unit.code] = path
    return paths
