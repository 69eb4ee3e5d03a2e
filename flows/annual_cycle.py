"""The annual consolidation flow: intake, validation, merge, database, outputs.

No ``from __future__ import annotations``: the flow takes a pydantic parameter model.
"""

import datetime

from prefect import flow, get_run_logger

from flows.params import CycleParams
from nianbao.core.formats import format_for_year
from nianbao.io.roster_file import read_roster
from nianbao.settings import load_settings
from tasks.consolidate import consolidate_cycle
from tasks.intake import find_submissions, read_and_validate
from tasks.publish import publish_outputs
from tasks.report_artifacts import publish_artifacts
from tasks.returns import archive_and_feedback
from tasks.store import load_last_year, store_results


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
    roster = read_roster(settings.roster_path)
    log = get_run_logger()
    log.info("开始汇总%d年度报表（%s格式），名单共%d个单位", year, spec.id, len(roster))

    found, findings = find_submissions(settings.inbox, roster)
    last = load_last_year(settings.database_url, year)
    size = settings.batch_size
    batches = [found[i : i + size] for i in range(0, len(found), size)]
    futures = [
        read_and_validate.submit(b, settings.inbox, spec, year, roster, settings.max_findings, last)
        for b in batches
    ]
    submissions = [s for f in futures for s in f.result()]
    result = consolidate_cycle(spec, year, roster, submissions, findings, settings.deadline)
    if params.dry_run:
        log.info("试运行：只校验并生成输出文件，不写入数据库")
    else:
        store_results(settings.database_url, result)
    archive_and_feedback(spec, result, settings.root)
    paths = publish_outputs(
        spec,
        result,
        settings.output_dir(year),
        settings.region,
        settings.issuer,
        settings.issue_date or datetime.date.today(),
        db_url=settings.database_url,
    )
    publish_artifacts(result, paths, settings.database_url, params.dry_run)
    return {
        "year": year,
        "format": spec.id,
        "accepted": len(result.accepted),
        "roster": len(roster),
        "outputs": paths,
        "dry_run": params.dry_run,
    }
