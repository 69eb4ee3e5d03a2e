"""The fan-out's Prefect side: start each lower level's run on the work pool, wait for the
runs, and hand the completed ones' totals up (one coarse task)."""

from __future__ import annotations

import time
from uuid import UUID

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment

from nianbao.core.levels import LevelOutcome, LevelState, child_failed
from nianbao.core.spec import FormatSpec
from nianbao.io.levels import Lower, deliver, held_figures
from nianbao.settings import Settings

POLL_SECONDS = 2.0
PAGE = 200


def start_lower_runs(deployment: str, lower: list[Lower], year: int, format_id: str) -> list[UUID]:
    """One flow run of ``deployment`` per lower level, with its folder and database as
    parameters; returns at once (any worker of the deployment's pool picks them up, within
    the pool's and the deployment's concurrency limits)."""
    runs = []
    for item in lower:
        params = {
            "year": year,
            "root": str(item.root),
            "db_url": item.settings.database_url,
            "format": format_id,
        }
        run = run_deployment(
            deployment,
            parameters={"params": params},
            flow_run_name=f"{item.unit.code}-{year}",
            timeout=0,
            tags=["nianbao", "lower-level"],
        )
        assert isinstance(run, FlowRun)  # called from sync code
        runs.append(run.id)
    return runs


def wait_runs(ids: list[UUID], timeout: float) -> dict[UUID, FlowRun]:
    """The runs as they are once all are final or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    runs: dict[UUID, FlowRun] = {}
    with get_client(sync_client=True) as client:
        while True:
            pending = [i for i in ids if not _final(runs.get(i))]
            for first in range(0, len(pending), PAGE):  # the API returns at most 200 a call
                page = FlowRunFilter(id=FlowRunFilterId(any_=pending[first : first + PAGE]))
                runs.update((r.id, r) for r in client.read_flow_runs(flow_run_filter=page))
            if all(_final(runs.get(i)) for i in ids) or time.monotonic() > deadline:
                return runs
            time.sleep(POLL_SECONDS)


def _final(run: FlowRun | None) -> bool:
    return run is not None and run.state is not None and run.state.is_final()


@task(name="下级数据上报本级", cache_policy=NO_CACHE)
def hand_up_lower(
    centre: Settings,
    spec: FormatSpec,
    year: int,
    lower: list[Lower],
    runs: dict[UUID, FlowRun],
    ids: list[UUID],
    waited_minutes: float,
) -> list[LevelOutcome]:
    """Each lower level whose run completed gets its totals handed up into the centre's
    inbox; the others are reported with the reason their run gives."""
    held = held_figures(centre, spec, year)
    log = get_run_logger()
    outcomes = []
    for item, run_id in zip(lower, ids, strict=True):
        run = runs.get(run_id)
        state = run.state if run is not None else None
        name = item.unit.name
        if state is None or not state.is_final():
            why = f"{name}的汇总运行在{waited_minutes:g}分钟内未结束"
            outcome = LevelOutcome(
                item.unit.code, name, str(item.root), LevelState.FAILED, str(run_id), why
            )
        elif not state.is_completed():
            why = child_failed(name, state.name or state.type.value, state.message)
            outcome = LevelOutcome(
                item.unit.code, name, str(item.root), LevelState.FAILED, str(run_id), why
            )
        else:
            outcome = deliver(centre, spec, year, item, held, str(run_id))
        (log.error if outcome.state.failed else log.info)(
            "%s：%s %s", name, outcome.state.label, outcome.message
        )
        outcomes.append(outcome)
    return outcomes
