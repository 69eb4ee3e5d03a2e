"""Helper processes started ahead, once a run knows it has files to consolidate.

The store process (SQLAlchemy and the store, ~0.4 s of imports) and the draft's worker
(python-docx, ~0.15 s) used to start when the cycle was ready for them, so a small cycle
waited for their imports; started before the files are read, they import on the other core
meanwhile. A run with nothing new starts neither.
"""

from __future__ import annotations

from nianbao.io.docx.apart import prepare_drafting
from nianbao.io.offload import standby, stored_apart


def start_ahead(submissions: int, workers: int, *, store: bool) -> None:
    """Start what the run will use for ``submissions`` files: the store process when it
    stores (``store``) apart, the draft's worker when the draft is made apart."""
    if store and stored_apart(submissions, workers):
        standby()
    if workers != 1:
        prepare_drafting()
