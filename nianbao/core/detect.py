"""Which format a workbook is in, from its labels, when its metadata cannot be trusted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from nianbao.core.compiled import compiled
from nianbao.core.layout import Role, layouts
from nianbao.core.parse import Grid, normalise_label
from nianbao.core.spec import FormatSpec


def _labels(spec: FormatSpec) -> frozenset[str]:
    return frozenset(
        normalise_label(lb.text)
        for lay in layouts(spec)
        for lb in lay.labels
        if lb.role is not Role.TITLE
    )


def signatures(formats: Iterable[FormatSpec]) -> dict[str, frozenset[str]]:
    """Format id -> the normalised labels that occur in that format only."""
    specs = list(formats)
    out = {}
    for spec in specs:
        others = frozenset().union(*(compiled(o, _labels) for o in specs if o is not spec))
        out[spec.id] = compiled(spec, _labels) - others
    return out


def detect_format(grids: Mapping[str, Grid], formats: Iterable[FormatSpec]) -> FormatSpec | None:
    """The format whose distinctive labels the workbook shows most, or None when none shows."""
    specs = {s.id: s for s in formats}
    seen = {normalise_label(v) for grid in grids.values() for row in grid for v in row if v}
    scores = {fid: len(sig & seen) for fid, sig in signatures(specs.values()).items()}
    best = max(scores, key=lambda fid: scores[fid], default=None)
    return specs[best] if best is not None and scores[best] > 0 else None
