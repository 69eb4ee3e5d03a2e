"""The garbage collector's schedule for processes that hold a cycle's figures.

A cycle at 10,000 units is millions of small objects (a dict of Decimals per submission,
findings, rows). With the interpreter's default thresholds (700, 10, 10) the collector runs
a young pass every 700 allocations and walks the growing heap again and again; none of it is
garbage. Measured with ``python -m benchmarks.pieces`` on the rerun folder of a 10,000-unit
cycle (the pieces of a one-file rerun in one process: stored checks restored, merge, pickling,
every output, feedback), five alternating runs each on an idle 2-core host: 10.4–12.8 CPU s
(median 12.1) with the default, 9.5–10.7 (median 10.5) with ``(50_000, 20, 100)``; the
collector switched off entirely gave 8.4 once, larger thresholds nothing more. Cyclic garbage
is still collected, only less often.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 100)


def for_large_heaps() -> None:
    """Collect less often in this process (see the module's figures); idempotent."""
    gc.set_threshold(*THRESHOLDS)
