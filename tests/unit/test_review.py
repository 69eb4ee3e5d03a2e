"""The review's state machine: every transition of the table in ``nianbao.core.review``,
the refused ones included, finalization, reopening, and what a run does with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import ReviewState, Status, Submission, Unit
from nianbao.core.process import consolidate
from nianbao.core.review import (
    Action,
    Case,
    Event,
    Ledger,
    Refused,
    awaiting_review,
    decide,
    finalize,
    outstanding,
    reopen,
)
from nianbao.core.review_events import run_events
from nianbao.core.version_diff import diff_figures

AT = datetime(2021, 2, 1, 9, tzinfo=UTC)
YEAR = 2020
PASSED = Case("u1", "甲局", "a" * 64, Status.ACCEPTED_WITH_WARNINGS, frozenset({"blank-cell"}))
REJECTED = Case("u2", "乙镇", "b" * 64, Status.REJECTED)
MISSING = Case("u3", "丙委")
NONE = None  # no review state


def after(*events: Event) -> Ledger:
    return Ledger.of(YEAR, events)


def state_after(ledger: Ledger, case: Case) -> ReviewState | None:
    return ledger.state(case.unit, case.sha256, case.status)


def apply(ledger: Ledger, case: Case, action: Action, **kw: str) -> Ledger:
    reason = kw.get("reason", "理由" if action in (Action.RETURN, Action.EXCUSE) else "")
    event = decide(ledger, case, action, "张三", AT, reason, kw.get("finding", ""))
    assert (event.actor, event.unit, event.sha256, event.at) == ("张三", case.unit, case.sha256, AT)
    return Ledger.of(YEAR, (*ledger.events, event), ledger.pins)


def start(state: ReviewState | None, case: Case = PASSED) -> Ledger:
    ledger = after()
    if state is ReviewState.APPROVED:
        ledger = apply(ledger, case, Action.APPROVE)
    elif state is ReviewState.RETURNED:
        ledger = apply(ledger, case, Action.RETURN)
    elif state is ReviewState.EXCUSED:
        ledger = apply(ledger, case, Action.EXCUSE)
    assert state_after(ledger, case) is (state or (ReviewState.PENDING if case is PASSED else None))
    return ledger


ALLOWED = [
    (ReviewState.PENDING, Action.APPROVE, ReviewState.APPROVED),
    (ReviewState.PENDING, Action.RETURN, ReviewState.RETURNED),
    (ReviewState.PENDING, Action.EXCUSE, ReviewState.EXCUSED),
    (ReviewState.APPROVED, Action.RETURN, ReviewState.RETURNED),
    (ReviewState.RETURNED, Action.EXCUSE, ReviewState.EXCUSED),
    (ReviewState.EXCUSED, Action.APPROVE, ReviewState.APPROVED),
    (ReviewState.EXCUSED, Action.RETURN, ReviewState.RETURNED),
]
REFUSED = [
    (ReviewState.APPROVED, Action.APPROVE, "无需重复"),
    (ReviewState.APPROVED, Action.EXCUSE, "不能免报"),
    (ReviewState.RETURNED, Action.APPROVE, "重新报送后再审核"),
    (ReviewState.RETURNED, Action.RETURN, "无需重复"),
    (ReviewState.EXCUSED, Action.EXCUSE, "无需重复"),
    (ReviewState.RETURNED, Action.ACCEPT_WARNING, "不能认可"),
    (ReviewState.EXCUSED, Action.ACCEPT_WARNING, "不能认可"),
]


@pytest.mark.parametrize(("before", "action", "expected"), ALLOWED)
def test_allowed_transitions(before: ReviewState, action: Action, expected: ReviewState) -> None:
    ledger = apply(start(before), PASSED, action)
    assert state_after(ledger, PASSED) is expected


@pytest.mark.parametrize(("before", "action", "why"), REFUSED)
def test_refused_transitions(before: ReviewState, action: Action, why: str) -> None:
    ledger = start(before)
    with pytest.raises(Refused, match=why):
        decide(ledger, PASSED, action, "张三", AT, "理由", "blank-cell")


@pytest.mark.parametrize("case", [REJECTED, MISSING], ids=["rejected", "missing"])
@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN, Action.ACCEPT_WARNING])
def test_no_decision_on_a_unit_without_a_file_that_passed(case: Case, action: Action) -> None:
    with pytest.raises(Refused, match=r"未通过校验|尚未报送"):
        decide(after(), case, action, "张三", AT, "理由", "blank-cell")


@pytest.mark.parametrize("case", [REJECTED, MISSING], ids=["rejected", "missing"])
def test_a_unit_without_a_file_that_passed_can_be_excused(case: Case) -> None:
    ledger = apply(after(), case, Action.EXCUSE, reason="已并入甲局")
    assert state_after(ledger, case) is ReviewState.EXCUSED
    assert ledger.decision(case.unit, case.sha256).reason == "已并入甲局"  # type: ignore[union-attr]


def test_who_and_why_are_required() -> None:
    with pytest.raises(Refused, match="审核人"):
        decide(after(), PASSED, Action.APPROVE, "  ", AT)
    for action in (Action.RETURN, Action.EXCUSE):
        with pytest.raises(Refused, match="理由"):
            decide(after(), PASSED, action, "张三", AT, " ")
    with pytest.raises(Refused, match="不是对单位的审核决定"):
        decide(after(), PASSED, Action.FINALIZE, "张三", AT)


def test_warnings_are_accepted_one_by_one_per_file() -> None:
    ledger = apply(after(), PASSED, Action.ACCEPT_WARNING, finding="blank-cell")
    assert ledger.accepted_warnings("u1", PASSED.sha256) == {"blank-cell"}
    assert state_after(ledger, PASSED) is ReviewState.PENDING  # accepting is not approving
    with pytest.raises(Refused, match="无需重复"):
        decide(ledger, PASSED, Action.ACCEPT_WARNING, "张三", AT, finding="blank-cell")
    with pytest.raises(Refused, match="没有提示"):
        decide(ledger, PASSED, Action.ACCEPT_WARNING, "张三", AT, finding="yoy-jump")
    with pytest.raises(Refused, match="是错误"):
        decide(ledger, PASSED, Action.ACCEPT_WARNING, "张三", AT, finding="file-unreadable")
    newer = Case("u1", "甲局", "c" * 64, Status.ACCEPTED_WITH_WARNINGS, frozenset({"blank-cell"}))
    assert ledger.accepted_warnings("u1", newer.sha256) == frozenset()


def test_a_new_file_from_an_approved_unit_awaits_review_again() -> None:
    ledger = apply(after(), PASSED, Action.APPROVE)
    newer = Case("u1", "甲局", "c" * 64, Status.ACCEPTED)
    assert state_after(ledger, newer) is ReviewState.PENDING
    returned = apply(after(), PASSED, Action.RETURN)
    assert state_after(returned, newer) is ReviewState.PENDING


def test_held_out_by_decision_and_by_the_review_setting() -> None:
    pending = after()
    assert pending.held_out("u1", PASSED.sha256, PASSED.status, review=False) is None
    assert pending.held_out("u1", PASSED.sha256, PASSED.status, review=True) is ReviewState.PENDING
    approved = apply(after(), PASSED, Action.APPROVE)
    assert approved.held_out("u1", PASSED.sha256, PASSED.status, review=True) is None
    returned = apply(after(), PASSED, Action.RETURN)
    assert returned.held_out("u1", PASSED.sha256, PASSED.status, False) is ReviewState.RETURNED


def test_finalize_needs_every_unit_counted_or_excused() -> None:
    cases = [PASSED, REJECTED, MISSING]
    with pytest.raises(Refused, match=r"乙镇.*丙委") as refused:
        finalize(after(), cases, "张三", AT)
    assert "--excuse" in refused.value.hint
    excuse = {"u2": "已撤销", "u3": "已并入甲局"}
    events = finalize(after(), cases, "张三", AT, "第一次公开", excuse)
    assert [(e.action, e.unit, e.reason) for e in events] == [
        (Action.EXCUSE, "u2", "已撤销"),
        (Action.EXCUSE, "u3", "已并入甲局"),
        (Action.FINALIZE, "", "第一次公开"),
    ]
    assert events[-1].version == 1
    with pytest.raises(Refused, match="待审核"):
        finalize(after(), [PASSED], "张三", AT, review=True)
    with pytest.raises(Refused, match="名单中没有"):
        finalize(after(), [PASSED], "张三", AT, excuse={"zz": "x"})


def finalized(*cases: Case) -> Ledger:
    events = finalize(after(), list(cases), "张三", AT)
    pins = {c.unit: c.sha256 for c in cases}
    return Ledger.of(YEAR, events, pins)


def test_a_finalized_year_locks_every_unit_until_reopened() -> None:
    ledger = finalized(PASSED)
    assert ledger.frozen and ledger.version == 1 and ledger.pinned("u1") == PASSED.sha256
    with pytest.raises(Refused, match="已定稿（第1版）"):
        decide(ledger, PASSED, Action.RETURN, "张三", AT, "理由")
    with pytest.raises(Refused, match="无需再次定稿"):
        finalize(ledger, [PASSED], "张三", AT)
    one = reopen(ledger, PASSED, "李四", AT + timedelta(days=1), "更正")
    opened = Ledger.of(YEAR, (*ledger.events, one), ledger.pins)
    assert opened.locked and not opened.frozen and opened.pinned("u1") is None
    assert opened.pins_now() == {}
    with pytest.raises(Refused, match="已重新打开"):
        reopen(opened, PASSED, "李四", AT, "更正")
    again = finalize(opened, [PASSED], "李四", AT)
    assert again[-1].version == 2
    whole = reopen(ledger, None, "李四", AT, "全面更正")
    assert not Ledger.of(YEAR, (*ledger.events, whole), ledger.pins).locked
    with pytest.raises(Refused, match="尚未定稿"):
        reopen(after(), None, "李四", AT, "更正")
    with pytest.raises(Refused, match="理由"):
        reopen(ledger, None, "李四", AT, "")


def test_outstanding_and_the_review_list() -> None:
    many = Case("u4", "丁局", "d" * 64, Status.ACCEPTED_WITH_WARNINGS, frozenset({"x", "y"}))
    ledger = after()
    assert [c.unit for c in awaiting_review(ledger, [PASSED, REJECTED, MISSING, many])] == [
        "u4",
        "u1",
    ]
    left = outstanding(ledger, [PASSED, REJECTED, MISSING], review=False)
    assert [(c.unit, why) for c, why in left] == [("u2", "已退回"), ("u3", "未报送")]


UNITS = (Unit("u1", "甲局"), Unit("u2", "乙镇"))


def sub(unit: str, sha: str, day: int, new: int) -> Submission:
    values = {c.id: Decimal(0) for c in SPEC.cells}
    values["s3_new_natural"] = Decimal(new)
    return Submission(
        unit,
        f"{unit}/{sha}.xlsx",
        sha * 64,
        datetime(2021, 1, day, tzinfo=UTC),
        SPEC.id,
        Status.ACCEPTED,
        values,
        {},
        (),
    )


def test_a_run_keeps_locked_units_files_and_holds_the_later_ones() -> None:
    subs = [sub("u1", "a", 5, 3), sub("u1", "c", 20, 7), sub("u2", "b", 6, 4)]
    pins = {"u1": "a" * 64, "u2": "b" * 64}
    result = consolidate(SPEC, YEAR, UNITS, subs, pins=pins)
    assert [s.sha256[0] for s in result.submissions] == ["a", "b"]
    assert [s.sha256[0] for s in result.held] == ["c"]
    assert result.totals["s3_new_natural"] == 7
    open_u1 = consolidate(SPEC, YEAR, UNITS, subs, pins={"u2": "b" * 64})
    assert open_u1.totals["s3_new_natural"] == 11 and not open_u1.held


def test_a_run_leaves_held_out_units_out_of_the_totals_and_says_why() -> None:
    subs = [sub("u1", "a", 5, 3), sub("u2", "b", 6, 4)]

    def hold(unit: str, sha: str, status: Status) -> ReviewState | None:
        return ReviewState.PENDING if unit == "u2" else None

    result = consolidate(SPEC, YEAR, UNITS, subs, hold=hold)
    assert result.totals["s3_new_natural"] == 3
    assert [s.unit for s in result.accepted] == ["u1"]
    assert [(u.code, st) for u, st in result.not_included] == [("u2", Status.ACCEPTED)]


def test_run_events_record_each_file_and_outcome_once() -> None:
    result = consolidate(SPEC, YEAR, UNITS, [sub("u1", "a", 5, 3)], pins={"u2": ""})
    first = run_events(after(), result)
    assert [(e.action, e.unit) for e in first] == [(Action.RECEIVED, "u1"), (Action.ACCEPTED, "u1")]
    assert [e.at for e in first] == [datetime(2021, 1, 5, tzinfo=UTC)] * 2
    assert run_events(Ledger.of(YEAR, first), result) == []
    held = consolidate(SPEC, YEAR, UNITS, [sub("u2", "z", 9, 1)], pins={"u2": ""})
    assert [(e.action, e.unit) for e in run_events(after(), held)] == [(Action.HELD, "u2")]


def test_diff_names_exactly_the_changed_cells_with_official_labels() -> None:
    zero = {c.id: Decimal(0) for c in SPEC.cells}
    old = {"": {**zero, "s3_new_natural": Decimal(7)}, "u1": {**zero, "s3_new_natural": Decimal(3)}}
    new = {"": {**zero, "s3_new_natural": Decimal(9)}, "u1": {**zero, "s3_new_natural": Decimal(5)}}
    changes = diff_figures(SPEC, old, new, {"u1": "甲局"})
    assert [(c.unit, c.name, c.cell_id, c.old, c.new) for c in changes] == [
        ("", "全市合计", "s3_new_natural", 7, 9),
        ("u1", "甲局", "s3_new_natural", 3, 5),
    ]
    assert changes[0].label == SPEC.cell["s3_new_natural"].label
    gone = diff_figures(SPEC, old, {"": old[""]}, {"u1": "甲局"})
    assert [(c.unit, c.new) for c in gone] == [("u1", 0)]
