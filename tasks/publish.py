"""Task that writes the published outputs: totals.json, status.json, 汇总表, the Word draft."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.checked import digest
from nianbao.core.model import CycleResult
from nianbao.io.faults import fault_point
from nianbao.io.folder import write_json
from nianbao.io.staging import Staging
from tasks.faults import faults_returned
from tasks.inputs import CycleInputs

if TYPE_CHECKING:
    from nianbao.core.report.types import Report


DRAFT_RECORD = ".nianbao-draft.json"  # what the published draft was made from, and its date


def _dated(
    report: Report, own: Path | None, out_dir: Path, by_default: bool
) -> tuple[Report, dict[str, Any]]:
    """The draft, dated as the published one when it says the same (``by_default``: the
    date is the default, today); and what it is made from, for the next run to compare.

    A draft is signed on the day it is made; a later run whose draft would differ only by
    that date keeps the published draft (same bytes, same modification time) and its date.
    """
    blank = replace(report, signature=replace(report.signature, date=date.min))
    template = None
    if own is not None:
        st = own.stat()
        template = [st.st_size, st.st_mtime_ns]
    key = digest([repr(blank), template])
    if by_default:
        try:
            doc = json.loads((out_dir / DRAFT_RECORD).read_text(encoding="utf-8"))
            if doc["key"] == key:
                when = date.fromisoformat(doc["issued"])
                report = replace(report, signature=replace(report.signature, date=when))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return report, {"key": key, "issued": report.signature.date.isoformat()}


@task(name="生成输出文件和报告初稿", cache_policy=NO_CACHE)
@faults_returned
def publish_outputs(inputs: CycleInputs, result: CycleResult, staging: Staging) -> dict[str, str]:
    """Write the cycle's outputs into ``staging`` (published into ``staging.base`` by the
    flow once the database has committed); returns their final paths by name.

    同比 sentences use last year's totals as read before the store began. Times people
    read are in the office's time zone. Not retried: a full disk ends the run with one
    message.
    """
    # The writers are imported here: a run with nothing new needs none.
    from nianbao.core.report.build import build_report
    from nianbao.io.docx.apart import drafting
    from nianbao.io.export import write_summary
    from nianbao.io.totals_file import write_totals

    s, spec, out_dir = inputs.settings, inputs.spec, staging.base
    paths = {
        "totals": out_dir / "totals.json",
        "status": out_dir / "status.json",
        "status_book": out_dir / "status.xlsx",
        "report": out_dir / "report.docx",
    }
    issued = s.issue_date or date.today()
    report = build_report(
        result, spec, s.region, s.issuer, issued, inputs.last.totals, s.report_group_level
    )
    own = s.own_report_template if s.own_report_template.is_file() else None
    report, made = _dated(report, own, out_dir, s.issue_date is None)
    with drafting(report, staging.path(paths["report"]), own, s.workers != 1):
        write_totals(staging.path(paths["totals"]), spec, result)
        _write_status(inputs, result, staging, paths)
        for name, staged in write_summary(spec, result, staging.folder).items():  # 汇总表
            paths[name] = staging.adopt(staged, out_dir / staged.name)
    write_json(staging.path(out_dir / DRAFT_RECORD), made)
    get_run_logger().info("报告初稿已生成（运行结束时发布）：%s", paths["report"])
    return {k: str(v) for k, v in paths.items()}


@task(name="更新报送情况（已定稿）", cache_policy=NO_CACHE)
@faults_returned
def publish_status(inputs: CycleInputs, result: CycleResult, staging: Staging) -> dict[str, str]:
    """While the year is finalized: only status.json and status.xlsx (the board lists the
    files received after finalization); totals, the draft and the exports stay as published."""
    out_dir = staging.base
    paths = {"status": out_dir / "status.json", "status_book": out_dir / "status.xlsx"}
    _write_status(inputs, result, staging, paths)
    return {k: str(v) for k, v in paths.items()}


def _write_status(
    inputs: CycleInputs, result: CycleResult, staging: Staging, paths: dict[str, Path]
) -> None:
    from nianbao.core.outputs import status_doc
    from nianbao.core.unit_status import cycle_status
    from nianbao.io.status_book import write_status_book

    s = inputs.settings
    status = cycle_status(result, inputs.ledger)
    write_json(staging.path(paths["status"]), status_doc(status, s.timezone))
    fault_point("outputs", s.fault)
    write_status_book(status, staging.path(paths["status_book"]), s.timezone)
