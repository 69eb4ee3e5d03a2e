"""Split city figures into unit figures that each satisfy the format's identities.

Used by the demo and the benchmarks to make realistic, valid unit returns.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import Decimal

from nianbao.core.spec import CellType, FormatSpec

CENT = Decimal("0.01")


def split_int(total: int, n: int, rng: random.Random) -> list[int]:
    """``n`` non-negative integers adding up to ``total`` (random proportions)."""
    if n == 1 or total == 0:
        return [total] + [0] * (n - 1)
    weights = [rng.random() for _ in range(n)]
    scale = sum(weights)
    parts = [int(total * w / scale) for w in weights]
    for i in rng.sample(range(n), k=n)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def split_value(total: Decimal, ctype: CellType, n: int, rng: random.Random) -> list[Decimal]:
    """Split one cell's total; signed values keep their sign, money splits into cents."""
    step = CENT if ctype is CellType.MONEY else Decimal(1)
    units = int((abs(total) / step).to_integral_value())
    sign = -1 if total < 0 else 1
    return [Decimal(sign * p) * step for p in split_int(units, n, rng)]


def split_s3(
    spec: FormatSpec,
    totals: Mapping[str, Decimal],
    new_by_unit: Sequence[int],
    rng: random.Random,
) -> list[dict[str, Decimal]]:
    """Split table 三 by following each application from its source row to its outcome row.

    Every application is one item (new or carried over → an outcome or carried forward), so
    each unit's column balances (A1) and its outcomes add up (A2) by construction.
    ``new_by_unit`` fixes how many new applications each unit received.
    """
    n = len(new_by_unit)
    eq = next(e for e in spec.equations if e.rule == "A1" and e.lhs[0].endswith("_natural"))
    new_row, carried_row = (c.removesuffix("_natural") for c in eq.lhs)
    carried_out = eq.rhs[1].removesuffix("_natural")
    outcomes = [r.removesuffix("_natural") for r in spec.definitions[eq.rhs[0]].rhs]
    columns = [c.removeprefix(f"{new_row}_") for c in spec.inputs if c.startswith(f"{new_row}_")]
    quota = list(new_by_unit)
    units: list[dict[str, Decimal]] = [{} for _ in range(n)]

    def add(u: int, cid: str) -> None:
        units[u][cid] = units[u].get(cid, Decimal(0)) + 1

    for col in columns:
        sources = [new_row] * int(totals.get(f"{new_row}_{col}", 0))
        sources += [carried_row] * int(totals.get(f"{carried_row}_{col}", 0))
        sinks = [
            r for r in (*outcomes, carried_out) for _ in range(int(totals.get(f"{r}_{col}", 0)))
        ]
        for src, sink in zip(sources, sinks, strict=True):
            if src == new_row:
                u = next(i for i in range(n) if quota[i] > 0)
                quota[u] -= 1
            else:
                u = rng.randrange(n)
            add(u, f"{src}_{col}")
            add(u, f"{sink}_{col}")
    return units


def split_cycle(
    spec: FormatSpec,
    inputs: Mapping[str, Decimal],
    new_by_unit: Sequence[int],
    seed: int = 2020,
) -> list[dict[str, Decimal]]:
    """Input figures for each unit; they add up to ``inputs`` cell by cell."""
    rng = random.Random(seed)
    n = len(new_by_unit)
    units = split_s3(spec, inputs, new_by_unit, rng)
    s3_inputs = {c for u in units for c in u} | {c for c in spec.inputs if c.startswith("s3_")}
    for cid in spec.inputs:
        if cid in s3_inputs:
            continue
        parts = split_value(inputs.get(cid, Decimal(0)), spec.cell[cid].type, n, rng)
        for u, part in zip(units, parts, strict=True):
            u[cid] = part
    for u in units:
        for cid in spec.inputs:
            u.setdefault(cid, Decimal(0))
    return units
