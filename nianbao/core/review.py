"""The office's review of a year: decisions on units, finalization (定稿) and reopening.

Pure: the state of a year is the fold of its audit events (``Ledger.of``), in the order they
were recorded; a decision is checked against that state (``decide``, ``finalize``,
``reopen``) and either refused with a Chinese message (``Refused``) or returned as the
events to record. Every decision is tied to the submission (sha256) it was made on: a new
file from a unit starts its review again.

States of a unit (``ReviewState``): 待审核 (its current file passed the rules), 已审核,
已退回（审核意见） and 免报. Allowed decisions:

========== ============ ============ ============ ============
from       审核通过      退回          免报          认可提示说明
========== ============ ============ ============ ============
待审核      已审核        已退回        免报          (stays)
已审核      refused       已退回        refused       (stays)
已退回      refused       refused       免报          refused
免报        已审核 [1]    已退回 [1]    refused       refused
no file    refused       refused       免报          refused
rejected   refused       refused       免报          refused
========== ============ ============ ============ ============

[1] when the unit has a file that passed the rules. Every decision on a unit is refused
while the year is finalized and the unit not reopened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from nianbao.core.findings import CATALOGUE
from nianbao.core.model import ReviewState, Status
from nianbao.core.spec import Severity


class Action(StrEnum):
    """What an audit event records (decisions of the office and state changes of runs)."""

    RECEIVED = "received"
    HELD = "received_after_final"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    APPROVE = "approve"
    RETURN = "return"
    EXCUSE = "excuse"
    ACCEPT_WARNING = "accept_warning"
    FINALIZE = "finalize"
    REOPEN = "reopen"
    VERSION = "version"

    @property
    def label(self) -> str:
        """Chinese label."""
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.RECEIVED: "收到报表",
    Action.HELD: "定稿后收到",
    Action.ACCEPTED: "通过校验",
    Action.REJECTED: "未通过校验",
    Action.APPROVE: "审核通过",
    Action.RETURN: "退回（审核意见）",
    Action.EXCUSE: "免报",
    Action.ACCEPT_WARNING: "说明已认可",
    Action.FINALIZE: "定稿",
    Action.REOPEN: "重新打开",
    Action.VERSION: "生成定稿版本",
}
DECISIONS = {
    Action.APPROVE: ReviewState.APPROVED,
    Action.RETURN: ReviewState.RETURNED,
    Action.EXCUSE: ReviewState.EXCUSED,
}
RULES_EVENTS = (Action.RECEIVED, Action.HELD, Action.ACCEPTED, Action.REJECTED)
NEEDS_REASON = (Action.RETURN, Action.EXCUSE, Action.REOPEN)
NO_ACTOR = "请填写审核人（本工具没有登录，每项决定都记下审核人的姓名）"


class Refused(Exception):
    """A decision that makes no sense in the current state; the message is Chinese."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Event:
    """One audit row: when (aware, UTC in the database), what, on which unit ("" for the
    year) and submission, who, why; ``finding`` for an accepted warning, ``version`` for
    finalization."""

    year: int
    action: Action
    at: datetime
    actor: str = ""
    unit: str = ""
    reason: str = ""
    sha256: str = ""
    finding: str = ""
    version: int | None = None


