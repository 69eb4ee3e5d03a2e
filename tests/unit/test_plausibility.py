"""Plausibility warnings: last year, peers of the same kind, rules by kind (both formats)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.core.findings import Finding
from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.layout import locate
from nianbao.core.model import Unit
from nianbao.core.plausibility import (
    KIND_SIGNIFICANCE,
    peer_scores,
    plausibility_findings,
    year_significance,
)
from nianbao.core.roster import UnitKind
from nianbao.core.spec import FormatSpec
from nianbao.core.thresholds import Thresholds
from nianbao.core.validate import derive
from nianbao.settings import load_settings
from tests.helpers import unit_figures

FORMATS = pytest.mark.parametrize("spec", [FORMAT_2019, FORMAT_2021], ids=lambda s: s.id)
Figures = dict[str, dict[str, Decimal]]


def full(spec: FormatSpec, inputs: Mapping[str, Decimal], **changed: int) -> dict[str, Decimal]:
    """A unit's values with derived cells (totals) computed, after changing some inputs."""
    values: dict[str, Decimal | None] = {**inputs, **{k: Decimal(v) for k, v in changed.items()}}
    values = {k: v for k, v in values.items() if k in spec.inputs}
    derive(spec, values)
    return {k: v for k, v in values.items() if v is not None}


def ordinary(spec: FormatSpec, seed: int, kind: str) -> dict[str, Decimal]:
    """Realistic random figures of one unit; a township makes no 规章."""
    figures = unit_figures(seed, spec)
    if kind == UnitKind.TOWNSHIP:
        for rule in spec.kind_rules:
            figures.update(dict.fromkeys(rule.cells, Decimal(0)))
    return full(spec, figures)


def units_of(n: int, kind: str, prefix: str = "u") -> list[Unit]:
    return [Unit(f"{prefix}{i:02d}", f"单位{prefix}{i}", kind) for i in range(n)]


def cycle(spec: FormatSpec, units: list[Unit], seed: int = 1) -> Figures:
    return {u.code: ordinary(spec, seed * 100 + i, u.kind) for i, u in enumerate(units)}


def flat(found: dict[str, list[Finding]]) -> list[tuple[str, str, str]]:
    """(unit, code, cell id) of every warning, the cell by its official labels."""
    return [(code, f.code, f.labels) for code, fs in found.items() for f in fs]


def last_like(spec: FormatSpec, figures: Figures, seed: int = 3) -> Figures:
    """Last year's key figures: this year's within −40 % … +50 % (ordinary yearly change)."""
    rng = random.Random(seed)
    return {
        code: {k: Decimal(round(float(v[k]) * rng.uniform(0.6, 1.5))) for k in spec.key_figures}
        for code, v in figures.items()
    }


@FORMATS
def test_planted_hundredfold_jump_gives_one_warning(spec: FormatSpec) -> None:
    units = units_of(3, UnitKind.DEPARTMENT)
    figures = cycle(spec, units)
    last = {code: dict(v) for code, v in figures.items()}
    zeros = {f"s4_review_{p}": 0 for p in ("upheld", "corrected", "other", "pending")}
    figures["u01"] = full(spec, figures["u01"], **{**zeros, "s4_review_upheld": 300})
    last["u01"]["s4_review_total"] = Decimal(3)

    found = plausibility_findings(spec, units, figures, last)

    assert flat(found) == [("u01", "plausibility-year", "行政复议 / 总计")]
    (finding,) = found["u01"]
    assert (finding.sheet, finding.actual, finding.expected) == ("四、复议诉讼", "300", "3")
    assert finding.significance == pytest.approx(2.0)  # 100× against a 10× threshold
    assert finding.severity.value == "warning"
    assert finding.subject == "单位u1（部门）" and "300" in finding.message


@FORMATS
def test_planted_peer_outlier_among_twenty_gives_one_warning(spec: FormatSpec) -> None:
    units = units_of(20, UnitKind.TOWNSHIP)
    figures = cycle(spec, units)
    planted = int(figures["u07"]["s2_licensing_decisions"]) * 100 + 300
    figures["u07"] = full(spec, figures["u07"], s2_licensing_decisions=planted)

    found = plausibility_findings(spec, units, figures, {})

    assert [(u, c) for u, c, _ in flat(found)] == [("u07", "plausibility-peer")]
    (finding,) = found["u07"]
    assert finding.cell == _a1(spec, "s2_licensing_decisions")
    assert finding.actual == str(planted) and finding.significance > 1


@FORMATS
def test_township_reporting_regulations_gives_one_warning(spec: FormatSpec) -> None:
    units = [*units_of(2, UnitKind.DEPARTMENT), Unit("town", "阜宁镇", UnitKind.TOWNSHIP)]
    figures = cycle(spec, units)
    first, second = spec.kind_rules[0].cells[:2]
    figures["town"] = full(spec, figures["town"], **{first: 2, second: 1})

    found = plausibility_findings(spec, units, figures, {})

    assert [(u, c) for u, c, _ in flat(found)] == [("town", "plausibility-kind")]
    (finding,) = found["town"]
    assert finding.cell == _a1(spec, first) and finding.row_path == ("规章",)
    assert finding.significance == KIND_SIGNIFICANCE
    assert spec.cell[second].label in finding.basis  # the other filled cell is named


@FORMATS
def test_departments_may_report_regulations(spec: FormatSpec) -> None:
    units = units_of(3, UnitKind.DEPARTMENT)
    figures = cycle(spec, units)
    figures["u00"] = full(spec, figures["u00"], **{spec.kind_rules[0].cells[0]: 5})
    assert plausibility_findings(spec, units, figures, {}) == {}


