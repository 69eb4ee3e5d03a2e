"""The annual deployment as ``nianbao serve`` builds it (``deployments/prefect.yaml`` mirrors it
for a process work pool; a unit test keeps the two in step)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect.deployments.runner import RunnerDeployment
from prefect.events import DeploymentEventTrigger
from prefect.events.schemas.automations import Posture
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.annual_cycle import annual_cycle
from flows.review import review
from nianbao.io.watch import EVENT, root_resource_id

NAME = "nianbao-annual-cycle"
REVIEW_NAME = "nianbao-review"
REVIEW_DESCRIPTION = (
    "审核单位报表（审核通过、退回并写明审核意见、免报、认可提示的说明）、定稿和重新打开；"
    "在“运行 → 自定义运行”中填写表单，每次运行记录一项决定和审核人。"
)
CRON = "0 8 * 1 *"
TIMEZONE = "Asia/Shanghai"
DEBOUNCE_SECONDS = 60
DESCRIPTION = (
    "每年1月每天08:00（北京时间）汇总上一年度的政府信息公开工作年度报表；"
    "收件箱有新文件稳定后自动运行一次；单位重新报送后可在“运行 → 自定义运行”中指定年度重跑。"
    "同一时间只运行一次（后到的运行排队等待）。"
)


def default_parameters(root: Path, db_url: str | None) -> dict[str, Any]:
    """Deployment defaults: the shared folder (and database) this machine serves."""
    params: dict[str, Any] = {"root": str(root.resolve())}
    if db_url:
        params["db_url"] = db_url
    return {"params": params}


def inbox_trigger(
    root: Path, db_url: str | None, debounce: float = DEBOUNCE_SECONDS
) -> DeploymentEventTrigger:
    """Run for the event's year when a file in ``root``'s inbox is stable; debounced."""
    params = default_parameters(root, db_url)["params"]
    params.update(year="{{ event.payload.year }}", root="{{ event.payload.root }}")
    return DeploymentEventTrigger(
        name="收件箱有新文件",
        description="nianbao watch 报告收件箱中有文件已稳定时运行；窗口内的多个文件只触发一次",
        expect={EVENT},
        match={"prefect.resource.id": root_resource_id(root)},
        for_each={"prefect.resource.id"},
        posture=Posture.Reactive,
        threshold=1,
        within=timedelta(seconds=debounce),
        parameters={"params": params},
    )


def build_deployment(
    root: Path, db_url: str | None = None, debounce: float = DEBOUNCE_SECONDS
) -> RunnerDeployment:
    """The served deployment: January schedule, one run at a time, inbox trigger, form."""
    deployment = annual_cycle.to_deployment(
        name=NAME,
        description=DESCRIPTION,
        schedules=[Cron(CRON, timezone=TIMEZONE)],
        concurrency_limit=1,
        parameters=default_parameters(root, db_url),
        triggers=[inbox_trigger(root, db_url, debounce)],
        tags=["nianbao"],
        enforce_parameter_schema=True,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    assert isinstance(deployment, RunnerDeployment)  # called outside an event loop
    return deployment


def build_review_deployment() -> RunnerDeployment:
    """The served review form: no schedule, the parameters validated against the form (a
    run whose form leaves the folder and database empty uses those ``serve`` was given)."""
    deployment = review.to_deployment(
        name=REVIEW_NAME,
        description=REVIEW_DESCRIPTION,
        tags=["nianbao"],
        enforce_parameter_schema=True,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    assert isinstance(deployment, RunnerDeployment)
    return deployment
