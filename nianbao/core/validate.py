"""Check a unit's figures: types and signs per cell, then every identity of the format.

One engine evaluates the identities declared as data in the spec. Derived (总计) cells are
recomputed from the inputs; a derived cell whose stored value disagrees is a finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from nianbao.core.findings import Finding
from nianbao.core.layout import locate
from nianbao.core.numbers import fmt, is_blank, parse_cell, to_decimal
from nianbao.core.spec import CellKind, Equation, FormatSpec


def at_cell(spec: FormatSpec, code: str, cell_id: str, **fields: str) -> Finding:
    """A finding located at a value cell, with its sheet, A1 reference and official labels."""
    cell = spec.cell[cell_id]
    sheet, ref = locate(spec, cell_id)
    return Finding(
        code,
        sheet=sheet,
        cell=ref,
        row_path=cell.row_path,
        column_path=cell.column_path,
        **fields,
    )


def parse_inputs(
    spec: FormatSpec, raw: Mapping[str, Any]
) -> tuple[dict[str, Decimal | None], list[Finding]]:
    """Typed input values (None where unusable) and the findings on them."""
    values: dict[str, Decimal | None] = {}
    findings = []
    for cid in spec.inputs:
        if cid not in raw:  # its sheet is missing or broken: already reported
            values[cid] = None
            continue
        parsed = parse_cell(raw[cid], spec.cell[cid].type)
        values[cid] = parsed.value
        if parsed.problem:
            findings.append(at_cell(spec, parsed.problem, cid, actual=parsed.shown))
    return values, findings


def derive(spec: FormatSpec, values: dict[str, Decimal | None]) -> None:
    """Add every derived cell, computed from its defining equation (None if any part is)."""

    def value(cid: str) -> Decimal | None:
        if cid not in values:
            values[cid] = _add([value(r) for r in spec.definitions[cid].rhs])
        return values[cid]

    for cid in spec.definitions:
        value(cid)


def _add(parts: list[Decimal | None]) -> Decimal | None:
    """Sum of the parts, or None when any part is unknown."""
    total = Decimal(0)
    for part in parts:
        if part is None:
            return None
        total += part
    return total


def _sum(values: Mapping[str, Decimal | None], ids: tuple[str, ...]) -> Decimal | None:
    return _add([values.get(i) for i in ids])


def check_identities(spec: FormatSpec, values: Mapping[str, Decimal | None]) -> Iterator[Finding]:
    """Identity findings on complete values (inputs plus recomputed derived cells)."""
    for eq in spec.equations:
        if spec.definitions.get(eq.lhs[0]) is eq:
            continue  # holds by construction
        if all(c in spec.definitions for c in (*eq.lhs, *eq.rhs)):
            continue  # a sum of equations on inputs (e.g. A1 on 总计): implied by them
        yield from _check(spec, eq, values)


def _check(
    spec: FormatSpec, eq: Equation, values: Mapping[str, Decimal | None]
) -> Iterator[Finding]:
    left, right = _sum(values, eq.lhs), _sum(values, eq.rhs)
    if left is not None and right is not None and left != right:
        yield at_cell(spec, eq.code, eq.anchor, expected=fmt(left), actual=fmt(right))


def check_stored_derived(
    spec: FormatSpec, raw: Mapping[str, Any], values: Mapping[str, Decimal | None]
) -> Iterator[Finding]:
    """Derived cells whose stored (cached) value disagrees with the recomputed one."""
    for cid, eq in spec.definitions.items():
        stored, expected = raw.get(cid), values.get(cid)
        if is_blank(stored) or expected is None:
            continue  # no cached value: simply recomputed
        number = to_decimal(stored)
        if number is None or number != expected:
            yield at_cell(spec, eq.code, cid, expected=fmt(expected), actual=str(stored))


def validate_values(
    spec: FormatSpec, raw: Mapping[str, Any]
) -> tuple[dict[str, Decimal | None], list[Finding]]:
    """All values of a submission and every finding on them, collected in one pass."""
    values, findings = parse_inputs(spec, raw)
    derive(spec, values)
    findings += check_stored_derived(spec, raw, values)
    findings += check_identities(spec, values)
    return values, findings


def is_complete(spec: FormatSpec, values: Mapping[str, Decimal | None]) -> bool:
    """Every cell has a usable value."""
    return all(values.get(c.id) is not None for c in spec.cells if c.kind is CellKind.INPUT)
