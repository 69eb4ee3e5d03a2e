"""Store a large cycle in a separate process, so that the outputs are written meanwhile.

Storing ten thousand units' figures is seconds of CPU-bound Python; so is writing the
outputs. In one process they take turns (one interpreter lock); here the store runs in its
own worker process (the cycle is sent once, pickled) while the caller goes on.
"""

from __future__ import annotations

from nianbao.core.model import CycleResult
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.store import store_cycle
from nianbao.io.workers import BACKGROUND, Workers

APART_FROM = 500  # submissions; smaller cycles are stored in the calling process


def store(db_url: str, result: CycleResult) -> None:
    """Migrate the schema to head, then store the cycle idempotently (one transaction)."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        store_cycle(engine, result)
    finally:
        engine.dispose()


def store_apart(db_url: str, result: CycleResult, workers: int = 0) -> None:
    """``store``, in a worker process of its own when the cycle is large (and workers != 1)."""
    if workers == 1 or len(result.submissions) < APART_FROM:
        store(db_url, result)
        return
    pool = Workers(1, nice=BACKGROUND)  # the outputs, written meanwhile, come first
    try:
        pool.map(store, [(db_url, result)])
    finally:
        pool.close()