@FORMATS
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_twenty_ordinary_units_give_none(spec: FormatSpec, seed: int) -> None:
    units = [*units_of(12, UnitKind.DEPARTMENT, "d"), *units_of(8, UnitKind.TOWNSHIP, "t")]
    figures = cycle(spec, units, seed)
    assert plausibility_findings(spec, units, figures, last_like(spec, figures, seed)) == {}


def test_small_changes_and_small_numbers_are_not_flagged() -> None:
    this = np.array([[3.0, 300.0, 3.0, 0.0, 25.0, 12.0]])
    before = np.array([[1.0, 3.0, 300.0, 300.0, 0.0, 1.0]])
    flagged = year_significance(this, before, Thresholds()) > 0
    # 1→3 (change too small), 3→300, 300→3, 300→0, 0→25 (ratio 25), 1→12 (change too small)
    assert flagged.tolist() == [[False, True, True, True, True, False]]


def test_zero_heavy_peers_median_absolute_deviation_zero() -> None:
    zeros_and_one = np.array([[0.0]] * 19 + [[300.0]])
    median, scores = peer_scores(zeros_and_one)
    assert median.tolist() == [0.0] and scores[-1, 0] > Thresholds().peer_score
    quiet = np.array([[0.0]] * 15 + [[1.0], [2.0], [3.0], [2.0], [1.0]])
    _, scores = peer_scores(quiet)
    assert scores.max() < Thresholds().peer_score
    _, same = peer_scores(np.full((12, 1), 4.0))
    assert not same.any()


def test_peers_only_where_enough_units_of_the_kind() -> None:
    spec = FORMAT_2021
    units = units_of(9, UnitKind.ZONE)
    figures = cycle(spec, units)
    figures["u03"] = full(spec, figures["u03"], s2_licensing_decisions=50_000)
    assert plausibility_findings(spec, units, figures, {}) == {}
    fewer = Thresholds(min_peers=9)
    assert [c for _, c, _ in flat(plausibility_findings(spec, units, figures, {}, fewer))] == [
        "plausibility-peer"
    ]


def test_units_without_kind_have_no_peers() -> None:
    spec = FORMAT_2019
    units = units_of(20, "")
    figures = cycle(spec, units)
    figures["u03"] = full(spec, figures["u03"], s2_licensing_decisions=50_000)
    assert plausibility_findings(spec, units, figures, {}) == {}


counts = st.lists(st.integers(0, 500), min_size=10, max_size=40)


@settings(max_examples=60, deadline=None)
@given(columns=st.lists(counts, min_size=1, max_size=4), factor=st.integers(2, 10_000))
def test_scaling_every_unit_changes_no_peer_score(columns: list[list[int]], factor: int) -> None:
    n = min(len(c) for c in columns)
    figures = np.array([c[:n] for c in columns], dtype=np.float64).T
    _, scores = peer_scores(figures)
    _, scaled = peer_scores(figures * factor)
    assert scaled == pytest.approx(scores, rel=1e-9, abs=1e-12)


@FORMATS
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), jump=st.integers(0, 100_000))
def test_a_unit_identical_to_last_year_is_never_flagged(
    spec: FormatSpec, seed: int, jump: int
) -> None:
    units = units_of(3, UnitKind.DEPARTMENT)
    figures = cycle(spec, units, seed)
    figures["u00"] = full(spec, figures["u00"], s4_review_upheld=jump)
    last = {code: dict(values) for code, values in figures.items()}
    assert plausibility_findings(spec, units, figures, last) == {}


def test_last_year_of_the_other_format_compares_only_shared_figures() -> None:
    units = units_of(2, UnitKind.DEPARTMENT)
    this = cycle(FORMAT_2021, units)
    this["u00"] = full(FORMAT_2021, this["u00"], s2_normative_docs_issued=5000)
    last = {
        code: {k: v for k, v in values.items() if k in FORMAT_2019.cell}
        for code, values in this.items()
    }
    assert plausibility_findings(FORMAT_2021, units, this, last) == {}  # 2019 has no 制发件数
    last["u01"]["s3_new_total"] = this["u01"]["s3_new_total"] * 100 + 100
    assert [(u, c) for u, c, _ in flat(plausibility_findings(FORMAT_2021, units, this, last))] == [
        ("u01", "plausibility-year")
    ]


def test_thresholds_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_PLAUSIBILITY_RATIO", "5")
    monkeypatch.setenv("NIANBAO_PLAUSIBILITY_MIN_PEERS", "12")
    assert load_settings().plausibility == Thresholds(ratio=5, min_peers=12)
    assert load_settings().plausibility_change == Thresholds().change


def test_key_figures_and_kind_rules_are_cells_of_their_format() -> None:
    for spec in (FORMAT_2019, FORMAT_2021):
        assert set(spec.key_figures) <= set(spec.cell)
        assert all(set(r.cells) <= set(spec.cell) for r in spec.kind_rules)
        assert all(spec.cell[c].row_path == ("规章",) for r in spec.kind_rules for c in r.cells)


def _a1(spec: FormatSpec, cell_id: str) -> str:
    return locate(spec, cell_id)[1]


def test_a_figure_far_below_its_peers_is_not_flagged() -> None:
    spec = FORMAT_2021
    units = units_of(20, UnitKind.DEPARTMENT)
    figures = cycle(spec, units)
    for i, u in enumerate(units):
        figures[u.code] = full(spec, figures[u.code], s2_penalty_decisions=3000 + i)
    figures["u05"] = full(spec, figures["u05"], s2_penalty_decisions=3)
    assert plausibility_findings(spec, units, figures, {}) == {}
