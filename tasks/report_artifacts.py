"""Task that publishes what ops read on a run's page in the Prefect UI (artifacts)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy.engine import make_url

from nianbao.core.board import (
    board_rows,
    findings_markdown,
    key_total_rows,
    outputs_markdown,
    review_markdown,
)
from nianbao.core.model import CycleResult, Status
from nianbao.core.unit_status import cycle_status
from tasks.inputs import CycleInputs


def _side_by_side(*calls: Callable[[], object]) -> None:
    """Make the calls at once, each in a thread with this task's context (an artifact is an
    HTTP request the server answers; at 10,000 units the board's table alone takes
    ~0.35 s of its time)."""
    with ThreadPoolExecutor(len(calls), thread_name_prefix="artifact") as pool:
        for made in [pool.submit(contextvars.copy_context().run, call) for call in calls]:
            made.result()


def artifact_key(year: int, name: str) -> str:
    """Stable key (lowercase letters, digits, dashes), so each year's artifacts keep a history."""
    return f"nianbao-{year}-{name}"


@task(name="发布运行结果看板", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_artifacts(
    inputs: CycleInputs, result: CycleResult, outputs: dict[str, str], dry_run: bool = False
) -> list[str]:
    """Create the run's artifacts (times in the office's time zone); returns their keys."""
    year, tz = result.year, inputs.settings.timezone
    status = cycle_status(result, inputs.ledger)
    database = make_url(inputs.settings.database_url).render_as_string(hide_password=True)
    made: dict[str, tuple[Callable[..., object], object, str]] = {  # name: how, what, about
        "board": (create_table_artifact, board_rows(status, tz), "各单位报送完成情况"),
        "findings": (
            create_markdown_artifact,
            findings_markdown(status),
            "校验问题汇总（按单位、问题代码计数）",
        ),
        "review": (
            create_markdown_artifact,
            review_markdown(status),
            "待审核单位（按可疑程度排序）",
        ),
        "totals": (
            create_table_artifact,
            key_total_rows(result),
            "主要数字（本年新收政府信息公开申请，按单位）",
        ),
        "outputs": (
            create_markdown_artifact,
            outputs_markdown(year, outputs, database, dry_run=dry_run),
            "输出文件位置",
        ),
    }
    _side_by_side(
        *(
            partial(create, content, key=artifact_key(year, name), description=f"{year}年度{about}")
            for name, (create, content, about) in made.items()
        )
    )
    done = sum(u.status is not Status.MISSING for u in status.units)
    get_run_logger().info("运行结果已发布：%d个单位中%d个已报送", len(status.units), done)
    return [artifact_key(year, name) for name in made]
