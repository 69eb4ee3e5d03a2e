"""Builders for real unit workbooks used by integration and end-to-end tests."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from nianbao.core.formats import FORMAT_2019
from nianbao.core.model import Unit
from nianbao.core.roster import UnitKind
from nianbao.core.spec import CellType, FormatSpec
from nianbao.core.split import split_cycle
from nianbao.io.template_fill import fill_workbook
from nianbao.io.template_writer import write_template

ROSTER = (
    Unit("alpha", "甲局", UnitKind.DEPARTMENT),
    Unit("beta", "乙镇", UnitKind.TOWNSHIP),
    Unit("gamma", "丙委", UnitKind.DEPARTMENT),
)


def unit_figures(seed: int = 7, spec: FormatSpec = FORMAT_2019) -> dict[str, Decimal]:
    """One unit's consistent input figures (identities hold), varied by ``seed``."""
    rng = random.Random(seed)
    totals = {cid: Decimal(0) for cid in spec.inputs}
    for cid in spec.inputs:
        if cid.startswith(("s2_", "s4_")):
            totals[cid] = Decimal(rng.randrange(0, 40))
    for cid in spec.inputs:
        if spec.cell[cid].type is CellType.SIGNED:
            totals[cid] = Decimal(-rng.randrange(1, 9))
        elif spec.cell[cid].type is CellType.MONEY:
            totals[cid] = Decimal(rng.randrange(1, 10**6)) / 100
    new, carried = rng.randrange(1, 20), rng.randrange(0, 4)
    totals["s3_new_natural"], totals["s3_carried_in_natural"] = Decimal(new), Decimal(carried)
    totals["s3_public_natural"] = Decimal(new + carried - 1)
    totals["s3_carried_out_natural"] = Decimal(1)
    totals["s3_new_legal"] = totals["s3_reject_repeat_legal"] = Decimal(2)
    (figures,) = split_cycle(spec, totals, [new + 2], seed=seed)
    return figures


def make_workbook(
    path: Path,
    unit: Unit,
    figures: dict[str, Decimal],
    year: int = 2020,
    spec: FormatSpec = FORMAT_2019,
    texts: dict[str, str] | None = None,
    received: datetime = datetime(2021, 1, 10, tzinfo=UTC),
) -> Path:
    """Write a template for ``unit`` and fill it through its defined names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_template(spec, unit, year, path)
    fill_workbook(path, figures, texts)
    stamp = received.timestamp()
    os.utime(path, (stamp, stamp))
    return path


def steady_figures(seed: int, spec: FormatSpec, kind: str = "") -> dict[str, Decimal]:
    """``unit_figures`` whose key figures of tables 二 and 四 are the same every year (5 a
    cell; 本年新收 stays within 3–21), so that two years' returns raise no plausibility
    warning; a township's 规章 row is 0."""
    figures = unit_figures(seed, spec)
    for cid in spec.inputs:
        if cid.startswith("s4_") or (cid in spec.key_figures and cid.startswith("s2_")):
            figures[cid] = Decimal(5)
    if kind == UnitKind.TOWNSHIP:
        figures.update({c: Decimal(0) for rule in spec.kind_rules for c in rule.cells})
    return figures


def without_regulations(
    figures: dict[str, Decimal], spec: FormatSpec = FORMAT_2019
) -> dict[str, Decimal]:
    """A township's figures: nothing in the 规章 row (a township reporting 规章 gets a
    plausibility warning)."""
    return {**figures, **{c: Decimal(0) for rule in spec.kind_rules for c in rule.cells}}