@dataclass(frozen=True)
class Case:
    """A roster unit as the office decides on it: its current file (sha256, "" when it sent
    nothing), the rules' outcome and the warning codes on that file."""

    unit: str
    name: str
    sha256: str = ""
    status: Status = Status.MISSING
    warnings: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Ledger:
    """A year's review state, folded from its events; ``pins`` are the units' counted files
    (sha256, "" for none) of the latest finalized version."""

    year: int
    events: tuple[Event, ...] = ()
    pins: Mapping[str, str] = field(default_factory=dict)
    decisions: Mapping[str, Event] = field(default_factory=dict)
    accepted: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    version: int = 0
    locked: bool = False
    reopened: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, year: int, events: Iterable[Event] = (), pins: Mapping[str, str] | None = None
    ) -> Ledger:
        """The state after ``events`` (in recorded order)."""
        decisions: dict[str, Event] = {}
        accepted: dict[tuple[str, str], set[str]] = {}
        version, locked, reopened = 0, False, set[str]()
        kept = tuple(events)
        for e in kept:
            if e.action in DECISIONS:
                decisions[e.unit] = e
            elif e.action is Action.ACCEPT_WARNING:
                accepted.setdefault((e.unit, e.sha256), set()).add(e.finding)
            elif e.action is Action.FINALIZE:
                locked, reopened, version = True, set(), e.version or version + 1
            elif e.action is Action.REOPEN:
                if e.unit:
                    reopened.add(e.unit)
                else:
                    locked, reopened = False, set()
        return cls(
            year,
            kept,
            dict(pins or {}),
            decisions,
            {k: frozenset(v) for k, v in accepted.items()},
            version,
            locked,
            frozenset(reopened),
        )

    @property
    def decided(self) -> tuple[tuple[str, ...], ...]:
        """The office's decisions as plain values: besides the files, what a run's outcome
        depends on (the rules' events a run records are left out)."""
        return tuple(
            (e.action.value, e.unit, e.sha256, e.finding, e.reason, str(e.version or ""))
            for e in self.events
            if e.action not in RULES_EVENTS
        )

    @property
    def frozen(self) -> bool:
        """Finalized with no unit reopened: a run changes nothing but receives files."""
        return self.locked and not self.reopened

    def pinned(self, unit: str) -> str | None:
        """The file (sha256; "" for none) a locked unit keeps; None when the unit is open."""
        if not self.locked or unit in self.reopened:
            return None
        return self.pins.get(unit, "")

    def pins_now(self) -> dict[str, str]:
        """Every locked unit's kept file (see ``pinned``); empty while the year is open."""
        if not self.locked:
            return {}
        return {u: sha for u, sha in self.pins.items() if u not in self.reopened}

    def state(self, unit: str, sha256: str, status: Status) -> ReviewState | None:
        """A unit's review state for its current file (None: no file that passed the rules,
        and no decision on it)."""
        decision = self.decisions.get(unit)
        if decision is not None and decision.sha256 == sha256:
            return DECISIONS[decision.action]
        return ReviewState.PENDING if sha256 and status.accepted else None

    def decision(self, unit: str, sha256: str) -> Event | None:
        """The decision in force on a unit's current file."""
        d = self.decisions.get(unit)
        return d if d is not None and d.sha256 == sha256 else None

    def accepted_warnings(self, unit: str, sha256: str) -> frozenset[str]:
        """Warning codes whose 说明 the office accepted on this file."""
        return self.accepted.get((unit, sha256), frozenset())

    def held_out(self, unit: str, sha256: str, status: Status, review: bool) -> ReviewState | None:
        """Why a unit's figures stay out of the totals by the office's decision: returned,
        excused, or (with ``review`` on) not yet approved; None when they count (or when the
        rules alone leave them out)."""
        state = self.state(unit, sha256, status)
        if state in (ReviewState.RETURNED, ReviewState.EXCUSED):
            return state
        if review and state is ReviewState.PENDING:
            return state
        return None


def _locked_message(ledger: Ledger, case: Case) -> str:
    return (
        f"{ledger.year}年度已定稿（第{ledger.version}版），{case.name}的数据已锁定；"
        "如需修改，请先重新打开该单位或整个年度（nianbao reopen）"
    )


def _refusal(ledger: Ledger, case: Case, action: Action, finding: str) -> str | None:
    """Why ``action`` on ``case`` makes no sense now (None when it is allowed)."""
    if ledger.pinned(case.unit) is not None:
        return _locked_message(ledger, case)
    state = ledger.state(case.unit, case.sha256, case.status)
    name = case.name
    has_file = bool(case.sha256) and case.status.accepted
    if action is Action.EXCUSE:
        if state is ReviewState.EXCUSED:
            return f"{name}已免报，无需重复"
        if state is ReviewState.APPROVED:
            return f"{name}的报表已审核通过，不能免报；如确需免报，请先退回"
        if state is ReviewState.PENDING or state is ReviewState.RETURNED or not has_file:
            return None
    if not case.sha256 or case.status is Status.MISSING:
        return f"{name}尚未报送，没有可审核的报表"
    if case.status is Status.REJECTED:
        return f"{name}的报表未通过校验（已自动退回），不能审核；请等待单位改正后重新报送"
    if action is Action.APPROVE:
        if state is ReviewState.APPROVED:
            return f"{name}的报表已审核通过，无需重复"
        if state is ReviewState.RETURNED:
            return f"{name}的报表已退回（审核意见），请等待单位重新报送后再审核"
        return None
    if action is Action.RETURN:
        if state is ReviewState.RETURNED:
            return f"{name}的报表已退回，无需重复"
        return None
    if action is Action.ACCEPT_WARNING:
        if state in (ReviewState.RETURNED, ReviewState.EXCUSED):
            return f"{name}的状态是“{state.label}”，不能认可提示的说明"
        kind = CATALOGUE.get(finding)
        if kind is not None and kind.severity is Severity.ERROR:
            return f"“{finding}”（{kind.title}）是错误而不是提示，不能认可，请退回单位改正"
        if finding not in case.warnings:
            shown = "、".join(sorted(case.warnings)) or "无"
            return f"{name}的当前报表没有提示“{finding}”（当前报表的提示：{shown}）"
        if finding in ledger.accepted_warnings(case.unit, case.sha256):
            return f"{name}的提示“{finding}”的说明已认可，无需重复"
        return None
    return f"不能对单位执行“{action.label}”"


