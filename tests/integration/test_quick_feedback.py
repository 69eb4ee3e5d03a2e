"""Feedback first: one unit's files answered at once (real workbooks, real folders), the same
verdict and file a cycle run writes, and a run that read an older file not burying it."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.layout import RESULT_SHEET
from nianbao.core.model import Status
from nianbao.core.process import consolidate
from nianbao.core.roster import roster_csv
from nianbao.io.folder import discover, ensure_layout
from nianbao.io.intake import Reading, read_batch
from nianbao.io.receipt import RECEIPT_SHEET
from nianbao.io.returns import HISTORY, write_returns
from nianbao.io.staging import Staging
from nianbao.io.unit_feedback import QuickFeedback
from nianbao.io.verdicts import feedback_turn, forget_caught_up, newer_answered
from nianbao.io.watch import FEEDBACK_EVENT, feedback_event, root_resource_id
from nianbao.settings import Settings
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
YEAR = 2020
ALPHA, BETA, _ = ROSTER
FIRST = datetime(2021, 1, 10, 9, tzinfo=UTC)
SECOND = datetime(2021, 1, 10, 9, 0, 20, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    root = tmp_path / "root"
    ensure_layout(root, ROSTER)
    (root / "roster.csv").write_text(roster_csv(ROSTER), encoding="utf-8")
    return Settings(root=root, settle_seconds=0, workers=1)


def broken() -> dict[str, Decimal]:
    """alpha's figures with 本年新收 one too many: the request identities fail."""
    figures = dict(unit_figures(5))
    figures["s3_new_natural"] += 1
    return figures


def top(folder: Path) -> list[str]:
    """The feedback files at the top of a unit's folder."""
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def cycle(settings: Settings, staging: Staging | None = None) -> tuple[object, object]:
    """What a cycle run decides and writes, through the run's own functions."""
    found, findings = discover(settings.inbox, ROSTER)
    units = {u.code: u for u in ROSTER}
    intake = read_batch(
        Reading(settings.inbox, SPEC.id, YEAR, units, 100, settings.archive), found, {}, 1
    )
    result = consolidate(SPEC, YEAR, ROSTER, intake.submissions, [*findings, *intake.findings])
    done = write_returns(SPEC, result, settings.root, 1, settings.timezone, staging)
    return result, done


def test_each_save_gets_its_own_feedback_and_the_earlier_one_goes_to_history(
    settings: Settings,
) -> None:
    quick = QuickFeedback(settings)
    folder = settings.root / "feedback" / "alpha"
    make_workbook(settings.inbox / "alpha" / "甲局.xlsx", ALPHA, broken(), received=FIRST)
    (first,) = quick.answer(YEAR, ["alpha/甲局.xlsx"])
    assert first.status is Status.REJECTED
    assert first.sub is not None and first.feedback is not None
    assert first.feedback.name == f"{YEAR}年-{first.sub.sha256[:12]}-退回修改.xlsx"
    assert top(folder) == [first.feedback.name]
    assert load_workbook(first.feedback).sheetnames[0] == RESULT_SHEET

    # the corrected save replaces the file in place (Excel's save), 20 s later
    make_workbook(settings.inbox / "alpha" / "甲局.xlsx", ALPHA, unit_figures(5), received=SECOND)
    (second,) = quick.answer(YEAR, ["alpha/甲局.xlsx"])
    assert second.status is Status.ACCEPTED
    assert second.sub is not None and second.feedback is not None
    assert top(folder) == [f"{YEAR}年-{second.sub.sha256[:12]}-回执.xlsx"]
    assert top(folder / HISTORY) == [first.feedback.name]
    sheet = load_workbook(second.feedback)[RECEIPT_SHEET]
    assert second.sub.sha256 in {row[2] for row in sheet.iter_rows(values_only=True)}
    assert top(settings.root / "feedback" / "beta") == []  # nobody else is answered


def test_a_cycle_run_reaches_the_same_verdict_and_writes_the_same_file(
    settings: Settings,
) -> None:
    make_workbook(settings.inbox / "alpha" / "初稿.xlsx", ALPHA, broken(), received=FIRST)
    make_workbook(settings.inbox / "alpha" / "定稿.xlsx", ALPHA, unit_figures(5), received=SECOND)
    make_workbook(settings.inbox / "beta" / "乙镇.xlsx", BETA, broken(), received=FIRST)
    answers = QuickFeedback(settings).answer(YEAR, ["alpha/定稿.xlsx", "beta/乙镇.xlsx"])
    quick = {a.unit.code: (a.status, a.sub and a.sub.sha256, a.feedback) for a in answers}
    folders = {code: top(settings.root / "feedback" / code) for code in ("alpha", "beta")}

    result, done = cycle(settings)
    assert result.current("alpha").file == "alpha/定稿.xlsx"  # the newer file, both times
    ran = {code: (result.status_of(code), result.current(code).sha256) for code in quick}
    assert {code: v[:2] for code, v in quick.items()} == ran
    assert {code: path for code, path in done.written} == {c: v[2] for c, v in quick.items()}
    assert {code: top(settings.root / "feedback" / code) for code in folders} == folders


