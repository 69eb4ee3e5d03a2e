"""Benchmark (not a test): store N submissions' values (every cell of the 2019 format).

Times ``store_cycle`` on a fresh database (all rows inserted, one transaction), then the
same result stored again (a rerun: everything compared, nothing written), then
``read_totals``, on SQLite and on PostgreSQL. PostgreSQL comes from ``--pg-url`` or
``NIANBAO_TEST_PG_URL`` and runs in a temporary schema that is dropped afterwards.

Usage: python benchmarks/db_store.py [--units 10000] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import CycleResult, Status, Submission, Unit
from nianbao.core.spec import CellType
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.read import read_totals
from nianbao.io.db.write import store_cycle

YEAR = 2020


def build_result(n: int) -> CycleResult:
    """N accepted submissions with a value for every cell, and their totals."""
    rng = random.Random(42)
    roster = tuple(Unit(f"u{i:05d}", f"单位{i}", "部门") for i in range(n))
    t0 = datetime(2021, 1, 10, tzinfo=UTC)
    subs = []
    totals = {c.id: Decimal(0) for c in SPEC.cells}
    for i, unit in enumerate(roster):
        values = {}
        for c in SPEC.cells:
            if c.type is CellType.MONEY:
                v = Decimal(rng.randrange(0, 10**7)) / 100
            elif c.type is CellType.SIGNED:
                v = Decimal(rng.randrange(-20, 20))
            else:
                v = Decimal(rng.randrange(0, 200))
            values[c.id] = v
            totals[c.id] += v
        subs.append(
            Submission(
                unit=unit.code,
                file=f"{unit.code}/{unit.name}.xlsx",
                sha256=f"{i:064x}",
                received_at=t0 + timedelta(seconds=i),
                format=SPEC.id,
                status=Status.ACCEPTED,
                values=values,
                texts={},
                findings=(),
            )
        )
    return CycleResult(YEAR, SPEC.id, roster, tuple(subs), totals)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds (user + sys; a database server's own
    work is not counted) of ``fn()``."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def run(label: str, engine: Engine, result: CycleResult) -> None:
    upgrade(engine)
    values = sum(len(s.values) for s in result.submissions)
    first = timed(lambda: store_cycle(engine, result))
    again = timed(lambda: store_cycle(engine, result))
    read = timed(lambda: read_totals(engine, YEAR))
    n = len(result.submissions)
    print(
        f"{label:<11} store {n} submissions × {len(SPEC.cells)} cells = {values:,} values: "
        f"{first[0]:7.1f} s ({values / first[0]:,.0f} values/s, {first[1]:.1f} CPU s); "
        f"rerun (no change) {again[0]:6.1f} s ({again[1]:.1f} CPU s); "
        f"read_totals {read[0]:5.1f} s ({read[1]:.1f} CPU s)"
    )


def sqlite(result: CycleResult) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            run("SQLite:", engine, result)
        finally:
            engine.dispose()


def postgresql(result: CycleResult, url: str) -> None:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}))
    try:
        run("PostgreSQL:", engine, result)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=10_000, help="number of submissions")
    p.add_argument("--pg-url", default=os.environ.get("NIANBAO_TEST_PG_URL"))
    args = p.parse_args()
    start = time.perf_counter()
    result = build_result(args.units)
    print(f"built {args.units} submissions in {time.perf_counter() - start:.1f} s")
    sqlite(result)
    if args.pg_url:
        postgresql(result, args.pg_url)
    else:
        print("PostgreSQL: skipped (no URL)")


if __name__ == "__main__":
    main()
