"""The fan-out flow: a centre (a city or province office) runs every lower level's cycle on
the work pool, then its own.

Each unit of the centre's roster is a lower level with a shared folder of its own (and its
own database). One flow run of the lower-level deployment is started per lower level, so
any worker of the pool runs it, on this machine or another with the same folders mounted;
how many run at once is the pool's and the deployment's concurrency limit. Once they have
ended, each completed one's stored totals become its return in the centre's inbox, and the
centre's ordinary cycle runs: its validation, database and draft are the usual ones. A lower
level that failed is reported (``output/<year>/下级汇总情况.json``, the log, the run's state)
and the others are not held back; a rerun with ``only`` runs just the named ones again.

No ``from __future__ import annotations``: the flow takes a pydantic parameter model.
"""

from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Failed

from flows.annual_cycle import annual_cycle
from flows.params import CycleParams, FanOutParams
from nianbao.core.formats import format_for_year
from nianbao.core.levels import summary
from nianbao.io.levels import plan_lower, write_report
from nianbao.io.roster_file import load_roster
from nianbao.settings import load_settings
from tasks.inputs import as_is
from tasks.levels import hand_up_lower, start_lower_runs, wait_runs


@flow(
    name="nianbao-fan-out",
    description="为名单中的每个下级（如各县）在工作池上运行一次年度汇总，"
    "再把各下级的合计作为本级的报表汇总；某个下级失败时报告原因，其他下级照常汇总。",
    log_prints=False,
)
def fan_out(params: FanOutParams = FanOutParams()) -> dict[str, object] | State[Any]:  # noqa: B008
    """Run every lower level's cycle on the pool, hand their totals up, run this level's
    cycle; a failed state naming the lower levels that failed (the others are consolidated)."""
    centre = load_settings(root=params.root, db_url=params.db_url)
    year = params.resolved_year()
    spec = format_for_year(year, params.format)
    log = get_run_logger()
    roster = load_roster(centre.root)
    lower, planned = plan_lower(centre, roster, year, params.roots, params.only)
    log.info("%d年度：启动%d个下级的汇总运行", year, len(lower))
    ids = start_lower_runs(params.deployment, lower, year, spec.id)
    runs = wait_runs(ids, params.wait_minutes * 60)
    handed = hand_up_lower(
        as_is(centre), spec, year, as_is(lower), as_is(runs), ids, params.wait_minutes
    )
    order = {u.code: i for i, u in enumerate(roster)}
    outcomes = sorted([*planned, *handed], key=lambda o: order[o.code])
    own = CycleParams(year=year, root=str(centre.root), db_url=params.db_url, format=params.format)
    cycle = annual_cycle(own, return_state=True)
    report = write_report(centre, year, outcomes)
    message = summary(year, outcomes)
    if not cycle.is_completed():
        message = f"{message}；本级汇总未完成：{cycle.message}"
    failed = [o.code for o in outcomes if o.state.failed]
    if failed or not cycle.is_completed():
        log.error("%s", message)
        return Failed(message=message)
    log.info("%s", message)
    return {"year": year, "lower": len(outcomes), "report": str(report), "cycle": cycle.result()}
