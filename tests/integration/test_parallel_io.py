"""Work spread over worker processes gives what one process gives; the plain-table writer."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Status, Submission, Unit
from nianbao.io import ahead, delivery, intake
from nianbao.io import workers as pool
from nianbao.io.archive import archived_as
from nianbao.io.delivery import Delivery, deliver
from nianbao.io.folder import discover
from nianbao.io.workers import BACKGROUND, Workers, _send
from nianbao.io.xlsx_lite import Sheet, Style, write_workbook
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.integration


def test_a_batch_read_by_workers_equals_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = {f"u{i}": Unit(f"u{i}", f"单位{i}") for i in range(6)}
    inbox = tmp_path / "inbox"
    first = make_workbook(inbox / "u0" / "a.xlsx", units["u0"], unit_figures(0))
    for code in list(units)[1:]:  # another unit's workbook in these: wrong-unit-folder
        (inbox / code).mkdir(parents=True)
        shutil.copy(first, inbox / code / "a.xlsx")
    (inbox / "u5" / "a.xlsx").write_bytes(b"not a workbook")
    (inbox / "u4" / "b.xlsx").symlink_to(first)  # a link: a finding, never read
    items, found = discover(inbox, tuple(units.values()))
    assert [f.code for f in found] == ["symlink-refused"]
    monkeypatch.setattr(intake, "CHUNK", 2)
    monkeypatch.setattr(intake, "MIN_PARALLEL", 2)
    paths = [inbox / os.fsdecode(a.path) for a in items]
    originals = {path: path.read_bytes() for path in paths}
    one, two = tmp_path / "archive-1", tmp_path / "archive-2"
    alone = intake.read_batch(intake.Reading(inbox, SPEC.id, 2020, units, 100, one), items, {}, 1)
    spread = intake.read_batch(intake.Reading(inbox, SPEC.id, 2020, units, 100, two), items, {}, 2)
    assert spread == alone
    assert [s.status.value for s in alone.submissions] == ["accepted", *["rejected"] * 5]
    assert [s.file for s in alone.submissions] == [f"{code}/a.xlsx" for code in units]
    # every file's bytes as read are archived under their sha256, by either path
    for path, sub in zip(paths, alone.submissions, strict=True):
        for archive in (one, two):
            kept = archived_as(archive, sub.sha256, path.name)
            assert kept.read_bytes() == originals[path]
            assert hashlib.sha256(kept.read_bytes()).hexdigest() == sub.sha256


def test_the_archive_keeps_what_was_read_when_the_inbox_file_changes(tmp_path: Path) -> None:
    unit = Unit("u0", "单位0")
    inbox = tmp_path / "inbox"
    path = make_workbook(inbox / "u0" / "a.xlsx", unit, unit_figures(0))
    read = path.read_bytes()
    archive = tmp_path / "archive"

    def intake_now(archive: Path | None = None) -> Submission:
        items, _ = discover(inbox, (unit,))
        reading = intake.Reading(inbox, SPEC.id, 2020, {"u0": unit}, 100, archive)
        done = intake.read_batch(reading, items, {})
        (sub,) = done.submissions
        return sub

    sub = intake_now()
    path.write_bytes(b"overwritten by the unit after the check")
    again = intake_now(archive)
    assert archived_as(archive, again.sha256, "a.xlsx").read_bytes() == path.read_bytes()
    assert not archived_as(archive, sub.sha256, "a.xlsx").exists()  # first read: no archive
    third = intake_now(archive)
    assert third.sha256 == again.sha256
    path.write_bytes(read)
    back = intake_now(archive)
    assert archived_as(archive, back.sha256, "a.xlsx").read_bytes() == read
    assert back.sha256 == sub.sha256
    assert sorted(p.name for p in archive.rglob("*.xlsx")) == sorted(
        [f"{sub.sha256}.xlsx", f"{again.sha256}.xlsx"]
    )


def test_receipts_written_by_workers_equal_those_written_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = {f"u{i}": Unit(f"u{i}", f"单位{i}") for i in range(6)}
    subs = [
        Submission(
            unit=code,
            file=f"{code}/a.xlsx",
            sha256=f"{i:064d}",
            received_at=datetime(2021, 1, 10, tzinfo=UTC),
            format=SPEC.id,
            status=Status.ACCEPTED,
            values={},
            texts={},
            findings=(),
        )
        for i, code in enumerate(units)
    ]
    monkeypatch.setattr(delivery, "CHUNK", 2)
    monkeypatch.setattr(delivery, "MIN_PARALLEL", 2)
    written = {}
    for workers in (1, 2):
        out = tmp_path / str(workers)
        deliver(
            [Delivery(out / s.unit / "回执.xlsx", units[s.unit], 2020, s) for s in subs], workers
        )
        written[workers] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.xlsx")}
    assert written[1] == written[2]
    assert len(written[2]) == 6
    book = CalamineWorkbook.from_path(str(tmp_path / "2" / "u3" / "回执.xlsx"))
    assert book.get_sheet_by_name("回执").to_python()[0][0] == "单位3 2020年度报表回执：已接收"


def test_plain_tables_read_back_with_openpyxl_and_calamine(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [["标题 <&>"], ["a", 1, 2.5, None, ""], [], ["x\x01y", -3, 1e-05]]
    sheet = Sheet(
        "表一",
        rows,
        row_styles={1: Style(bold=True, size=14, color="006100")},
        cell_styles={(2, 2): Style(fill="DDEBF7")},
        styled_from=(4, Style(wrap=True, vertical="top")),
        widths={1: 20, 3: 9.5},
        heights={1: 30},
        freeze=(3, 2),
    )
    write_workbook(path, [sheet, Sheet("二", [[1]])])
    wb = load_workbook(path)  # a warning would fail the test (filterwarnings = error)
    ws = wb["表一"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["标题 <&>", None, None],
        ["a", 1, 2.5],
        [None, None, None],
        ["xy", -3, 1e-05],  # characters XML cannot hold are dropped
    ]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14 and ws["A1"].font.color.rgb == "FF006100"
    assert ws["B2"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws["A4"].alignment.wrap_text and ws["A4"].alignment.vertical == "top"
    assert ws.column_dimensions["A"].width == 20 and ws.row_dimensions[1].height == 30
    assert ws.freeze_panes == "B3"
    assert wb["二"]["A1"].value == 1
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表一").to_python()
    assert grid[1][:3] == ["a", 1, 2.5]


def test_background_workers_run_at_lower_priority() -> None:
    here = os.nice(0)
    pool = Workers(1, nice=BACKGROUND)
    try:
        assert pool.map(os.nice, [(0,)]) == [min(here + BACKGROUND, 19)]
    finally:
        pool.close()
    plain = Workers(1)
    try:
        assert plain.map(os.nice, [(0,)]) == [here]
    finally:
        plain.close()


def test_a_worker_whose_caller_is_gone_ends_quietly() -> None:
    """A caller stopped while its worker works (its end of the pipe closed): the worker
    finishes the call, finds nobody to answer and exits without a traceback on the run's
    stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao.io.workers"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    _send(proc.stdin, (time.sleep, (0.5,)))
    proc.stdout.close()  # the caller is gone before the answer
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert err == b""


