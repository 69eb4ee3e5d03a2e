"""A new cycle over last year's inbox: real workbooks read with calamine, validated and
consolidated. Files of another report year belong to that year's cycle, unless one was saved
during this cycle (then it is most likely last year's template filled by mistake)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.board import board_rows, board_table, chase_list
from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.layout import META_SHEET
from nianbao.core.model import CycleResult, Status
from nianbao.core.outputs import status_doc, totals_doc
from nianbao.core.process import consolidate, cycle_opens, process_batch
from nianbao.core.spec import FormatSpec
from nianbao.core.unit_status import CycleStatus, cycle_status
from nianbao.io.db.last_year import read_last_year
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.write import store_cycle
from nianbao.io.xlsx_read import read_workbook
from tests.databases import BACKENDS, database_url
from tests.helpers import ROSTER, make_workbook, unit_figures, without_regulations

pytestmark = pytest.mark.integration

UNITS = {u.code: u for u in ROSTER}
LAST_JANUARY = datetime(2021, 1, 10, 2, tzinfo=UTC)  # 2020's reports, handed in on time
THIS_JANUARY = datetime(2022, 1, 5, 2, tzinfo=UTC)  # during the 2021 cycle


def last_years_inbox(inbox: Path) -> None:
    """Every unit's accepted 2020 workbook, still in its folder."""
    for unit in ROSTER:
        make_workbook(
            inbox / unit.code / f"{unit.name}2020年报表.xlsx",
            unit,
            without_regulations(unit_figures(len(unit.code))),
            received=LAST_JANUARY,
        )


def run(
    inbox: Path,
    year: int = 2021,
    spec: FormatSpec = FORMAT_2021,
    last_accepted: frozenset[str] = frozenset(),
) -> CycleResult:
    raws = [
        read_workbook(path, path.parent.name, path.relative_to(inbox).as_posix())
        for path in sorted(inbox.rglob("*.xlsx"))
    ]
    subs = process_batch(raws, spec, year, UNITS)
    return consolidate(spec, year, ROSTER, subs, last_accepted=last_accepted)


def drop_metadata(path: Path) -> None:
    """Delete the metadata sheet, keeping the file's received time."""
    stamp = path.stat().st_mtime
    wb = load_workbook(path)
    del wb[META_SHEET]
    wb.save(path)
    os.utime(path, (stamp, stamp))


def test_last_years_files_leave_every_unit_missing_not_rejected(tmp_path: Path) -> None:
    last_years_inbox(tmp_path)
    result = run(tmp_path)
    assert result.submissions == ()  # nothing of this cycle: nothing rejected, no feedback
    assert [result.status_of(u.code) for u in ROSTER] == [Status.MISSING] * 3
    assert [(s.unit, s.other_year) for s in result.other_years] == [
        ("alpha", 2020),
        ("beta", 2020),
        ("gamma", 2020),
    ]
    doc = status_doc(cycle_status(result))
    published = CycleStatus.from_json(doc)  # as ``nianbao status`` reads it
    assert (doc["complete"], doc["missing"], doc["rejected"]) == (
        False,
        ["alpha", "beta", "gamma"],
        [],
    )
    for u in doc["units"]:
        assert (u["status"], u["file"], u["findings"]) == ("missing", None, [])
        (other,) = u["other_years"]
        assert other["year"] == 2020 and other["file"].endswith("2020年报表.xlsx")
    chase = chase_list(published)
    assert [row[0] for row in chase] == [u.name for u in ROSTER]
    assert all("2020年度的报表" in row[1] for row in chase)  # the reason names the year
    assert all("2020年度的报表" in str(row[2]) for row in board_table(published))  # 文件 column
    assert all("2020年度的报表" in str(row["文件"]) for row in board_rows(cycle_status(result)))
    totals = totals_doc(FORMAT_2021, result)
    assert (totals["complete"], totals["missing"], totals["units"]) == (
        False,
        ["alpha", "beta", "gamma"],
        {},
    )