def test_another_years_workbook_gets_no_feedback_as_in_the_cycle(settings: Settings) -> None:
    make_workbook(settings.inbox / "alpha" / "2019.xlsx", ALPHA, unit_figures(5), year=2019)
    os.utime(settings.inbox / "alpha" / "2019.xlsx", (1.58e9, 1.58e9))  # saved in 2020
    (answer,) = QuickFeedback(settings).answer(YEAR, ["alpha/2019.xlsx"])
    assert (answer.sub, answer.feedback, answer.status) == (None, None, Status.MISSING)
    assert top(settings.root / "feedback" / "alpha") == []


def test_a_file_outside_the_roster_is_left_to_the_cycle(settings: Settings) -> None:
    (settings.inbox / "nobody").mkdir()
    make_workbook(settings.inbox / "nobody" / "x.xlsx", ALPHA, unit_figures(5))
    assert QuickFeedback(settings).answer(YEAR, ["nobody/x.xlsx", "misplaced.xlsx"]) == []


def test_a_run_that_read_an_older_file_keeps_the_newer_verdict_on_top(
    settings: Settings,
) -> None:
    inbox, folder = settings.inbox, settings.root / "feedback" / "alpha"
    make_workbook(inbox / "alpha" / "甲局.xlsx", ALPHA, broken(), received=FIRST)
    staging = Staging(settings.root / "feedback")
    read_at = time.time()
    old_result, old_done = cycle(settings, staging)  # the run read the first save ...

    make_workbook(inbox / "alpha" / "甲局.xlsx", ALPHA, unit_figures(5), received=SECOND)
    (answer,) = QuickFeedback(settings).answer(YEAR, ["alpha/甲局.xlsx"])  # ... answered now
    assert answer.feedback is not None

    with feedback_turn(settings.root):  # ... and publishes afterwards, as the flow does
        newer = newer_answered(settings.root, old_result, old_done.written, read_at)
        staging.withdraw(newer)
        assert staging.publish() == []
        forget_caught_up(settings.root, old_result, read_at)
    assert newer == {dict(old_done.written)["alpha"]}
    assert top(folder) == [answer.feedback.name]

    notes = settings.root / ".nianbao" / "verdicts" / str(YEAR)
    assert [p.name for p in notes.iterdir()] == ["alpha.json"]  # not caught up: kept
    result, done = cycle(settings)  # the next run catches up: same file, note forgotten
    assert newer_answered(settings.root, result, done.written, read_at) == set()
    forget_caught_up(settings.root, result, read_at)
    assert not any(notes.iterdir())
    assert top(folder) == [answer.feedback.name]


def test_a_note_older_than_the_runs_read_names_a_file_since_removed(
    settings: Settings,
) -> None:
    inbox = settings.inbox
    make_workbook(inbox / "alpha" / "初稿.xlsx", ALPHA, unit_figures(5), received=FIRST)
    make_workbook(inbox / "alpha" / "定稿.xlsx", ALPHA, broken(), received=SECOND)
    QuickFeedback(settings).answer(YEAR, ["alpha/定稿.xlsx"])  # answered, then removed
    (inbox / "alpha" / "定稿.xlsx").unlink()
    time.sleep(0.05)
    read_at = time.time()
    result, done = cycle(settings, Staging(settings.root / "feedback"))
    assert result.current("alpha").file == "alpha/初稿.xlsx"
    assert newer_answered(settings.root, result, done.written, read_at) == set()
    forget_caught_up(settings.root, result, read_at)
    assert not any((settings.root / ".nianbao" / "verdicts" / str(YEAR)).iterdir())


def test_the_feedback_event_names_the_unit_its_verdict_and_file(settings: Settings) -> None:
    make_workbook(settings.inbox / "alpha" / "甲局.xlsx", ALPHA, broken(), received=FIRST)
    (answer,) = QuickFeedback(settings).answer(YEAR, ["alpha/甲局.xlsx"])
    assert answer.sub is not None
    event = feedback_event(settings.root, YEAR, answer)
    root_id = root_resource_id(settings.root)
    assert event["event"] == FEEDBACK_EVENT
    assert event["resource"]["prefect.resource.id"].endswith(".alpha")
    assert event["related"][0]["prefect.resource.id"] == root_id
    payload = event["payload"]
    assert (payload["unit"], payload["verdict"], payload["year"]) == ("alpha", "rejected", YEAR)
    assert payload["sha256"] == answer.sub.sha256
    assert payload["feedback"] == f"feedback/alpha/{answer.feedback.name}"  # type: ignore[union-attr]
    assert payload["errors"] >= 1
