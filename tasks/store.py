"""Tasks that read last year's figures and write a cycle's results to the database."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.io.db.read import read_stored_totals
from nianbao.io.offload import Gate, StoreJob, store_gated
from tasks.faults import faults_returned


@task(name="写入数据库", cache_policy=NO_CACHE)
@faults_returned
def store_results(job: StoreJob, gate: Gate) -> bool:
    """Migrate the schema to head and store the job's cycle idempotently in one
    transaction, which commits only when the flow opens ``gate`` (once the outputs are
    written); True when committed.

    A large cycle is stored by a process of its own (``store_job``), so that the flow can
    write the outputs meanwhile. Not retried: a fault ends the run with one message, and
    the next run converges.
    """
    committed = store_gated(job, gate)
    if committed:
        get_run_logger().info("汇总数据已写入数据库")
    return committed


@task(name="读取上年数据", cache_policy=NO_CACHE)
@faults_returned
def load_last_year(
    db_url: str, year: int, cells: Collection[str] | None = None
) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal] | None]:
    """Each unit's accepted figures of ``year - 1`` (only ``cells``, when given; empty when
    there are none) and that year's totals (None when it was never stored), in one read.

    Reads only: a missing database stays missing (a dry run writes nothing).
    """
    stored = read_stored_totals(db_url, year - 1, cells)
    units = stored.units if stored else {}
    if units:
        get_run_logger().info(
            "已读取%d年度%d个单位的数据，用于跨年度衔接检查", year - 1, len(units)
        )
    return units, (stored.totals if stored else None)