def test_a_prepared_worker_has_imported_its_modules_and_serves_the_next_call_apart() -> None:
    """``prepare`` starts the worker of the next ``apart`` call, which finds its modules
    already imported; the call after it gets a worker of its own."""
    pool.prepare(["wave", "tabnanny"])  # imported by nothing else here
    prepared = pool._SPARES[0][0].proc
    assert pool.apart(_imported, ("wave", "tabnanny")).result(timeout=60) == (prepared.pid, True)
    assert prepared.wait(timeout=60) == 0  # it ends with its call
    pid, _ = pool.apart(_imported, ()).result(timeout=60)
    assert pid != prepared.pid


def test_a_prepared_worker_whose_imports_fail_gives_way_to_a_new_one() -> None:
    pool.prepare(["nianbao_no_such_module"])
    prepared = pool._SPARES[0][0].proc
    pid, _ = pool.apart(_imported, ()).result(timeout=60)
    assert pid != prepared.pid
    assert prepared.wait(timeout=60) == 0


def test_an_unused_prepared_worker_ends_at_exit() -> None:
    pool.prepare(["json"])
    pool.prepare(["csv"])  # one is waiting already: nothing more
    assert len(pool._SPARES) == 1
    prepared = pool._SPARES[0][0].proc
    pool._close_shared()  # what the interpreter's exit runs
    assert prepared.returncode == 0
    assert pool._SPARES == []


def _imported(modules: tuple[str, ...]) -> tuple[int, bool]:
    """In the worker: its pid, and whether ``modules`` were imported before this call."""
    return os.getpid(), all(name in sys.modules for name in modules)


@pytest.mark.parametrize(
    ("files", "to_read", "workers", "store", "started"),
    [
        (100, 100, 0, True, ["store", "draft"]),
        (10_000, 1, 0, True, ["store", "draft"]),  # a rerun with one file changed
        (100, 100, 0, False, ["draft"]),  # a dry run stores nothing
        (20, 20, 0, True, ["draft"]),  # stored in the flow's process
        (10_000, 10_000, 0, True, []),  # workers read on every core: no room to start ahead
        (100, 100, 1, True, []),  # NIANBAO_WORKERS=1: everything in one process
    ],
)
def test_helpers_start_ahead_only_where_they_are_used_and_a_core_is_free(
    monkeypatch: pytest.MonkeyPatch,
    files: int,
    to_read: int,
    workers: int,
    store: bool,
    started: list[str],
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(ahead, "standby", lambda: calls.append("store"))
    monkeypatch.setattr(ahead, "prepare_drafting", lambda: calls.append("draft"))
    ahead.start_ahead(files, to_read, workers, store=store)
    assert calls == started
