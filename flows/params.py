"""Parameters of the annual cycle flow, rendered by the Prefect UI as a validated form.

No ``from __future__ import annotations`` here: Prefect 3.9 deployment runs need the real
annotations of pydantic parameter models.
"""

import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def report_year() -> Any:
    """The form's 报告年度 field (both forms: the annual run's and the fan-out's)."""
    return Field(
        default=None,
        ge=2019,
        le=2100,
        title="报告年度",
        description="要汇总的报告年度；留空则为上一个自然年（运行时确定）",
    )


class CycleParams(BaseModel):
    """One consolidation run."""

    # shown above the form in the Prefect UI (instead of the English docstring)
    model_config = ConfigDict(
        json_schema_extra={"description": "一次汇总运行的参数；留空的项按配置或运行时确定"}
    )

    year: int | None = report_year()
    root: str | None = Field(
        default=None, title="共享文件夹", description="共享文件夹根目录；留空则用配置中的目录"
    )
    db_url: str | None = Field(
        default=None, title="数据库地址", description="SQLAlchemy 地址；留空则用 ROOT/nianbao.db"
    )
    format: str | None = Field(
        default=None,
        title="报告格式",
        description="强制使用的格式版本（如 2019）；留空则按年度自动选择",
    )
    dry_run: bool = Field(
        default=False,
        title="试运行",
        description="只校验报表并生成输出文件和反馈，不写入数据库",
    )

    def resolved_year(self) -> int:
        """The report year, defaulting to last calendar year at run time."""
        return self.year if self.year is not None else datetime.date.today().year - 1


class FanOutParams(BaseModel):
    """One fan-out: every lower level's cycle on the work pool, then this level's cycle."""

    model_config = ConfigDict(
        json_schema_extra={
            "description": "为每个下级（如各县）在工作池上启动一次汇总运行，"
            "再把各下级的合计作为本级的报表汇总；留空的项按配置或运行时确定"
        }
    )

    year: int | None = report_year()
    root: str | None = Field(
        default=None,
        title="本级共享文件夹",
        description="本级的共享文件夹根目录（名单中每个单位是一个下级）；留空则用配置中的目录",
    )
    db_url: str | None = Field(
        default=None, title="本级数据库地址", description="留空则用 ROOT/nianbao.db"
    )
    format: str | None = Field(
        default=None,
        title="报告格式",
        description="强制使用的格式版本（如 2019），各下级同样使用；留空则按年度自动选择",
    )
    roots: dict[str, str] | None = Field(
        default=None,
        title="下级共享文件夹",
        description="单位代码 → 该下级的共享文件夹；未列出的下级为 ROOT/lower/<单位代码>",
    )
    only: list[str] | None = Field(
        default=None,
        title="只运行这些下级",
        description="只重跑这些下级（单位代码）；其他下级沿用此前上报的数据。留空则运行全部",
    )
    deployment: str = Field(
        default="nianbao-annual-cycle/nianbao-lower-cycle",
        title="下级汇总的部署",
        description="为每个下级启动运行的部署（流程名/部署名）",
    )
    wait_minutes: float = Field(
        default=180,
        gt=0,
        title="最长等待（分钟）",
        description="等待各下级运行结束的最长时间；超时的下级报告为未汇总",
    )

    def resolved_year(self) -> int:
        """The report year, defaulting to last calendar year at run time."""
        return self.year if self.year is not None else datetime.date.today().year - 1
