"""A centre's fan-out over its lower levels' shared folders: what became of each one.

A lower level (a county under a city, a city under a province) is one unit of the centre's
roster whose own shared folder runs its own cycle; its stored totals become its return in
the centre's cycle. ``LevelOutcome`` is what one fan-out says about each lower level; the
messages are what the office reads (Chinese).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class LevelState(StrEnum):
    """Where one lower level stands after a fan-out; ``label`` is what the office reads."""

    HANDED_UP = "handed_up"  # its run completed and its totals are this cycle's return
    UNCHANGED = "unchanged"  # its run completed; the centre already holds these totals
    KEPT = "kept"  # not run this time (not selected); its earlier return stays
    NOT_RUN = "not_run"  # not selected and never handed up
    FAILED = "failed"  # its run, or handing its totals up, failed: see the message

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def failed(self) -> bool:
        return self is LevelState.FAILED


_LABELS = {
    LevelState.HANDED_UP: "已汇总上报",
    LevelState.UNCHANGED: "已汇总（数据未变）",
    LevelState.KEPT: "未重跑（沿用此前上报的数据）",
    LevelState.NOT_RUN: "未运行",
    LevelState.FAILED: "未汇总",
}


@dataclass(frozen=True)
class LevelOutcome:
    """One lower level after a fan-out: its roster code and name, its shared folder, the
    Prefect flow run that ran its cycle (when one was started) and, when it failed, why."""

    code: str
    name: str
    root: str
    state: LevelState
    run_id: str | None = None
    message: str = ""

    def as_json(self) -> dict[str, object]:
        doc = asdict(self)
        doc["state"] = self.state.value
        doc["label"] = self.state.label
        return doc


def child_failed(name: str, state_name: str, detail: str | None) -> str:
    """Why a lower level's run failed, from its Prefect state (type or name and message)."""
    why = (detail or "").removeprefix("Flow run encountered an exception: ").strip()
    return f"{name}的汇总运行未成功（{state_name}）" + (f"：{why}" if why else "")


def summary(year: int, outcomes: Iterable[LevelOutcome]) -> str:
    """One line for the log and the run's state: how many lower levels were consolidated and
    which failed, with their reasons and how to retry them alone."""
    done = [o for o in outcomes if not o.state.failed]
    failed = [o for o in outcomes if o.state.failed]
    line = f"{year}年度下级汇总：{len(done)}个下级已汇总入本级"
    if not failed:
        return line
    names = "；".join(f"{o.name}（{o.code}）：{o.message}" for o in failed)
    codes = "、".join(o.code for o in failed)
    return (
        f"{line}，{len(failed)}个未汇总：{names}。其他下级的数据已汇总，不受影响；"
        f"问题排除后，在重跑参数“只运行这些下级”中填写 {codes} 即可单独重跑"
    )
