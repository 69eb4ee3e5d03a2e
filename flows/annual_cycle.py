"""The annual consolidation flow: intake, validation, merge, database, outputs.

One run at a time per shared folder and year (a lock file); the database is checked before
any work; the outputs and the units' feedback are written under temporary names while the
database write runs, the write commits only once they are complete, and they are renamed
into place only after the commit. A fault of the run itself (database, disk, a stop) ends it
with one message and publishes nothing (README, "Reliability").

No ``from __future__ import annotations``: the flow takes a pydantic parameter model.
"""

import logging
import signal
import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.exceptions import TerminationSignal
from prefect.states import Failed

from flows.params import CycleParams
from nianbao.core.checked import digest
from nianbao.core.formats import format_for_year
from nianbao.core.model import CycleResult
from nianbao.io import heap
from nianbao.io.ahead import start_ahead
from nianbao.io.atomic import sweep_temporaries
from nianbao.io.db.migrate import check_database
from nianbao.io.db.write import inputs_sha256
from nianbao.io.faults import RunFault, as_fault, signals_deferred
from nianbao.io.offload import Gate, store_job
from nianbao.io.receipt import feedback_entry
from nianbao.io.reuse import RunRecord, forget_run, nothing_new
from nianbao.io.roster_file import load_roster_tree
from nianbao.io.runlock import RunLock
from nianbao.io.staging import Staging
from nianbao.io.verdicts import feedback_turn, forget_caught_up, newer_answered
from nianbao.settings import Settings, load_settings
from tasks.consolidate import consolidate_cycle
from tasks.faults import checked
from tasks.inputs import CycleInputs, as_is
from tasks.intake import find_submissions, read_submissions, sort_submissions
from tasks.publish import publish_outputs, publish_status
from tasks.report_artifacts import publish_artifacts
from tasks.returns import tidy_feedback, write_feedback
from tasks.review import load_review, record_run
from tasks.store import load_last_year, store_results

Log = logging.Logger | logging.LoggerAdapter[Any]
SHARED_FOLDERS = ("feedback", "archive", "quarantine")  # written by runs of every year

BEFORE_COMMIT = "本次运行未发布任何输出文件和回执，数据库和上次的输出文件都保持运行前的状态"
AT_COMMIT = "本次运行未发布任何输出文件和回执；请在问题排除后重新运行，重新运行会得到完整的结果"
PUBLISHED = "本次运行的结果已写入数据库，输出文件和回执已发布"


class PublishFailed(RunFault):
    """Outputs could not be renamed into place after the commit."""


class _Phase:
    """How far a run got, for what its failure leaves behind."""

    def __init__(self) -> None:
        self.committing = False
        self.published = False

    def consequence(self) -> str:
        if self.published:
            return PUBLISHED
        return AT_COMMIT if self.committing else BEFORE_COMMIT


@flow(
    name="nianbao-annual-cycle",
    description="收集各单位报送的政府信息公开年度报表，校验、汇总、入库并生成年度报告初稿。",
    log_prints=False,
)
def annual_cycle(params: CycleParams = CycleParams()) -> dict[str, object] | State[Any]:  # noqa: B008
    """Run one January cycle for a report year; returns a short summary (a failed state
    with one message when a fault of the run itself stopped it)."""
    heap.for_large_heaps()
    settings = load_settings(root=params.root, db_url=params.db_url)
    year = params.resolved_year()
    log = get_run_logger()
    phase = _Phase()
    lock = RunLock(settings.root, year, settings.timezone)
    try:
        with lock.hold(
            settings.lock_wait,
            on_wait=lambda message: log.warning("%s", message),
            tidy=lambda alone: _tidy(settings, year, alone),
        ):
            check_database(settings.database_url)
            return _cycle(params, settings, year, log, phase)
    except PublishFailed as fault:
        log.error("%d年度汇总已写入数据库，但%s", year, fault)
        return Failed(message=str(fault))
    except Exception as exc:
        run_fault = as_fault(exc)  # a disk filling up anywhere in the run, a database fault
        if run_fault is None:
            raise  # a bug: keep its traceback
        message = f"{year}年度汇总未完成：{run_fault}。{phase.consequence()}"
        log.error("%s", message)
        return Failed(message=message)
    except (TerminationSignal, KeyboardInterrupt):
        log.error("%d年度汇总被停止（收到停止信号）。%s", year, phase.consequence())
        raise


