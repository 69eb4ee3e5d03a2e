"""The review deployment: the office's decisions from the Prefect UI, as a form (年度, 单位,
审核操作, 理由, 审核人). Each run records one decision through the same functions as the CLI
(``nianbao.io.review_desk``); a decision that makes no sense ends the run as failed with the
reason as its message.

No ``from __future__ import annotations``: the flow takes a pydantic parameter model.
"""

from enum import StrEnum
from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Failed
from pydantic import BaseModel, ConfigDict, Field

from nianbao.core.clock import shown
from nianbao.core.review import Action, Refused
from nianbao.io.faults import as_fault
from nianbao.io.review_desk import finalize_year, reopen_year, review_unit
from nianbao.settings import load_settings


class ReviewAction(StrEnum):
    """What the form offers (the values are what the office reads in the select)."""

    APPROVE = "审核通过"
    RETURN = "退回（写明审核意见）"
    EXCUSE = "免报（写明理由）"
    ACCEPT_WARNING = "认可提示的说明（填提示规则代码）"
    FINALIZE = "定稿（整个年度，单位代码留空）"
    REOPEN = "重新打开（单位代码留空为整个年度）"


UNIT_ACTIONS = {
    ReviewAction.APPROVE: Action.APPROVE,
    ReviewAction.RETURN: Action.RETURN,
    ReviewAction.EXCUSE: Action.EXCUSE,
    ReviewAction.ACCEPT_WARNING: Action.ACCEPT_WARNING,
}


class ReviewParams(BaseModel):
    """One decision of the office."""

    model_config = ConfigDict(
        json_schema_extra={"description": "审核决定：每次运行记录一项决定（谁、何时、为何）"}
    )

    year: int = Field(ge=2019, le=2100, title="报告年度", description="要审核的报告年度")
    action: ReviewAction = Field(title="审核操作", description="要做的决定")
    unit: str = Field(default="", title="单位代码", description="单位名单中的单位代码；定稿时留空")
    reason: str = Field(
        default="",
        title="理由或审核意见",
        description="退回、免报、重新打开时必填；退回的审核意见会写在单位退回修改文件的最前面",
    )
    finding: str = Field(
        default="", title="提示规则代码", description="认可提示的说明时填写，如 blank-cell"
    )
    reviewer: str = Field(
        min_length=1, title="审核人", description="审核人姓名（必填；本工具没有登录）"
    )
    root: str | None = Field(
        default=None, title="共享文件夹", description="共享文件夹根目录；留空则用配置中的目录"
    )
    db_url: str | None = Field(
        default=None, title="数据库地址", description="SQLAlchemy 地址；留空则用 ROOT/nianbao.db"
    )


@flow(
    name="nianbao-review",
    description="审核单位报表：审核通过、退回（审核意见）、免报、认可提示说明、定稿、重新打开。",
    log_prints=False,
)
def review(params: ReviewParams) -> dict[str, object] | State[Any]:
    """Record one decision; returns what was recorded (a failed state with the reason when
    it was refused)."""
    log = get_run_logger()
    settings = load_settings(root=params.root, db_url=params.db_url)
    unit = params.unit.strip()
    try:
        if params.action in UNIT_ACTIONS:
            if not unit:
                raise Refused(f"“{params.action.value}”需要填写单位代码")
            action = UNIT_ACTIONS[params.action]
            event, written = review_unit(
                settings, params.year, unit, action, params.reviewer, params.reason, params.finding
            )
            done: dict[str, object] = {"unit": unit, "feedback": str(written or "")}
        elif params.action is ReviewAction.FINALIZE:
            if unit:
                raise Refused("定稿针对整个年度，请把单位代码留空（免报的单位请先逐个“免报”）")
            made = finalize_year(settings, params.year, params.reviewer, params.reason)
            event, done = made.events[-1], {"version": made.number, "folder": str(made.folder)}
        else:
            event = reopen_year(settings, params.year, params.reviewer, params.reason, unit or None)
            done = {"unit": unit}
    except Refused as exc:
        message = f"未执行：{exc}" + (f"（{exc.hint}）" if exc.hint else "")
        log.error("%s", message)
        return Failed(message=message)
    except Exception as exc:
        fault = as_fault(exc)
        if fault is None:
            raise
        log.error("未执行：%s", fault)
        return Failed(message=f"未执行：{fault}")
    when = shown(event.at, settings.timezone)
    log.info(
        "已记录：%s %s（%s，%s）",
        unit or f"{params.year}年度",
        params.action.value,
        event.actor,
        when,
    )
    return {"year": params.year, "action": event.action.value, "by": event.actor, **done}
