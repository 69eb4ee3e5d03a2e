"""Tasks of the office's review in a run: read the year's review state, and record what the
run received and what the rules decided in the audit trail."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.model import CycleResult
from nianbao.core.review import Ledger
from nianbao.core.review_events import run_events
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.review import append, read_ledger
from tasks.faults import faults_returned
from tasks.inputs import CycleInputs


@task(name="读取审核状态", cache_policy=NO_CACHE)
@faults_returned
def load_review(db_url: str, year: int) -> Ledger:
    """The year's review state (decisions, finalization); empty when there is no database.
    Reads only."""
    ledger = read_ledger(db_url, year)
    if ledger.locked:
        open_units = "、".join(sorted(ledger.reopened)) or "无"
        get_run_logger().info(
            "%d年度已定稿（第%d版），重新打开的单位：%s", year, ledger.version, open_units
        )
    return ledger


@task(name="记录审核日志", cache_policy=NO_CACHE)
@faults_returned
def record_run(inputs: CycleInputs, result: CycleResult) -> int:
    """Append to the audit trail each file received and each rules' outcome not recorded
    before (a rerun of the same inputs appends nothing); returns how many."""
    new = run_events(inputs.ledger, result)
    if new:
        url = inputs.settings.database_url
        upgrade(url)
        engine = make_engine(url)
        try:
            append(engine, new)
        finally:
            engine.dispose()
    return len(new)