def _tidy(settings: Settings, year: int, alone: bool) -> None:
    """Remove what killed runs left: temporaries in this year's outputs, and in the shared
    folders when no other run is active."""
    sweep_temporaries(settings.output_dir(year))
    if alone:
        for name in SHARED_FOLDERS:
            sweep_temporaries(settings.root / name)


def _cycle(
    params: CycleParams, settings: Settings, year: int, log: Log, phase: _Phase
) -> dict[str, object]:
    spec = format_for_year(year, params.format)
    tree = load_roster_tree(settings.root)
    roster = tree.units
    log.info("开始汇总%d年度报表（%s格式），名单共%d个单位", year, spec.id, len(roster))
    last = checked(load_last_year(settings.database_url, year, spec.id))
    review = checked(load_review(settings.database_url, year))
    inputs = CycleInputs(year, spec.id, roster, settings, last, tree.groups, review)
    read_at = time.time()
    found, findings = find_submissions(as_is(inputs))
    sort = sort_submissions(as_is(inputs), as_is(found), as_is(findings))
    run_key = digest([sort.run_key, review.decided, settings.review])  # + office decisions
    out_dir = settings.output_dir(year)
    before = RunRecord.read(out_dir)
    if not params.dry_run:
        same = nothing_new(settings.database_url, year, settings.root, out_dir, run_key)
        if same is not None:
            log.info("没有新的或改动过的文件，数据库、输出文件和回执都已是最新的，无需处理")
            return same.summary_at(settings.root)
    if not review.frozen:  # the store's and the draft's processes start while files are read
        files = len(sort.known) + len(sort.to_read)
        start_ahead(files, len(sort.to_read), settings.workers, store=not params.dry_run)
    intake = read_submissions(inputs, sort, findings)
    result = consolidate_cycle(as_is(inputs), as_is(intake))
    if review.frozen:  # finalized: receive and say so, change nothing else
        paths, made = _receive_only(inputs, result, log, phase), dict[str, str]()
    else:
        paths, made = _store_and_publish(
            inputs, result, params.dry_run, log, phase, before, read_at, intake.restored
        )
    board = publish_artifacts.submit(as_is(inputs), as_is(result), paths, params.dry_run)
    try:  # the audit rows are written while the board is published (~0.4 s at 10,000)
        if not params.dry_run:
            checked(record_run(as_is(inputs), as_is(result)))
    finally:
        board.wait()
    board.result()
    summary: dict[str, object] = {
        "year": year,
        "format": spec.id,
        "accepted": len(result.accepted),
        "roster": len(roster),
        "outputs": paths,
        "dry_run": params.dry_run,
    }
    if params.dry_run or review.frozen:
        forget_run(out_dir)  # its outputs are not the stored cycle's (or only the board's)
    else:
        stored = inputs_sha256(result)
        RunRecord.made(settings.root, run_key, stored, summary, paths, made).write(out_dir)
    return summary


