"""Check a unit's figures: types and signs per cell, then every identity of the format.

One engine (``nianbao.core.engine``) evaluates the identities declared as data in the spec,
over a batch of returns at once; one return is a batch of one. Derived (总计) cells are
recomputed from the inputs; a derived cell whose stored value disagrees is a finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from nianbao.core.cell_findings import at_cell
from nianbao.core.engine import (
    derive_batch,
    encode,
    identity_findings,
    plan,
    validate_batch,
)
from nianbao.core.findings import Finding
from nianbao.core.spec import FormatSpec

__all__ = [
    "at_cell",
    "check_identities",
    "derive",
    "validate_batch",
    "validate_values",
]


def _row(spec: FormatSpec, values: Mapping[str, Decimal | None]) -> list[Decimal | None]:
    return [values.get(cid) for cid in plan(spec).cells]


def derive(spec: FormatSpec, values: dict[str, Decimal | None]) -> None:
    """Add every derived cell, computed from its defining equation (None if any part is).

    Derived cells already in ``values`` are kept as given.
    """
    p = plan(spec)
    batch = encode(p, [_row(spec, values)])
    given = np.array([[cid in values for cid in p.cells]], dtype=np.bool_)
    derive_batch(p, batch, given)
    for cid, value in zip(p.cells, batch.decimals[0], strict=True):
        if cid not in values:
            values[cid] = value


def check_identities(spec: FormatSpec, values: Mapping[str, Decimal | None]) -> Iterator[Finding]:
    """Identity findings on complete values (inputs plus recomputed derived cells)."""
    batch = encode(plan(spec), [_row(spec, values)])
    yield from identity_findings(plan(spec), batch)[0]


def validate_values(
    spec: FormatSpec, raw: Mapping[str, Any]
) -> tuple[dict[str, Decimal | None], list[Finding]]:
    """All values of a submission and every finding on them, collected in one pass."""
    ((values, findings),) = validate_batch(spec, [raw])
    return values, findings
