"""One status per unit: computed from a cycle's result, formatted by status.json, and read
back from status.json unchanged (what ``nianbao status`` and ``nianbao run`` print)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.board import board_table, chase_list
from nianbao.core.findings import CATALOGUE, Finding
from nianbao.core.model import CycleResult, Status, Submission, Unit
from nianbao.core.outputs import status_doc
from nianbao.core.unit_status import CycleStatus, FileRef, OtherYearFile, cycle_status

T0 = datetime(2021, 1, 10, 2, tzinfo=UTC)
DEADLINE = T0 + timedelta(days=1)
ROSTER = (
    Unit("alpha", "甲局", "部门", contact="张明"),
    Unit("beta", "乙镇", "乡镇"),
    Unit("gamma", "丙委", "部门", phone="0453-1"),
)
WARNING = Finding("blank-cell", unit="alpha", sheet="三", cell="D7", explanation="本年无")
ERROR = Finding("not-a-number", unit="beta", sheet="三", cell="D8", actual="五")


def _sub(
    unit: str, file: str, status: Status, *findings: Finding, late: bool = False
) -> Submission:
    texts = {"contact_person": "王五", "contact_phone": "0453-2"}
    when = DEADLINE + timedelta(hours=1) if late else T0
    return Submission(unit, file, f"sha-{file}", when, "2019", status, {}, texts, findings)


def _result() -> CycleResult:
    return CycleResult(
        year=2020,
        format="2019",
        roster=ROSTER,
        submissions=(
            _sub("alpha", "alpha/旧.xlsx", Status.SUPERSEDED, ERROR),
            _sub("alpha", "alpha/新.xlsx", Status.ACCEPTED_WITH_WARNINGS, WARNING, late=True),
            _sub("beta", "beta/乙.xlsx", Status.REJECTED, ERROR, ERROR, WARNING),
        ),
        totals={},
        findings=(Finding("file-arriving", unit="gamma", file="gamma/写入中.xlsx"),),
        deadline=DEADLINE,
        other_years=(
            Submission(
                "gamma",
                "gamma/2019.xlsx",
                "sha-old",
                T0,
                "2019",
                Status.REJECTED,
                {},
                {},
                (),
                other_year=2019,
            ),
        ),
    )


def test_each_unit_has_its_current_file_counts_and_contacts() -> None:
    alpha, beta, gamma = cycle_status(_result()).units
    assert (alpha.status, alpha.file, alpha.late) == (
        Status.ACCEPTED_WITH_WARNINGS,
        "alpha/新.xlsx",
        True,
    )
    assert (alpha.errors, alpha.warnings, alpha.explained) == (0, 1, 1)
    assert alpha.superseded == (FileRef("alpha/旧.xlsx", "sha-alpha/旧.xlsx"),)
    assert (alpha.contact, alpha.phone) == ("张明", "0453-2")  # the roster's, else the return's
    assert (beta.status, beta.errors, beta.warnings, beta.explained) == (Status.REJECTED, 2, 1, 1)
    assert (gamma.status, gamma.file, gamma.received_at, gamma.findings) == (
        Status.MISSING,
        None,
        None,
        (),
    )
    assert gamma.other_years == (OtherYearFile(2019, "gamma/2019.xlsx", "sha-old"),)
    assert gamma.file_shown == "文件夹中只有2019年度的报表"
    assert (gamma.contact, gamma.phone) == ("", "0453-1")
    assert [u.needs_attention for u in (alpha, beta, gamma)] == [True, True, True]


def test_the_runs_findings_keep_their_unit_and_file() -> None:
    (arriving,) = cycle_status(_result()).findings
    assert (arriving.code, arriving.unit, arriving.doc["file"]) == (
        "file-arriving",
        "gamma",
        "gamma/写入中.xlsx",
    )


def test_status_json_reads_back_as_the_same_status() -> None:
    status = cycle_status(_result())
    doc = json.loads(json.dumps(status_doc(status, "Asia/Tokyo"), ensure_ascii=False))
    back = CycleStatus.from_json(doc)
    assert status_doc(back, "Asia/Tokyo") == doc
    assert back.units[0].received_at == status.units[0].received_at
    assert board_table(back) == board_table(status)
    assert chase_list(back) == chase_list(status)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Status)),
            st.lists(st.sampled_from(sorted(CATALOGUE)), max_size=3),
            st.integers(0, 72),
        ),
        max_size=6,
    )
)
def test_any_result_round_trips_through_status_json(
    units: list[tuple[Status, list[str], int]],
) -> None:
    roster = tuple(Unit(f"u{i}", f"单位{i}") for i in range(len(units)))
    subs = tuple(
        Submission(
            f"u{i}",
            f"u{i}/f.xlsx",
            "0" * 64,
            T0 + timedelta(hours=hours),
            "2019",
            status,
            {},
            {},
            tuple(Finding(code, unit=f"u{i}", expected="1", actual="2") for code in codes),
        )
        for i, (status, codes, hours) in enumerate(units)
    )
    result = CycleResult(2020, "2019", roster, subs, {}, deadline=T0 + timedelta(hours=36))
    doc = json.loads(json.dumps(status_doc(cycle_status(result))))
    assert status_doc(CycleStatus.from_json(doc)) == doc
    assert [u["status"] for u in doc["units"]] == [
        (Status.MISSING if s is Status.SUPERSEDED else s).value for s, _, _ in units
    ]
