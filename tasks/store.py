"""Task that writes a cycle's results to the database in one transaction."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.model import CycleResult
from nianbao.io.db.store import read_stored_totals
from nianbao.io.offload import store_apart


@task(name="写入数据库", retries=2, retry_delay_seconds=3, cache_policy=NO_CACHE)
def store_results(db_url: str, result: CycleResult, workers: int = 0) -> None:
    """Migrate the schema to head, then store the cycle idempotently.

    A large cycle is stored by a process of its own (unless ``workers`` is 1), so that the
    flow can write the outputs meanwhile.
    """
    store_apart(db_url, result, workers)
    get_run_logger().info("汇总数据已写入数据库")


@task(name="读取上年数据", retries=2, retry_delay_seconds=3, cache_policy=NO_CACHE)
def load_last_year(
    db_url: str, year: int, cells: Collection[str] | None = None
) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal] | None]:
    """Each unit's accepted figures of ``year - 1`` (only ``cells``, when given; empty when
    there are none) and that year's totals (None when it was never stored), in one read.

    Reads only: a missing database stays missing (a dry run writes nothing).
    """
    doc = read_stored_totals(db_url, year - 1, cells)
    units: dict[str, dict[str, Decimal]] = doc["units"] if doc else {}
    if units:
        get_run_logger().info(
            "已读取%d年度%d个单位的数据，用于跨年度衔接检查", year - 1, len(units)
        )
    return units, (doc["totals"] if doc else None)