def decide(
    ledger: Ledger,
    case: Case,
    action: Action,
    actor: str,
    at: datetime,
    reason: str = "",
    finding: str = "",
) -> Event:
    """The event recording ``action`` on ``case`` (approve, return, excuse or accept a
    warning); ``Refused`` when it makes no sense now or lacks its 审核人 or reason."""
    if action not in (*DECISIONS, Action.ACCEPT_WARNING):
        raise Refused(f"“{action.label}”不是对单位的审核决定")
    _check_actor_reason(action, actor, reason)
    if action is Action.ACCEPT_WARNING and not finding.strip():
        raise Refused("认可提示的说明时请写明提示的规则代码（如 yoy-jump）")
    problem = _refusal(ledger, case, action, finding.strip())
    if problem:
        raise Refused(problem)
    return Event(
        ledger.year,
        action,
        at,
        actor.strip(),
        case.unit,
        reason.strip(),
        case.sha256,
        finding.strip() if action is Action.ACCEPT_WARNING else "",
    )


def _check_actor_reason(action: Action, actor: str, reason: str) -> None:
    if not actor.strip():
        raise Refused(NO_ACTOR)
    if action in NEEDS_REASON and not reason.strip():
        raise Refused(f"“{action.label}”必须写明理由")


def outstanding(ledger: Ledger, cases: Iterable[Case], review: bool) -> list[tuple[Case, str]]:
    """Roster units whose figures are not in the totals and that are not excused, with why
    (未报送, 已退回, 待审核, …): what stands between the year and its finalization."""
    out = []
    for case in cases:
        state = ledger.state(case.unit, case.sha256, case.status)
        if state is ReviewState.EXCUSED:
            continue
        if not case.status.accepted:
            out.append((case, case.status.label))
        elif ledger.held_out(case.unit, case.sha256, case.status, review) is not None:
            out.append((case, state.label if state else case.status.label))
    return out


def finalize(
    ledger: Ledger,
    cases: Iterable[Case],
    actor: str,
    at: datetime,
    reason: str = "",
    excuse: Mapping[str, str] | None = None,
    review: bool = False,
) -> list[Event]:
    """The events that finalize the year as its next version: the named units excused
    (``excuse``: unit -> reason), 定稿, then the version made. Refused while the year is
    finalized with nothing reopened, or while a unit's figures are neither in the totals
    nor excused."""
    _check_actor_reason(Action.FINALIZE, actor, reason)
    if ledger.frozen:
        raise Refused(
            f"{ledger.year}年度已定稿（第{ledger.version}版），没有重新打开的单位，无需再次定稿",
            hint="如需更正，请先用 nianbao reopen 重新打开单位或整个年度，汇总后再定稿",
        )
    listed = list(cases)
    excuse = dict(excuse or {})
    unknown = sorted(set(excuse) - {c.unit for c in listed})
    if unknown:
        raise Refused(f"名单中没有这些单位：{'、'.join(unknown)}")
    events: list[Event] = []
    for case in listed:
        if case.unit in excuse:
            events.append(decide(ledger, case, Action.EXCUSE, actor, at, excuse[case.unit]))
    after = Ledger.of(ledger.year, (*ledger.events, *events), ledger.pins)
    left = outstanding(after, listed, review)
    if left:
        names = "、".join(f"{c.name}（{c.unit}，{why}）" for c, why in left)
        raise Refused(
            f"以下单位的数据未计入汇总，不能定稿：{names}",
            hint="请先审核或等待单位报送；确定不再等待的单位，用 --excuse 单位代码 "
            "并以 --excuse-reason 写明免报理由",
        )
    version = ledger.version + 1
    events.append(
        Event(
            ledger.year, Action.FINALIZE, at, actor.strip(), reason=reason.strip(), version=version
        )
    )
    return events


def reopen(ledger: Ledger, unit: Case | None, actor: str, at: datetime, reason: str) -> Event:
    """The event reopening the whole year (``unit`` None) or one unit; refused when the year
    is not finalized or the unit is already open."""
    _check_actor_reason(Action.REOPEN, actor, reason)
    if not ledger.locked:
        raise Refused(f"{ledger.year}年度尚未定稿（或已重新打开），无需重新打开")
    if unit is not None and unit.unit in ledger.reopened:
        raise Refused(f"{unit.name}已重新打开，无需重复")
    return Event(
        ledger.year,
        Action.REOPEN,
        at,
        actor.strip(),
        unit.unit if unit else "",
        reason.strip(),
        unit.sha256 if unit else "",
    )


def awaiting_review(ledger: Ledger, cases: Iterable[Case]) -> list[Case]:
    """Units whose current file awaits the office's review (待审核), those with the most
    kinds of warnings first (then in roster order)."""
    waiting = [c for c in cases if ledger.state(c.unit, c.sha256, c.status) is ReviewState.PENDING]
    return sorted(waiting, key=lambda c: -len(c.warnings))
