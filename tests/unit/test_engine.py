"""The identity engine: a batch gives each return exactly what validating it alone gives."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from nianbao.core.engine import validate_batch
from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.spec import FormatSpec
from nianbao.core.validate import check_identities, derive, validate_values
from tests.helpers import unit_figures

ODD: tuple[Any, ...] = ("", None, "三", " 12 ", "１２", "-5", 1.5, -1.0, True, 1e20, 10**30, 0.5)


def returns(spec: FormatSpec, n: int, seed: int) -> list[dict[str, Any]]:
    """Valid returns as Excel gives them, some with odd cells and stored totals."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        raw: dict[str, Any] = {k: float(v) for k, v in unit_figures(i, spec).items()}
        for cid in rng.sample(spec.inputs, k=i % 4):
            raw[cid] = rng.choice(ODD)
        for cid in spec.definitions:
            raw[cid] = rng.choice(["", 0.0, 3.0, "x"])
        out.append(raw)
    return out


def test_a_batch_equals_each_return_alone() -> None:
    for spec in (FORMAT_2019, FORMAT_2021):
        raws = returns(spec, 40, seed=3)
        batch = validate_batch(spec, raws)
        alone = [validate_values(spec, raw) for raw in raws]
        assert batch == alone
        for (values, _), (same, _) in zip(batch, alone, strict=True):
            assert list(values) == list(same)  # same cells, same order
            assert [repr(v) for v in values.values()] == [repr(v) for v in same.values()]


def test_derive_keeps_given_totals_and_sums_exactly() -> None:
    values: dict[str, Decimal | None] = dict(unit_figures(1))
    values["s3_new_natural"] = Decimal(10) ** 20  # beyond int64 once scaled: exact anyway
    values["s4_review_total"] = Decimal(99)  # given: kept
    derive(FORMAT_2019, values)
    assert values["s4_review_total"] == 99
    assert values["s3_new_total"] == Decimal(10) ** 20 + sum(
        values[f"s3_new_{p}"] or 0
        for p in ("commercial", "research", "nonprofit", "legal", "other")
    )
    found = [f.code for f in check_identities(FORMAT_2019, values)]
    assert found == ["a1-balance", "b1-review-sum"]  # 10**20 unbalanced; 99 not the sum


def test_fractional_money_keeps_its_decimal_form() -> None:
    values: dict[str, Decimal | None] = dict(unit_figures(2))
    values["s2_procurement_amount"] = Decimal("0.00001")  # finer than the engine's unit
    derive(FORMAT_2019, values)
    assert values["s2_procurement_amount"] == Decimal("0.00001")
    assert list(check_identities(FORMAT_2019, values)) == []
