"""Merging unit figures into totals, and splitting totals into valid unit figures."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Status, Submission, Unit
from nianbao.core.process import consolidate
from nianbao.core.split import split_cycle
from nianbao.core.validate import validate_values

T0 = datetime(2021, 1, 10, tzinfo=UTC)


def random_totals(rng: random.Random) -> dict[str, Decimal]:
    """City inputs that satisfy A1: applications flow from sources to outcomes."""
    totals = {
        cid: Decimal(rng.randrange(0, 50)) for cid in SPEC.inputs if not cid.startswith("s3_")
    }
    totals["s2_licensing_change"] = Decimal(rng.randrange(-40, 40))
    totals["s2_procurement_amount"] = Decimal(rng.randrange(0, 10**6)) / 100
    for cid in SPEC.inputs:
        totals.setdefault(cid, Decimal(0))
    for col in ("natural", "commercial", "legal"):
        new, carried = rng.randrange(0, 30), rng.randrange(0, 5)
        out = rng.randrange(0, new + carried + 1)
        public = new + carried - out
        totals[f"s3_new_{col}"] = Decimal(new)
        totals[f"s3_carried_in_{col}"] = Decimal(carried)
        totals[f"s3_carried_out_{col}"] = Decimal(out)
        totals[f"s3_public_{col}"] = Decimal(public // 2)
        totals[f"s3_reject_repeat_{col}"] = Decimal(public - public // 2)
    return totals


def submission(code: str, values: dict[str, Decimal]) -> Submission:
    checked, findings = validate_values(SPEC, {k: float(v) for k, v in values.items()})
    assert findings == []
    return Submission(
        unit=code,
        file=f"{code}.xlsx",
        sha256=code,
        received_at=T0,
        format=SPEC.id,
        status=Status.ACCEPTED,
        values={k: v for k, v in checked.items() if v is not None},
        texts={},
        findings=(),
    )


@given(seed=st.integers(0, 10**6), n=st.integers(1, 6))
def test_split_units_are_valid_and_merge_back_to_the_totals(seed: int, n: int) -> None:
    rng = random.Random(seed)
    totals = random_totals(rng)
    new_total = int(sum(totals[f"s3_new_{c}"] for c in ("natural", "commercial", "legal")))
    quota = [new_total // n] * n
    quota[0] += new_total - sum(quota)
    units = split_cycle(SPEC, totals, quota, seed=seed)
    subs = [submission(f"u{i}", u) for i, u in enumerate(units)]
    roster = tuple(Unit(f"u{i}", f"单位{i}") for i in range(n))
    result = consolidate(SPEC, 2020, roster, subs)
    assert result.findings == ()
    for cid in SPEC.inputs:
        assert result.totals[cid] == totals[cid], cid
    for i, sub in enumerate(subs):
        assert sub.values["s3_new_total"] == quota[i]
    # the merge does not depend on file order
    again = consolidate(SPEC, 2020, roster, list(reversed(subs)))
    assert again.totals == result.totals
    # a derived total equals the sum of the units' derived totals
    assert result.totals["s3_handled_total_total"] == sum(
        s.values["s3_handled_total_total"] for s in subs
    )


def test_only_accepted_submissions_count_and_the_newest_file_supersedes() -> None:
    rng = random.Random(1)
    totals = random_totals(rng)
    a, b = split_cycle(
        SPEC,
        totals,
        [int(sum(totals[f"s3_new_{c}"] for c in ("natural", "commercial", "legal"))), 0],
    )
    first = submission("a", a)
    newer = Submission(
        **{**first.__dict__, "file": "a-v2.xlsx", "sha256": "a2", "received_at": T0.replace(day=11)}
    )
    rejected = Submission(**{**submission("b", b).__dict__, "status": Status.REJECTED})
    roster = (Unit("a", "甲"), Unit("b", "乙"), Unit("c", "丙"))
    result = consolidate(SPEC, 2020, roster, [newer, first, rejected])
    assert result.status_of("a") is Status.ACCEPTED
    assert result.status_of("b") is Status.REJECTED
    assert result.status_of("c") is Status.MISSING
    assert [s.status for s in result.submissions if s.unit == "a"].count(Status.SUPERSEDED) == 1
    assert result.totals == {k: v for k, v in newer.values.items()}
    assert set(result.breakdown) == {"a"}
