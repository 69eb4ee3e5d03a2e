"""Helper processes started ahead, once a run knows it has files to consolidate.

The store process (SQLAlchemy and the store, ~0.4 s of imports) and the draft's worker
(python-docx, ~0.15 s) used to start when the cycle was ready for them, so a small cycle
waited for their imports. Started before the files are read, they import on the core that
reading leaves idle: at N = 100 on a warm server the flow run took 0.95 -> 0.85 s. Only
then: when workers read the files on both cores (from ``MIN_PARALLEL`` files), the imports
would compete with the reading, and at 10,000 units the run took 19.32 -> 19.69 s (medians
of three, alternating) with them started ahead. A run with nothing new starts neither.
"""

from __future__ import annotations

from nianbao.io.docx.apart import prepare_drafting
from nianbao.io.intake import MIN_PARALLEL
from nianbao.io.offload import standby, stored_apart


def start_ahead(submissions: int, to_read: int, workers: int, *, store: bool) -> None:
    """Start what a run of ``submissions`` files, ``to_read`` of them to read, will use
    while it reads them in this process: the store process when it stores (``store``)
    apart, the draft's worker when the draft is made apart."""
    if workers == 1 or to_read >= MIN_PARALLEL:
        return
    if store and stored_apart(submissions, workers):
        standby()
    prepare_drafting()