def test_a_last_year_template_saved_during_this_cycle_is_rejected(tmp_path: Path) -> None:
    last_years_inbox(tmp_path)
    mistaken = make_workbook(
        tmp_path / "beta" / "乙镇2021年报表.xlsx",
        UNITS["beta"],
        unit_figures(5),
        year=2020,
        received=THIS_JANUARY,
    )
    make_workbook(
        tmp_path / "gamma" / "丙委2021年报表.xlsx",
        UNITS["gamma"],
        unit_figures(6, FORMAT_2021),
        year=2021,
        spec=FORMAT_2021,
        received=THIS_JANUARY,
    )
    result = run(tmp_path)
    assert [result.status_of(u.code) for u in ROSTER] == [
        Status.MISSING,
        Status.REJECTED,
        Status.ACCEPTED,
    ]
    beta = result.current("beta")
    assert beta is not None and beta.file == mistaken.relative_to(tmp_path).as_posix()
    ((code, expected, actual),) = [(f.code, f.expected, f.actual) for f in beta.findings]
    assert (code, expected, actual) == ("wrong-year", "2021", "2020")
    assert "2021年度模板" in beta.findings[0].hint
    assert [s.status for s in result.submissions] == [Status.REJECTED, Status.ACCEPTED]
    doc = status_doc(cycle_status(result))
    assert (doc["complete"], doc["missing"], doc["rejected"]) == (False, ["alpha"], ["beta"])
    # last year's files stay out of this cycle, listed but not superseding or superseded
    assert {u["code"]: len(u["other_years"]) for u in doc["units"]} == {
        "alpha": 1,
        "beta": 1,
        "gamma": 1,
    }
    assert all(u["superseded"] == [] for u in doc["units"])
    reasons = {row[0]: row[1] for row in chase_list(CycleStatus.from_json(doc))}
    assert set(reasons) == {"甲局", "乙镇"}
    assert "2020年度" in reasons["甲局"] and "2020年度" not in reasons["乙镇"]


def test_the_cycle_opens_on_new_years_day_in_beijing(tmp_path: Path) -> None:
    opens = cycle_opens(2021)
    assert opens == datetime(2021, 12, 31, 16, tzinfo=UTC)
    before = make_workbook(
        tmp_path / "alpha" / "a.xlsx",
        UNITS["alpha"],
        unit_figures(1),
        year=2020,
        received=datetime(2021, 12, 31, 15, 59, tzinfo=UTC),  # 23:59 Beijing, 31 December
    )
    assert run(tmp_path).status_of("alpha") is Status.MISSING
    before.unlink()
    make_workbook(
        tmp_path / "alpha" / "a.xlsx",
        UNITS["alpha"],
        unit_figures(1),
        year=2020,
        received=opens,  # 00:00 Beijing, 1 January
    )
    assert run(tmp_path).status_of("alpha") is Status.REJECTED


def test_a_later_years_file_never_belongs_to_an_earlier_cycle(tmp_path: Path) -> None:
    """Rerunning 2020 after units have dropped their 2021 reports changes nothing."""
    make_workbook(
        tmp_path / "alpha" / "2020.xlsx", UNITS["alpha"], unit_figures(1), received=LAST_JANUARY
    )
    make_workbook(
        tmp_path / "alpha" / "2021.xlsx",
        UNITS["alpha"],
        unit_figures(2, FORMAT_2021),
        year=2021,
        spec=FORMAT_2021,
        received=THIS_JANUARY,
    )
    result = run(tmp_path, 2020, FORMAT_2019)
    current = result.current("alpha")
    assert current is not None and current.file == "alpha/2020.xlsx"
    assert current.status is Status.ACCEPTED and not current.findings
    assert [(s.file, s.other_year) for s in result.other_years] == [("alpha/2021.xlsx", 2021)]


