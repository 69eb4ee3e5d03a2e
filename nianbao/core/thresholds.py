"""When a plausibility check flags a figure (``Settings.plausibility``; the checks are in
``nianbao.core.plausibility``). Kept apart so that the settings import no numpy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """The plausibility checks' thresholds; README, "Settings", says what each means."""

    ratio: float = 10.0  # this year / last year (either way), the smaller counted as ≥ 1
    change: float = 20.0  # absolute change against last year, or distance from the median
    peer_score: float = 6.0  # robust score against units of the same kind
    min_peers: int = 10  # units of a kind needed for the peer comparison


DEFAULT_THRESHOLDS = Thresholds()
