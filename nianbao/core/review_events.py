"""The audit events a run adds: each file received, each rules' outcome, each file received
after the year was finalized, once each (pure).

They are dated by the file's received time, not the run's: whichever run first sees a file
(a clean run, or the rerun after a failed one) records the same rows, so the trail, like
the other tables, converges on the same content for the same history.
"""

from __future__ import annotations

from datetime import datetime

from nianbao.core.model import CycleResult, Status
from nianbao.core.review import Action, Event, Ledger

RUN_ACTOR = "系统（自动汇总）"


def run_events(ledger: Ledger, result: CycleResult) -> list[Event]:
    """Events for what ``result`` received and decided that ``ledger`` does not hold yet:
    收到报表, then 通过校验 or 未通过校验 for a unit's current file; 定稿后收到 for a held
    file (each at the file's received time)."""
    seen = {(e.action, e.unit, e.sha256) for e in ledger.events}
    out: list[Event] = []

    def add(action: Action, unit: str, sha: str, when: datetime, reason: str = "") -> None:
        if (action, unit, sha) not in seen:
            seen.add((action, unit, sha))
            out.append(Event(result.year, action, when, RUN_ACTOR, unit, reason, sha))

    for sub in result.submissions:
        add(Action.RECEIVED, sub.unit, sub.sha256, sub.received_at, sub.file)
        if sub.status is Status.SUPERSEDED:
            continue
        errors = sum(f.severity.value == "error" for f in sub.findings)
        if sub.status.accepted:
            add(
                Action.ACCEPTED, sub.unit, sub.sha256, sub.received_at, f"提示{len(sub.findings)}条"
            )
        else:
            add(Action.REJECTED, sub.unit, sub.sha256, sub.received_at, f"错误{errors}条")
    for sub in result.held:
        add(Action.HELD, sub.unit, sub.sha256, sub.received_at, sub.file)
    return out
