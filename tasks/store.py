"""Tasks that read last year's figures and write a cycle's results to the database."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.carry import last_year_cells
from nianbao.core.formats import FORMATS
from nianbao.io.db.last_year import LastYear, read_last_year
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
def load_last_year(db_url: str, year: int, format_id: str) -> LastYear:
    """What the cycle of ``year`` takes from ``year - 1``'s stored cycle, in one read: each
    unit's accepted figures of the cells the cross-year rules of ``format_id`` use, the
    totals and the sha256 of the accepted returns (empty when there is none).

    Reads only: a missing database stays missing (a dry run writes nothing).
    """
    last = read_last_year(db_url, year, last_year_cells(FORMATS[format_id]))
    if last.figures:
        get_run_logger().info(
            "已读取%d年度%d个单位的数据，用于跨年度衔接检查", year - 1, len(last.figures)
        )
    return last
