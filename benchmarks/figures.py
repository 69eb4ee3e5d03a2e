"""Random but valid unit figures for the scale benchmark (a fixed seed, identities kept).

Units are generated in chunks: each chunk gets random "city" totals whose table 三 balances
(every application goes from a source row to an outcome row), and ``split_cycle`` splits
them into that chunk's units, so every unit's return satisfies the format's identities.
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

from nianbao.core.spec import CellType, FormatSpec
from nianbao.core.split import split_cycle, split_int

CHUNK = 50  # units per split_cycle call (its table-三 split is quadratic in the units)


def _s3_rows(spec: FormatSpec) -> tuple[str, str, list[str], str, list[str]]:
    """(new row, carried-in row, outcome rows, carried-out row, applicant columns) of table 三."""
    eq = next(e for e in spec.equations if e.rule == "A1" and e.lhs[0].endswith("_natural"))
    new_row, carried_row = (c.removesuffix("_natural") for c in eq.lhs)
    carried_out = eq.rhs[1].removesuffix("_natural")
    outcomes = [r.removesuffix("_natural") for r in spec.definitions[eq.rhs[0]].rhs]
    columns = [c.removeprefix(f"{new_row}_") for c in spec.inputs if c.startswith(f"{new_row}_")]
    return new_row, carried_row, outcomes, carried_out, columns


def chunk_totals(spec: FormatSpec, k: int, rng: random.Random) -> tuple[dict[str, Decimal], int]:
    """Random input totals for ``k`` units whose table 三 balances; and the new applications."""
    totals: dict[str, Decimal] = {}
    for cid in spec.inputs:
        if cid.startswith("s3_"):
            continue
        ctype = spec.cell[cid].type
        if ctype is CellType.SIGNED:
            totals[cid] = Decimal(rng.randrange(-5 * k, 5 * k + 1))
        elif ctype is CellType.MONEY:
            totals[cid] = Decimal(rng.randrange(0, 5_000_000 * k)) / 100
        else:
            totals[cid] = Decimal(rng.randrange(0, 80 * k))
    new_row, carried_row, outcomes, carried_out, columns = _s3_rows(spec)
    weights = [40 if i == 0 else 3 for i in range(len(outcomes))]  # most are 予以公开
    new_total = 0
    for col in columns:
        scale = 8 if col == "natural" else 1
        new = rng.randrange(0, scale * k + 1)
        carried = rng.randrange(0, scale * k // 4 + 1)
        out = rng.randrange(0, (new + carried) // 5 + 1)
        handled = Counter(rng.choices(outcomes, weights, k=new + carried - out))
        totals[f"{new_row}_{col}"] = Decimal(new)
        totals[f"{carried_row}_{col}"] = Decimal(carried)
        totals[f"{carried_out}_{col}"] = Decimal(out)
        for row in outcomes:
            totals[f"{row}_{col}"] = Decimal(handled[row])
        new_total += new
    return totals, new_total


def unit_figures(spec: FormatSpec, n: int, seed: int) -> list[dict[str, Decimal]]:
    """Input figures of ``n`` units (every input cell), reproducible from ``seed``."""
    rng = random.Random(seed)
    out: list[dict[str, Decimal]] = []
    for start in range(0, n, CHUNK):
        k = min(CHUNK, n - start)
        totals, new_total = chunk_totals(spec, k, rng)
        new_by_unit = split_int(new_total, k, rng)
        out += split_cycle(spec, totals, new_by_unit, seed=rng.randrange(2**31))
    return out
