"""Plausibility: figures that pass every identity but look wrong, as ranked warnings.

The identities cannot catch a unit that typed 300 instead of 3. Once every return is read,
each accepted unit's key figures (``FormatSpec.key_figures``) are compared

- with its own last year: flagged when the figure changed by at least ``ratio`` times (the
  smaller side counted as at least 1) *and* by at least ``change`` in absolute terms, so
  that 1 → 3 is not flagged and 0 → 300 is;
- with the units of the same roster kind (``UnitKind``), where at least ``min_peers`` of
  them have figures: a robust score ``|x − median| / scale`` per key figure and kind, flagged
  at ``peer_score`` when the figure is also at least ``ratio`` times the median (counted as at
  least 1) and ``change`` above it: an order of magnitude, as a slipped digit makes, not the
  spread a dozen units show by chance. Only figures above their peers are flagged: counts
  are skewed to the right and bounded by 0, so a small unit's small figure is ordinary, and
  a figure typed too small is caught against the unit's own last year. The scale is
  1.4826 · MAD (the median absolute deviation, consistent with σ for normal data);
  aggregate counts are zero-heavy and MAD is then often 0, so the fallback is 1.2533 · the
  mean absolute deviation (Iglewicz & Hoaglin's modified z-score). Both are scale-free:
  multiplying every unit's figures by the same factor changes no score. No mean ± sd: one
  typo would inflate the sd it is measured by.

and its cells are checked against the rules of its kind (``FormatSpec.kind_rules``: a
township or street office reporting 规章). Each check gives a unit at most one warning, at
its most significant figure (the message names the others). ``significance`` ranks them on
one scale: 1 at a check's threshold and, for the two statistical checks, the multiple of the
threshold in logarithms beyond it (a 100× jump against a 10× threshold is 2); a kind rule,
which is a fact rather than a guess, counts ``KIND_SIGNIFICANCE``.

Vectorised with numpy (already the validation engine's dependency; pandas would add ~1.3 CPU
seconds of import, docs/design.md): 10,000 units of the 2021 format in five kinds, with last
year's figures, take 0.06–0.13 CPU seconds (matrices built from the Decimal figures
included; ``time.process_time``, 2-core machine, December 2026).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from nianbao.core.findings import Finding
from nianbao.core.model import Unit
from nianbao.core.numbers import fmt
from nianbao.core.roster import UnitKind
from nianbao.core.spec import FormatSpec
from nianbao.core.thresholds import DEFAULT_THRESHOLDS, Thresholds
from nianbao.core.validate import at_cell

Matrix = npt.NDArray[np.float64]
Figures = Mapping[str, Mapping[str, Decimal]]

MAD_SIGMA = 1.4826  # 1 / Φ⁻¹(3/4): MAD × this estimates σ of normal data
MEAN_AD_SIGMA = 1.2533  # √(π/2): mean absolute deviation × this estimates σ of normal data
KIND_SIGNIFICANCE = 3.0  # a kind rule ranks with a 1000× jump against a 10× threshold
KINDS = frozenset(k.value for k in UnitKind)


def plausibility_findings(
    spec: FormatSpec,
    units: Sequence[Unit],
    figures: Figures,
    last: Figures,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, list[Finding]]:
    """Plausibility warnings by unit code, for the ``units`` that have ``figures`` (this
    year's accepted values, derived cells included); ``last`` holds last year's."""
    units = [u for u in units if u.code in figures]
    keys = spec.key_figures
    out: dict[str, list[Finding]] = {}
    if not units:
        return out
    this = _matrix(keys, [figures[u.code] for u in units], 0.0)
    before = _matrix(keys, [last.get(u.code, {}) for u in units], math.nan)
    checks = (
        _year_flags(spec, units, figures, last, this, before, thresholds),
        _peer_flags(spec, units, figures, this, thresholds),
        _kind_flags(spec, units, figures),
    )
    for check in checks:
        for code, finding in check:
            out.setdefault(code, []).append(finding)
    return out


def _matrix(keys: Sequence[str], rows: Sequence[Mapping[str, Decimal]], blank: float) -> Matrix:
    """Units × key figures as floats; ``blank`` where a unit has no value."""
    return np.array(
        [[float(row[k]) if k in row else blank for k in keys] for row in rows],
        dtype=np.float64,
    ).reshape(len(rows), len(keys))


def _subject(unit: Unit) -> str:
    """How a message names the unit: 阜宁镇（乡镇街道）."""
    kind = unit.kind
    return f"{unit.name}（{UnitKind(kind).label}）" if kind in KINDS else unit.name


def _number(value: float) -> str:
    """A statistic for messages: whole numbers plain, others to one decimal."""
    return fmt(Decimal(round(value, 1)))


def _others(spec: FormatSpec, keys: Sequence[str], flagged: npt.NDArray[np.bool_], j: int) -> str:
    """The note （另有…也是如此） naming a unit's other flagged key figures ("" when none)."""
    labels = [f"“{spec.cell[keys[int(i)]].label}”" for i in np.flatnonzero(flagged) if i != j]
    return f"（另有{'、'.join(labels)}也是如此）" if labels else ""


def _ratio(a: Matrix, b: Matrix) -> Matrix:
    """The larger of two figures over the smaller, the smaller counted as at least 1 (NaN
    where either is NaN)."""
    return np.maximum(a, b) / np.maximum(np.minimum(a, b), 1.0)


def year_significance(this: Matrix, before: Matrix, thresholds: Thresholds) -> Matrix:
    """Units × key figures: 0 where a figure is not flagged against last year (or last year
    has none), else ln(ratio) / ln(threshold), at least 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = _ratio(this, before)
        flagged = (ratio >= thresholds.ratio) & (np.abs(this - before) >= thresholds.change)
        return np.where(flagged, np.log(ratio) / math.log(thresholds.ratio), 0.0)


def _year_flags(
    spec: FormatSpec,
    units: Sequence[Unit],
    figures: Figures,
    last: Figures,
    this: Matrix,
    before: Matrix,
    thresholds: Thresholds,
) -> Iterator[tuple[str, Finding]]:
    keys = spec.key_figures
    significance = year_significance(this, before, thresholds)
    for i in np.flatnonzero(significance.max(axis=1, initial=0.0) > 0):
        j = int(np.argmax(significance[i]))
        unit, cid = units[int(i)], keys[j]
        now, then = figures[unit.code][cid], last[unit.code][cid]
        change = fmt(abs(now - then))
        if now > then:
            basis = (
                f"是上年的{_number(float(now / then))}倍，增加{change}" if then else f"增加{change}"
            )
        else:
            basis = (
                f"仅为上年的{_number(float(now / then) * 100)}%，减少{change}"
                if now
                else f"减少{change}"
            )
        finding = at_cell(
            spec,
            "plausibility-year",
            cid,
            expected=fmt(then),
            actual=fmt(now),
            subject=_subject(unit),
            basis=basis + _others(spec, keys, significance[i] > 0, j),
            significance=round(float(significance[i, j]), 3),
        )
        yield unit.code, finding


def peer_scores(figures: Matrix) -> tuple[Matrix, Matrix]:
    """Per key figure (column) of one kind's units (rows): the median, and each unit's robust
    score |x − median| / scale (scale 1.4826 · MAD, or 1.2533 · the mean absolute deviation
    where MAD is 0; a score of 0 where every unit has the same figure)."""
    median = np.median(figures, axis=0)
    distance = np.abs(figures - median)
    mad = np.median(distance, axis=0)
    scale = np.where(mad > 0, MAD_SIGMA * mad, MEAN_AD_SIGMA * distance.mean(axis=0))
    scores = np.divide(distance, scale, out=np.zeros_like(distance), where=scale > 0)
    return median, scores


def _peer_flags(
    spec: FormatSpec, units: Sequence[Unit], figures: Figures, this: Matrix, thresholds: Thresholds
) -> Iterator[tuple[str, Finding]]:
    keys = spec.key_figures
    kinds = np.array([u.kind for u in units], dtype=object)
    for kind in sorted(KINDS & set(kinds.tolist())):
        rows = np.flatnonzero(kinds == kind)
        if len(rows) < thresholds.min_peers:
            continue
        median, scores = peer_scores(this[rows])
        excess = this[rows] - median  # only figures above their peers' are flagged
        distance = np.abs(excess)
        flagged = (
            (scores >= thresholds.peer_score)
            & (excess >= thresholds.change)
            & (this[rows] >= thresholds.ratio * np.maximum(median, 1.0))
        )
        with np.errstate(divide="ignore"):
            significance = np.where(flagged, np.log(scores) / math.log(thresholds.peer_score), 0.0)
        for r in np.flatnonzero(flagged.any(axis=1)):
            j = int(np.argmax(significance[r]))
            unit, cid = units[int(rows[r])], keys[j]
            basis = (
                f"同类单位（{UnitKind(kind).label}，共{len(rows)}个）的中位数为"
                f"{_number(float(median[j]))}，相差{_number(float(distance[r, j]))}，"
                f"约为同类单位之间一般差距的{_number(float(scores[r, j]))}倍"
            )
            finding = at_cell(
                spec,
                "plausibility-peer",
                cid,
                expected=_number(float(median[j])),
                actual=fmt(figures[unit.code][cid]),
                subject=_subject(unit),
                basis=basis + _others(spec, keys, flagged[r], j),
                significance=round(float(significance[r, j]), 3),
            )
            yield unit.code, finding


def _kind_flags(
    spec: FormatSpec, units: Sequence[Unit], figures: Figures
) -> Iterator[tuple[str, Finding]]:
    for rule in spec.kind_rules:
        for unit in units:
            if unit.kind not in rule.kinds:
                continue
            values = figures[unit.code]
            filled = [c for c in rule.cells if values.get(c, Decimal(0)) != 0]
            if not filled:
                continue
            others = "、".join(f"“{spec.cell[c].label}”{fmt(values[c])}" for c in filled[1:])
            finding = at_cell(
                spec,
                "plausibility-kind",
                filled[0],
                actual=fmt(values[filled[0]]),
                subject=_subject(unit),
                basis=rule.reason + (f"；同一行还填了{others}" if others else ""),
                significance=KIND_SIGNIFICANCE,
            )
            yield unit.code, finding
