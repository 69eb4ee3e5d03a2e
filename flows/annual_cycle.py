"""The annual consolidation flow: intake, validation, merge, database, outputs.

No ``from __future__ import annotations``: the flow takes a pydantic parameter model.
"""

import datetime
from typing import TypeVar, cast

from prefect import flow, get_run_logger
from prefect.utilities.annotations import quote

from flows.params import CycleParams
from nianbao.core.carry import last_year_cells
from nianbao.core.formats import format_for_year
from nianbao.io.roster_file import load_roster
from nianbao.settings import load_settings
from tasks.consolidate import consolidate_cycle
from tasks.intake import find_submissions, read_and_validate
from tasks.publish import publish_outputs
from tasks.report_artifacts import publish_artifacts
from tasks.returns import write_feedback
from tasks.store import load_last_year, store_results

T = TypeVar("T")


def as_is(value: T) -> T:
    """``value`` wrapped in Prefect's ``quote``: the task gets it without Prefect visiting
    its contents (and without tracking them as upstream results)."""
    return cast(T, quote(value))


@flow(
    name="nianbao-annual-cycle",
    description="收集各单位报送的政府信息公开年度报表，校验、汇总、入库并生成年度报告初稿。",
    log_prints=False,
)
def annual_cycle(params: CycleParams = CycleParams()) -> dict[str, object]:  # noqa: B008
    """Run one January cycle for a report year; returns a short summary."""
    settings = load_settings(root=params.root, db_url=params.db_url)
    year = params.resolved_year()
    spec = format_for_year(year, params.format)
    roster = load_roster(settings.root)
    log = get_run_logger()
    log.info("开始汇总%d年度报表（%s格式），名单共%d个单位", year, spec.id, len(roster))

    found, findings = find_submissions(settings.inbox, as_is(roster), settings.settle_seconds)
    last, last_totals = load_last_year(settings.database_url, year, last_year_cells(spec))
    size = settings.batch_size
    batches = [found[i : i + size] for i in range(0, len(found), size)]
    # as_is(): large arguments go to the tasks untouched; Prefect would otherwise walk every
    # object inside them (every cell of every unit) on each task call, looking for futures.
    futures = [
        read_and_validate.submit(
            as_is(b),
            settings.inbox,
            as_is(spec),
            year,
            as_is(roster),
            settings.max_findings,
            as_is(last),
            settings.workers,
            settings.archive,
            settings.read_bounds,
        )
        for b in batches
    ]
    intakes = [f.result() for f in futures]
    submissions = [s for i in intakes for s in i.submissions]
    findings += [f for i in intakes for f in i.findings]  # files of units not handled
    result = consolidate_cycle(
        as_is(spec), year, as_is(roster), as_is(submissions), as_is(findings), settings.deadline
    )
    # The database write (in a process of its own when large) and the receipts (on the
    # worker processes) run while this one writes the outputs. Originals were archived as
    # they were read.
    stored = None
    if params.dry_run:
        log.info("试运行：只校验并生成输出文件，不写入数据库")
    else:
        stored = store_results.submit(settings.database_url, as_is(result), settings.workers)
    returned = write_feedback.submit(
        as_is(spec), as_is(result), settings.root, settings.workers, settings.timezone
    )
    paths = publish_outputs(
        as_is(spec),
        as_is(result),
        settings.output_dir(year),
        settings.region,
        settings.issuer,
        settings.issue_date or datetime.date.today(),
        last_totals=as_is(last_totals),  # read before the store began: no reads during it
        tz=settings.timezone,
    )
    returned.result()
    if stored is not None:
        stored.result()
    publish_artifacts(
        as_is(result), paths, settings.database_url, params.dry_run, settings.timezone
    )
    return {
        "year": year,
        "format": spec.id,
        "accepted": len(result.accepted),
        "roster": len(roster),
        "outputs": paths,
        "dry_run": params.dry_run,
    }
