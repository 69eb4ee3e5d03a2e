"""Task that writes a cycle's results to the database in one transaction."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.model import CycleResult
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.store import store_cycle


@task(name="写入数据库", retries=2, retry_delay_seconds=3, cache_policy=NO_CACHE)
def store_results(db_url: str, result: CycleResult) -> None:
    """Migrate the schema to head, then store the cycle idempotently."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        store_cycle(engine, result)
    finally:
        engine.dispose()
    get_run_logger().info("汇总数据已写入数据库")