def _store_and_publish(
    inputs: CycleInputs,
    result: CycleResult,
    dry_run: bool,
    log: Log,
    phase: _Phase,
    before: RunRecord | None,
    read_at: float,
    restored: frozenset[tuple[str, str]],
) -> tuple[dict[str, str], dict[str, str]]:
    """Store the cycle while the outputs and the feedback are written into staging folders;
    commit once they are complete, then rename them into place (an output whose content did
    not change is left as it was); returns the outputs' paths and the current feedback
    files with what they were made from. A unit answered by ``nianbao watch`` on a newer file
    since the inbox was read (``read_at``) keeps that answer (``nianbao.io.verdicts``).

    The database write (in a process of its own when large) and the feedback (receipts on
    the worker processes) run while this process writes the outputs. Originals were archived
    as they were read.
    """
    settings = inputs.settings
    outputs = Staging(settings.output_dir(inputs.year))
    feedback = Staging(settings.root / "feedback")
    gate = Gate()
    stored = returned = None
    try:
        if dry_run:
            log.info("试运行：只校验并生成输出文件，不写入数据库")
        else:
            job = store_job(
                settings.database_url, result, settings.workers, settings.fault, restored
            )
            stored = store_results.submit(as_is(job), gate)
        returned = write_feedback.submit(as_is(inputs), as_is(result), feedback, as_is(before))
        paths = checked(publish_outputs(as_is(inputs), as_is(result), outputs))
        done, made = checked(returned.result())
        if stored is not None and not gate.wait_ready():
            checked(stored.result())  # the write failed before its commit
            raise RuntimeError("the database write ended before its commit without a fault")
        # The point of no return: commit and publish; a stop meanwhile takes effect after.
        # A unit answered since this run read its folder keeps that newer verdict.
        with feedback_turn(settings.root):
            with signals_deferred(signal.SIGTERM, signal.SIGINT):
                phase.committing = True
                gate.open()
                if stored is not None and not checked(stored.result()):
                    raise RuntimeError("the database write rolled back although the gate was open")
                newer = newer_answered(settings.root, result, done.written, read_at)
                feedback.withdraw(newer)
                unpublished = _publish(outputs, feedback, log) | newer
                phase.published = True
            tidy_feedback(done, result, unpublished)  # earlier feedback into 历史/
            forget_caught_up(settings.root, result, read_at)
        gone = {feedback_entry(p.parent.name, p.name) for p in unpublished}
        made = {entry: key for entry, key in made.items() if entry not in gone}
    finally:
        gate.close()  # no effect once opened: a failure before it rolls the write back
        for task_run in (stored, returned):  # both end before their staging goes
            if task_run is not None:
                task_run.wait()
        outputs.discard()
        feedback.discard()
    return paths, made


def _receive_only(
    inputs: CycleInputs, result: CycleResult, log: Log, phase: _Phase
) -> dict[str, str]:
    """The year is finalized (定稿) and no unit reopened: each unit's feedback (a file
    received since gets a receipt saying so) and the board are published; the database,
    totals, draft and exports stay as the version made them."""
    ledger = inputs.ledger
    log.warning(
        "%d年度已定稿（第%d版）：本次运行只接收文件、发送回执和更新报送情况，不改变汇总数据",
        inputs.year,
        ledger.version,
    )
    outputs = Staging(inputs.settings.output_dir(inputs.year))
    feedback = Staging(inputs.settings.root / "feedback")
    returned = None
    try:
        returned = write_feedback.submit(as_is(inputs), as_is(result), feedback, None)
        paths = checked(publish_status(as_is(inputs), as_is(result), outputs))
        done, _ = checked(returned.result())
        with signals_deferred(signal.SIGTERM, signal.SIGINT):
            phase.committing = True
            unpublished = _publish(outputs, feedback, log)
            phase.published = True
        tidy_feedback(done, result, unpublished)
    finally:
        if returned is not None:
            returned.wait()
        outputs.discard()
        feedback.discard()
    return paths


def _publish(outputs: Staging, feedback: Staging, log: Log) -> set[Path]:
    """Rename the staged files into place; a unit's feedback that cannot be moved is
    reported and the others go on (returns those); outputs that cannot are a fault."""
    unpublished = set()
    for path, exc in feedback.publish():
        log.warning("未能发布反馈文件 %s：%s", path, exc)
        unpublished.add(path)
    failed = outputs.publish()
    if failed:
        names = "、".join(f"{path.name}（{exc.strerror or exc}）" for path, exc in failed)
        raise PublishFailed(f"以下输出文件未能更新：{names}；请排除问题后重新运行")
    return unpublished
