"""One typed settings object; environment variables (``NIANBAO_*``) and CLI flags feed it.

This is the only module that reads or writes ``os.environ``.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nianbao.core.clock import DEFAULT_TIMEZONE, zone
from nianbao.core.thresholds import Thresholds
from nianbao.io.bounds import MB, ReadBounds

ROOT_CONFIG = "nianbao.toml"


class Settings(BaseSettings):
    """Where things are and how a cycle is run."""

    model_config = SettingsConfigDict(env_prefix="NIANBAO_", extra="ignore")

    root: Path = Field(default=Path("nianbao-root"), description="共享文件夹根目录")
    db_url: str | None = Field(default=None, description="数据库地址；默认 ROOT/nianbao.db")
    state_dir: Path = Field(default=Path(".state"), description="程序状态目录（Prefect 等）")
    region: str = Field(default="本市", description="报告主体，如“绥芬河市”")
    issuer: str = Field(default="本市人民政府", description="落款机关")
    issue_date: date | None = Field(default=None, description="落款日期；默认为生成当天")
    deadline: datetime | None = Field(
        default=None,
        description="单位报送截止时间，如 2021-01-26T18:00:00+08:00；之后到达的标为逾期",
    )
    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        description="显示给人看的时间所用的时区（IANA名称）；数据库保存UTC",
    )
    max_findings: int = Field(default=100, ge=1, description="每个文件最多列出的问题数")
    report_group_level: int = Field(
        default=0,
        ge=0,
        description="报告初稿“其中……”分述到哪一层分组：0为逐个单位，1为第一层分组，依此类推",
    )
    batch_size: int = Field(default=2000, ge=1, description="每个读取任务处理的工作簿数")
    workers: int = Field(
        default=0, ge=0, description="读取和校验工作簿的进程数；0 为按CPU核数，1 为不另开进程"
    )
    settle_seconds: float = Field(
        default=5.0,
        ge=0,
        description="文件大小和修改时间多少秒不变才算写入完成（run 和 watch 共用）；"
        "仍在变化的文件留待下次汇总",
    )
    max_file_mb: float = Field(
        default=20, gt=0, description="报送文件大小上限（MB）；超过的文件不读取"
    )
    max_unzipped_mb: float = Field(
        default=100, gt=0, description="工作簿中要读取的部分解压后的总大小上限（MB）"
    )
    max_part_mb: float = Field(
        default=50, gt=0, description="工作簿中每个部分（如一张工作表）解压后的大小上限（MB）"
    )
    max_zip_ratio: float = Field(
        default=200, gt=1, description="工作簿中超过1MB的部分的压缩比上限（解压后÷压缩后）"
    )
    max_zip_members: int = Field(default=1000, ge=1, description="工作簿内部部件数上限")
    max_sheet_cells: int = Field(
        default=1_000_000, ge=1, description="读取的工作表数据区域（行×列）单元格数上限"
    )
    server_idle_minutes: float = Field(
        default=30,
        ge=0,
        description="未配置 PREFECT_API_URL 时，run 启动的本机 Prefect 服务在最后一次使用后"
        "保留多少分钟供下次运行复用；0 为每次运行临时启动、运行结束即停止",
    )
    lock_wait: float = Field(
        default=300.0,
        ge=0,
        description="同一共享文件夹、同一年度已有运行时，最多等待多少秒；0 为不等待，立即停止",
    )
    plausibility_ratio: float = Field(
        default=Thresholds.ratio,
        gt=1,
        description="主要数字与上年相比变化多少倍（增或减）才提示；须同时超过 plausibility_change",
    )
    plausibility_change: float = Field(
        default=Thresholds.change,
        ge=0,
        description="主要数字与上年相比（或与同类单位中位数相比）至少相差多少才提示",
    )
    plausibility_peer_score: float = Field(
        default=Thresholds.peer_score,
        gt=1,
        description="与同类单位相比的稳健偏离分数（以中位数绝对偏差计）达到多少才提示",
    )
    plausibility_min_peers: int = Field(
        default=Thresholds.min_peers,
        ge=3,
        description="同类单位（按单位类型）至少有多少个已接收的单位才与同类单位比较",
    )
    review: bool = Field(
        default=False,
        description="是否审核后才计入汇总：true 时汇总和报告初稿只计入已审核的单位；"
        "false（默认）时通过校验即计入，审核决定仍然记录",
    )
    fault: str | None = Field(
        default=None,
        description="仅供测试：在指定阶段（intake、store、outputs，加 :term 为 SIGTERM）终止运行",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"未知的时区：{value}（应为如 Asia/Shanghai 的IANA名称）") from exc
        return value

    @property
    def read_bounds(self) -> ReadBounds:
        """The bounds a submitted file must keep before it is parsed."""
        return ReadBounds(
            file_bytes=int(self.max_file_mb * MB),
            unzipped_bytes=int(self.max_unzipped_mb * MB),
            part_bytes=int(self.max_part_mb * MB),
            ratio=self.max_zip_ratio,
            members=self.max_zip_members,
            cells=self.max_sheet_cells,
        )

    @property
    def plausibility(self) -> Thresholds:
        """When a figure is flagged as implausible (the review list's warnings)."""
        return Thresholds(
            ratio=self.plausibility_ratio,
            change=self.plausibility_change,
            peer_score=self.plausibility_peer_score,
            min_peers=self.plausibility_min_peers,
        )

    @property
    def database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the root."""
        return self.db_url or f"sqlite:///{self.root.resolve() / 'nianbao.db'}"

    @property
    def inbox(self) -> Path:
        """``ROOT/inbox``: one folder per unit code."""
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        """``ROOT/archive``: every received original, addressed by content."""
        return self.root / "archive"

    def output_dir(self, year: int) -> Path:
        """``ROOT/output/<year>``."""
        return self.root / "output" / str(year)

    @property
    def own_report_template(self) -> Path:
        """``ROOT/report-template.docx``: the office's own copy of the report template, used
        for the draft when present (the packaged one has the same name)."""
        return self.root / "report-template.docx"

    @property
    def prefect_home(self) -> Path:
        """Prefect's own state, inside the project's state folder."""
        return self.state_dir.resolve() / "prefect"


def load_settings(**overrides: Any) -> Settings:
    """Settings from defaults < ``ROOT/nianbao.toml`` < environment < explicit overrides."""
    given = {k: v for k, v in overrides.items() if v is not None}
    first = Settings(**given)
    config = first.root / ROOT_CONFIG
    from_file: dict[str, Any] = {}
    if config.is_file():
        from_file = tomllib.loads(config.read_text(encoding="utf-8"))
    env_set = {name for name in Settings.model_fields if f"NIANBAO_{name.upper()}" in os.environ}
    merged = {k: v for k, v in from_file.items() if k not in env_set and k != "root"}
    return Settings(**{**merged, **given})


def prepare_prefect_env(
    settings: Settings, log_level: str = "WARNING", local_server: bool = False
) -> None:
    """Point Prefect at the project's state folder and silence telemetry (before importing it).

    ``log_level`` is Prefect's default logging level: WARNING keeps ``nianbao run`` quiet;
    long-running processes (``nianbao serve``) use INFO so flow-run logs reach the UI.
    With ``local_server`` and no ``PREFECT_API_URL``, runs use this machine's server for the
    Prefect home, started by the first run that needs it (``nianbao.io.local_server``).
    """
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", log_level)
    if local_server and settings.server_idle_minutes > 0 and not os.environ.get("PREFECT_API_URL"):
        from nianbao.io.local_server import ensure_server

        timeout = float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])
        idle = settings.server_idle_minutes * 60
        home = Path(os.environ["PREFECT_HOME"])
        os.environ["PREFECT_API_URL"] = ensure_server(home, idle, timeout, dict(os.environ))


def serve_defaults(settings: Settings, db_url: str | None) -> None:
    """Make the served root (and an explicit database URL) the environment of this
    process, which every flow run it starts inherits: a run whose parameters leave them
    out (a REST call with only the year replaces the whole ``params`` object) uses them."""
    os.environ["NIANBAO_ROOT"] = str(settings.root.resolve())
    if db_url:
        os.environ["NIANBAO_DB_URL"] = db_url