@pytest.mark.parametrize(
    ("received", "status", "codes"),
    [
        (LAST_JANUARY, Status.MISSING, None),
        (THIS_JANUARY, Status.REJECTED, ["format-detected", "format-mismatch"]),
    ],
)
def test_without_metadata_the_year_follows_the_detected_format(
    tmp_path: Path, received: datetime, status: Status, codes: list[str] | None
) -> None:
    """A 2019-format workbook without metadata belongs to 2020 (the last year of that format):
    another cycle when saved before this one opened, a mistaken template during it."""
    path = make_workbook(
        tmp_path / "alpha" / "a.xlsx", UNITS["alpha"], unit_figures(3), received=received
    )
    drop_metadata(path)
    result = run(tmp_path)
    assert result.status_of("alpha") is status
    current = result.current("alpha")
    if codes is None:
        assert current is None
        assert [s.other_year for s in result.other_years] == [2020]
    else:
        assert current is not None and [f.code for f in current.findings] == codes


def test_the_metadata_year_wins_over_the_format(tmp_path: Path) -> None:
    """A 2021-format workbook whose metadata says 2020 is a 2020 report; a 2019-format one
    that says 2021 is this year's report in the wrong format."""
    make_workbook(
        tmp_path / "alpha" / "a.xlsx",
        UNITS["alpha"],
        unit_figures(3, FORMAT_2021),
        year=2020,
        spec=FORMAT_2021,
        received=LAST_JANUARY,
    )
    make_workbook(
        tmp_path / "beta" / "b.xlsx",
        UNITS["beta"],
        unit_figures(4),
        year=2021,
        received=LAST_JANUARY,
    )
    result = run(tmp_path)
    assert result.status_of("alpha") is Status.MISSING
    assert [(s.unit, s.other_year) for s in result.other_years] == [("alpha", 2020)]
    beta = result.current("beta")
    assert beta is not None and beta.status is Status.REJECTED
    assert [f.code for f in beta.findings] == ["format-mismatch"]


def test_a_complete_cycle_says_so(tmp_path: Path) -> None:
    for i, unit in enumerate(ROSTER):
        make_workbook(tmp_path / unit.code / "r.xlsx", unit, unit_figures(i), received=LAST_JANUARY)
    result = run(tmp_path, 2020, FORMAT_2019)
    assert result.complete
    for doc in (status_doc(cycle_status(result)), totals_doc(FORMAT_2019, result)):
        assert (doc["complete"], doc["missing"], doc["rejected"]) == (True, [], [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_copy_of_last_years_accepted_return_stays_last_years_whatever_its_time(
    tmp_path: Path, backend: str
) -> None:
    """Copied back this January (a restore, a sync: the modification time is new), last
    year's accepted return is still last year's: recognised by its bytes, from the database.
    A rejected one of last year, copied the same way, is not: it is rejected again."""
    inbox = tmp_path / "inbox"
    last_years_inbox(inbox)
    broken = unit_figures(len("gamma"))
    broken["s3_new_natural"] += 1  # A1 no longer balances: gamma's 2020 return is rejected
    make_workbook(
        inbox / "gamma" / "丙委2020年报表.xlsx", UNITS["gamma"], broken, received=LAST_JANUARY
    )
    with database_url(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            stored = run(inbox, 2020, FORMAT_2019)
            assert [stored.status_of(u.code) for u in ROSTER] == [
                Status.ACCEPTED,
                Status.ACCEPTED,
                Status.REJECTED,
            ]
            store_cycle(engine, stored)
        finally:
            engine.dispose()
        last = read_last_year(url, 2021)
    accepted = [stored.current(code) for code in ("alpha", "beta")]
    assert last.accepted_files == {s.sha256 for s in accepted if s is not None}
    for path in inbox.rglob("*.xlsx"):
        os.utime(path, (THIS_JANUARY.timestamp(), THIS_JANUARY.timestamp()))

    result = run(inbox, last_accepted=last.accepted_files)
    assert [result.status_of(u.code) for u in ROSTER] == [
        Status.MISSING,
        Status.MISSING,
        Status.REJECTED,
    ]
    assert [s.unit for s in result.other_years] == ["alpha", "beta"]
    gamma = result.current("gamma")
    assert gamma is not None and "wrong-year" in [f.code for f in gamma.findings]
    # the modification time alone would have taken alpha's and beta's copies for mistakes
    assert run(inbox).status_of("alpha") is Status.REJECTED
