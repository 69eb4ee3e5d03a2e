"""What the office's review adds to a unit's feedback: the reason of a return (first in its
退回修改 workbook), the review state and accepted warnings (in its 回执), and the notice on
a file received after the year was finalized. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nianbao.core.clock import DEFAULT_TIMEZONE, shown
from nianbao.core.findings import CATALOGUE
from nianbao.core.model import CycleResult, ReviewState
from nianbao.core.review import Event, Ledger

Lead = tuple[tuple[str, str], ...]  # (label, value) rows at the top of a receipt


@dataclass(frozen=True)
class ReviewFeedback:
    """Per unit code: the office's return (reason text) of its current file, and extra rows
    for its receipt; ``held`` is the notice on files received after finalization."""

    returned: Mapping[str, str] = field(default_factory=dict)
    notes: Mapping[str, Lead] = field(default_factory=dict)
    held: str = ""


def return_text(event: Event, tz: str = DEFAULT_TIMEZONE) -> str:
    """``审核意见：…（审核人：…，时间）``: the reason of a return as the unit reads it."""
    return f"审核意见：{event.reason}（审核人：{event.actor}，{shown(event.at, tz)}）"


def held_notice(ledger: Ledger) -> str:
    """What a unit reads on a file received after the year was finalized."""
    return (
        f"{ledger.year}年度已定稿（第{ledger.version}版）。本文件已收到并保存，但没有计入汇总；"
        "是否采用由审核部门决定，如需更正请与审核部门联系。"
    )


def receipt_lead(ledger: Ledger, unit: str, sha256: str, state: ReviewState | None) -> Lead:
    """The review rows of a unit's receipt: its state, and each warning whose 说明 the
    office accepted."""
    rows: list[tuple[str, str]] = []
    if state is not None:
        rows.append(("审核状态", state.label))
    for code in sorted(ledger.accepted_warnings(unit, sha256)):
        kind = CATALOGUE.get(code)
        rows.append(("说明已认可", f"{kind.title if kind else code}（{code}）"))
    return tuple(rows)


def review_feedback(
    ledger: Ledger, result: CycleResult, tz: str = DEFAULT_TIMEZONE
) -> ReviewFeedback:
    """The review's part of every unit's feedback in ``result``."""
    returned: dict[str, str] = {}
    notes: dict[str, Lead] = {}
    for sub in result.submissions:
        if not sub.status.accepted:
            continue
        state = ledger.state(sub.unit, sub.sha256, sub.status)
        decision = ledger.decision(sub.unit, sub.sha256)
        if state is ReviewState.RETURNED and decision is not None:
            returned[sub.unit] = return_text(decision, tz)
            continue
        lead = receipt_lead(ledger, sub.unit, sub.sha256, state)
        if lead:
            notes[sub.unit] = lead
    return ReviewFeedback(returned, notes, held_notice(ledger) if result.held else "")
