"""CLI commands for operations on a Prefect server: serve, watch."""

from __future__ import annotations

import argparse
import datetime
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from nianbao.cli.common import CliError, SubParsers, command, require_root, settings_for
from nianbao.settings import Settings, prepare_prefect_env, serve_defaults

if TYPE_CHECKING:
    from nianbao.io.unit_feedback import Answer


def register(sub: SubParsers) -> None:
    """Commands of operations: serve, watch."""
    srv = command(
        sub,
        "serve",
        "在本机常驻提供年度汇总部署（1月定时运行、界面重跑、收件箱触发）；需先启动 Prefect 服务器",
        _serve,
    )
    srv.add_argument("--root", type=Path, help="共享文件夹根目录")
    srv.add_argument("--db", dest="db_url", help="数据库地址（默认 ROOT/nianbao.db）")
    srv.add_argument(
        "--debounce", type=float, default=60.0, help="收件箱触发的防抖窗口（秒，默认60）"
    )

    wat = command(
        sub,
        "watch",
        "监视共享文件夹的收件箱：文件稳定后立即生成该单位的回执或退回修改文件，再通知 Prefect 汇总",
        _watch,
    )
    wat.add_argument("--root", type=Path, help="共享文件夹根目录")
    wat.add_argument("--year", type=int, help="报告年度（默认上一个自然年）")
    wat.add_argument(
        "--settle",
        type=float,
        help="文件大小和修改时间多少秒不变才算稳定（默认为设置 settle_seconds，5秒；"
        "完整的 xlsx 工作簿1秒不变即可）",
    )
    wat.add_argument("--poll", type=float, default=1.0, help="检查收件箱的间隔（秒，默认1）")
    wat.add_argument(
        "--window", type=float, default=60.0, help="与部署触发器一致的防抖窗口（秒，默认60）"
    )


def _connect(settings: Settings, log_level: str) -> str:
    """Prepare Prefect's environment; returns the server's API URL (required here)."""
    prepare_prefect_env(settings, log_level=log_level)
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise CliError(
            "未设置 PREFECT_API_URL，不知道连接哪个 Prefect 服务器",
            hint="请先启动 Prefect 服务器，并设置 PREFECT_API_URL=http://127.0.0.1:4200/api"
            "（见 README 的 Operations 一节）",
        )
    return str(url)


def _serve(args: argparse.Namespace) -> int:
    from nianbao.core.roster import RosterError
    from nianbao.io.roster_file import load_roster

    settings = settings_for(root=args.root, db_url=args.db_url)
    try:  # the folder may be mounted, and the roster made, later: runs refuse until then
        load_roster(require_root(settings))
    except (CliError, RosterError) as exc:
        print(f"注意：{exc}。运行前请改正（{exc.hint}）", flush=True)
    url = _connect(settings, "INFO")
    from prefect import serve

    from flows.deployment import NAME, REVIEW_NAME, build_deployment, build_review_deployment

    # only an explicit --db becomes a (UI-visible) parameter; NIANBAO_DB_URL stays in the env
    deployment = build_deployment(settings.root, args.db_url, args.debounce)
    review = build_review_deployment()
    serve_defaults(settings, args.db_url)  # runs started without root/db_url use these
    print(
        f"部署 {NAME} 已在 {url} 上线：每年1月每天08:00（北京时间）运行，"
        f"共享文件夹 {settings.root.resolve()}；审核表单为部署 {REVIEW_NAME}。按 Ctrl+C 停止。",
        flush=True,
    )
    serve(deployment, review, pause_on_shutdown=False, print_starting_message=False)
    return 0


class _Stop:
    """Set by SIGINT/SIGTERM so the watch loop ends after its current poll."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


def _watch(args: argparse.Namespace) -> int:
    from nianbao.io.guard import describe
    from nianbao.io.unit_feedback import QuickFeedback
    from nianbao.io.watch import (
        Pacer,
        StabilityTracker,
        feedback_event,
        file_stable_event,
        watch,
        zip_complete,
    )

    settings = settings_for(root=args.root, settle_seconds=args.settle)
    root = require_root(settings).resolve()
    if not settings.inbox.is_dir():
        raise CliError(f"共享文件夹中没有收件箱目录：{settings.inbox}")
    url = _connect(settings, "WARNING")

    def year() -> int:  # resolved per event, so a watcher running over New Year moves on
        return args.year if args.year is not None else datetime.date.today().year - 1

    from prefect.events import emit_event
    from prefect.events.worker import EventsWorker

    def send(files: list[str]) -> None:
        for rel in files:
            emit_event(**file_stable_event(root, year(), rel))
        sent = threading.Thread(target=EventsWorker.instance().wait_until_empty, daemon=True)
        sent.start()
        sent.join(timeout=30)
        verb = "未能确认已通知（30秒内未送达）" if sent.is_alive() else "已通知"
        for rel in files:
            print(f"{verb} Prefect：{rel}（{year()}年度）", flush=True)

    quick = QuickFeedback(settings.model_copy(update={"root": root}))
    try:
        quick.prepare(year())
    except Exception as exc:  # e.g. no roster yet: each file tries again
        print(f"注意：暂时无法生成反馈（{describe(exc)}），文件到达时将再试", flush=True)

    def on_stable(files: list[str]) -> None:
        for rel in files:
            print(f"文件已稳定：{rel}", flush=True)
        try:  # feedback first; any trouble leaves it to the consolidation that follows
            answers = quick.answer(year(), files)
        except Exception as exc:
            print(f"未能立即生成反馈（{describe(exc)}），将由随后的汇总运行生成", flush=True)
            return
        for answer in answers:
            emit_event(**feedback_event(root, year(), answer))
            print(_answered(root, answer), flush=True)

    stop = _Stop()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(
        f"开始监视 {settings.inbox}（{year()}年度，"
        f"文件写完即生成回执或退回修改文件，并通知 {url} 汇总）。按 Ctrl+C 停止。",
        flush=True,
    )
    pacer = Pacer(window=args.window)
    watch(
        settings.inbox,
        tracker=StabilityTracker(
            settle=settings.settle_seconds,
            complete=lambda relative: zip_complete(settings.inbox, relative),
        ),
        pacer=pacer,
        send=send,
        on_stable=on_stable,
        poll=args.poll,
        should_stop=lambda: stop.requested,
    )
    if pacer.held:
        print(f"尚有{len(pacer.held)}个文件未通知，将由下次运行（定时或手动）处理。", flush=True)
    print("已停止监视。", flush=True)
    return 0


def _answered(root: Path, answer: Answer) -> str:
    """One line per unit answered: its verdict and the feedback file (or why there is none)."""
    who = f"{answer.unit.name}（{answer.unit.code}）"
    if answer.feedback is not None:
        return f"已反馈 {who}：{answer.status.label}，{answer.feedback.relative_to(root)}"
    why = "；".join(f.message for f in answer.findings)
    if answer.sub is None and not why:
        return f"已检查 {who}：没有本年度的报表（其他年度的报表由该年度的汇总处理），未生成反馈"
    return f"未能为 {who} 生成反馈：{why or '见随后汇总运行的日志'}"
