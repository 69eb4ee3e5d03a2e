"""Tasks that find submitted workbooks and read and validate them in batches."""

from __future__ import annotations

from dataclasses import astuple
from importlib.metadata import version

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.checked import CheckKeys, keyed, roster_digest
from nianbao.core.chunks import chunked
from nianbao.core.findings import Finding
from nianbao.core.model import Unit
from nianbao.io.faults import fault_point
from nianbao.io.folder import Arrival, discover
from nianbao.io.intake import Intake, Reading, read_batch
from nianbao.io.reuse import Sorted, sort_arrivals, take_stored
from tasks.inputs import CycleInputs, as_is


def log_unit_findings(findings: list[Finding], roster: tuple[Unit, ...]) -> None:
    """One warning per finding on a unit's file that was not handled (display names only)."""
    names = {u.code: u.name for u in roster}
    log = get_run_logger()
    for f in findings:
        log.warning("%s：%s", names.get(f.unit, "（未归属）"), f.message)


@task(name="查找报送文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_submissions(inputs: CycleInputs) -> tuple[list[Arrival], list[Finding]]:
    """Settled files in ``inbox/<unit code>/`` and findings for the rest (files that belong
    to no unit, links, files still being written, which are left for the next run)."""
    settings = inputs.settings
    found, findings = discover(settings.inbox, inputs.roster, settings.settle_seconds)
    get_run_logger().info("收件箱中共有 %d 个待处理文件", len(found))
    log_unit_findings(findings, inputs.roster)
    return found, findings


@task(name="读取并校验工作簿", cache_policy=NO_CACHE)
def read_and_validate(inputs: CycleInputs, batch: list[Arrival]) -> Intake:
    """Read a batch of workbooks with calamine and validate them; never raises per file
    (a file that cannot be handled is a finding on its unit in ``Intake.findings``).

    The batch is spread over ``settings.workers`` processes (0: one per CPU core; 1: this
    process only); each file's bytes, as read, are kept in the archive (content-addressed).
    """
    s = inputs.settings
    reading = Reading.of(s, inputs.format_id, inputs.year, inputs.units)
    intake = read_batch(reading, batch, inputs.last.figures, s.workers)
    log_unit_findings(intake.findings, inputs.roster)
    return intake


def check_keys(inputs: CycleInputs) -> CheckKeys:
    """The check keys of this run's files (``nianbao.core.checked``)."""
    s = inputs.settings
    shared = [s.max_findings, astuple(s.read_bounds)]
    return CheckKeys(inputs.format_id, inputs.year, inputs.roster, inputs.last.figures, shared)


# The settings the outputs and feedback are made from (the checks' own are in their keys).
OUTPUT_SETTINGS = {"region", "issuer", "issue_date", "deadline", "timezone", "max_findings"}


def _run_context(inputs: CycleInputs, findings: list[Finding]) -> object:
    """What a run's key covers besides its files: the code, roster, settings, last year's
    totals and returns, the office's own report template and the search's findings. The
    date a draft is signed on by default (today) is left out: a rerun with nothing new on
    another day keeps the draft of the day its contents last changed."""
    s, last = inputs.settings, inputs.last
    try:
        st = s.own_report_template.stat()
        template = [st.st_size, st.st_mtime_ns]
    except OSError:
        template = None
    return [
        version("nianbao"),
        inputs.format_id,
        roster_digest(inputs.roster),
        repr(inputs.groups),
        s.model_dump(mode="json", include=OUTPUT_SETTINGS),
        sorted(last.totals.items()) if last.totals is not None else None,
        sorted(last.accepted_files),
        template,
        [astuple(f) for f in findings],
    ]


@task(name="核对已校验过的文件", cache_policy=NO_CACHE)
def sort_submissions(inputs: CycleInputs, found: list[Arrival], findings: list[Finding]) -> Sorted:
    """Each file's check key (bytes, name, rules, roster, last year's figures) and the
    run's key; nothing is read from the database yet (a run with nothing new needs none)."""
    s = inputs.settings
    return sort_arrivals(
        s.inbox,
        found,
        check_keys(inputs),
        archive=s.archive,
        bounds=s.read_bounds,
        context=_run_context(inputs, findings),
    )


@task(name="沿用已有的校验结果", cache_policy=NO_CACHE)
def reuse_checks(inputs: CycleInputs, found: Sorted) -> Sorted:
    """The files whose check stands, rebuilt from the database; the others left to read."""
    take_stored(found, inputs.settings.database_url, inputs.year)
    get_run_logger().info(
        "%d个文件与上次校验时相同，沿用其校验结果；%d个文件需要读取",
        len(found.reused),
        len(found.to_read),
    )
    return found


def read_submissions(inputs: CycleInputs, found: Sorted, findings: list[Finding]) -> Intake:
    """The files to read, read and validated by one task per ``settings.batch_size`` files
    (a few coarse tasks however many units), after the submissions taken from stored
    checks; the findings on files not handled come first from the search (``findings``),
    then from the reading."""
    found = reuse_checks(as_is(inputs), as_is(found))
    size = inputs.settings.batch_size
    futures = [
        read_and_validate.submit(as_is(inputs), as_is(batch))
        for batch in chunked(found.to_read, size)
    ]
    restored = frozenset((s.unit, s.sha256) for s in found.reused)
    done = Intake(list(found.reused), list(findings), restored)
    for future in futures:
        add_read(inputs, done, future.result())
        fault_point("intake", inputs.settings.fault)
    return done


def add_read(inputs: CycleInputs, done: Intake, part: Intake) -> None:
    """Add what a batch read to ``done``, each submission with the key of its check."""
    keys = check_keys(inputs)
    done.submissions.extend(keyed(s, keys.of(s.unit, s.file, s.sha256)) for s in part.submissions)
    done.findings.extend(part.findings)
