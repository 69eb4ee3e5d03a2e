"""The identity engine against an independent reference: plain ``Decimal`` arithmetic that
reads the spec's equations directly (no matrices, no scaling, no overflow bound)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.layout import locate
from nianbao.core.spec import CellType, FormatSpec
from nianbao.core.validate import validate_values
from tests.helpers import unit_figures

Located = tuple[str, str, str]  # (code, sheet, A1 cell)


def reference(
    spec: FormatSpec, inputs: dict[str, Decimal]
) -> tuple[dict[str, Decimal], Counter[Located], Counter[Located]]:
    """Every cell's value (derived cells summed from their definitions) and the failing
    identities, each located at its anchor cell: those with an input cell, and those between
    derived (总计) cells only, which the engine does not report because they follow from the
    others."""
    values = dict(inputs)

    def value(cid: str) -> Decimal:
        if cid not in values:
            values[cid] = sum((value(p) for p in spec.definitions[cid].rhs), Decimal(0))
        return values[cid]

    for cid in spec.definitions:
        value(cid)
    failing: Counter[Located] = Counter()
    implied: Counter[Located] = Counter()
    for eq in spec.equations:
        if spec.definitions.get(eq.lhs[0]) is eq:
            continue  # a definition holds by construction
        lhs = sum((values[c] for c in eq.lhs), Decimal(0))
        rhs = sum((values[c] for c in eq.rhs), Decimal(0))
        if lhs != rhs:
            only_totals = all(c in spec.definitions for c in (*eq.lhs, *eq.rhs))
            (implied if only_totals else failing)[(eq.code, *locate(spec, eq.anchor))] += 1
    return values, failing, implied


@st.composite
def returns(draw: st.DrawFn, spec: FormatSpec) -> dict[str, Decimal]:
    """A consistent return, scaled (up to near the engine's int64 bound and past it), with
    a few cells changed so that some identities break."""
    figures = unit_figures(draw(st.integers(0, 10_000)), spec)
    scale = draw(st.sampled_from([1, 1, 1000, 5 * 10**9, 10**12, 10**13, 2 * 10**13, 10**15]))
    # money stays moderate, so that large counts alone decide the engine's integer path
    out = {
        cid: v * (min(scale, 1000) if spec.cell[cid].type is CellType.MONEY else scale)
        for cid, v in figures.items()
    }
    for cid in draw(st.lists(st.sampled_from(spec.inputs), max_size=4)):
        delta = Decimal(draw(st.integers(-50, 50))) * draw(st.sampled_from([1, scale]))
        if spec.cell[cid].type is CellType.MONEY:
            delta /= 100
        changed = out[cid] + delta
        if spec.cell[cid].type is CellType.SIGNED or changed >= 0:
            out[cid] = changed
    return out


def as_read(value: Decimal) -> int | str:
    """A cell value as the workbook reader gives it: whole numbers as int, others as text."""
    return int(value) if value == value.to_integral_value() else str(value)


def _agrees(spec: FormatSpec, inputs: dict[str, Decimal]) -> None:
    expected_values, expected_failing, implied = reference(spec, inputs)
    assert not implied or expected_failing  # a totals-only identity never fails alone
    values, findings = validate_values(spec, {k: as_read(v) for k, v in inputs.items()})
    assert values == expected_values
    assert Counter((f.code, f.sheet, f.cell) for f in findings) == expected_failing


@given(returns(FORMAT_2019))
def test_engine_agrees_with_reference_2019(inputs: dict[str, Decimal]) -> None:
    _agrees(FORMAT_2019, inputs)


@given(returns(FORMAT_2021))
def test_engine_agrees_with_reference_2021(inputs: dict[str, Decimal]) -> None:
    _agrees(FORMAT_2021, inputs)


def test_reference_sees_a_broken_identity() -> None:
    inputs = dict(unit_figures(5))
    _, clean, _ = reference(FORMAT_2019, inputs)
    inputs["s3_new_natural"] += 1
    _, broken, _ = reference(FORMAT_2019, inputs)
    assert not clean
    assert ("a1-balance", *locate(FORMAT_2019, "s3_carried_out_natural")) in broken
