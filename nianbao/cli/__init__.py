"""Command-line interface: ``nianbao <command>``. User-facing text is Chinese.

Each module in ``COMMAND_MODULES`` registers its sub-commands; a command parses options,
builds the settings, calls one or two library functions and raises a user error
(``USER_ERRORS``) when the user must change something. ``main`` is the one place that turns
those into ``错误：…`` and ``提示：…`` lines with exit status 2, without a traceback.
"""

from __future__ import annotations

from nianbao.io import heap

# Before anything else is imported: with the interpreter's default schedule the collector
# ran ~430 times during the imports of `nianbao run` (Prefect, SQLAlchemy, pydantic), 0.17 s
# of its ~1.1 s; with the module's schedule 13 times (imports 1.16 -> 1.04 s, three runs each).
heap.for_large_heaps()

import argparse
import atexit
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from nianbao.cli.common import CliError
from nianbao.core.formats import FIRST_YEAR, FORMATS, UnknownFormatError
from nianbao.core.review import Refused
from nianbao.core.roster import RosterError
from nianbao.io.faults import RunFault

COMMAND_MODULES = (
    "nianbao.cli.cycle",
    "nianbao.cli.data",
    "nianbao.cli.ops",
    "nianbao.cli.board",
    "nianbao.cli.report",
    "nianbao.cli.upward",
    "nianbao.cli.review",
)

# Errors a user makes (a wrong year, folder, roster or setting): one line, exit status 2.
USER_ERRORS: tuple[type[Exception], ...] = (
    CliError,
    RosterError,
    UnknownFormatError,
    Refused,
)
# What to do, for errors that carry no ``hint`` of their own.
HINTS: dict[type[Exception], str] = {
    UnknownFormatError: f"报告年度从{FIRST_YEAR}年起；格式版本可选{'、'.join(FORMATS)}"
    "（nianbao spec --year 年度 显示某年度所用的格式）",
}

# argparse's own messages (Python 3.11+), in Chinese.
_ARGPARSE_WORDS: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"the following arguments are required: (.*)", lambda m: f"缺少必需的参数：{m[1]}"),
    (r"unrecognized arguments: (.*)", lambda m: f"不认识的参数：{m[1]}"),
    (
        r"argument 命令: invalid choice: '([^']*)' \(choose from (.*)\)",
        lambda m: f"没有命令“{m[1]}”，可用的命令：{_choices(m[2])}",
    ),
    (
        r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)",
        lambda m: f"参数 {m[1]} 不能为“{m[2]}”，可选：{_choices(m[3])}",
    ),
    (
        r"argument (\S+): invalid int value: '([^']*)'",
        lambda m: f"参数 {m[1]} 应为整数，实为“{m[2]}”",
    ),
    (
        r"argument (\S+): invalid float value: '([^']*)'",
        lambda m: f"参数 {m[1]} 应为数字，实为“{m[2]}”",
    ),
    (r"argument (\S+): expected one argument", lambda m: f"参数 {m[1]} 后面缺少取值"),
    (
        r"argument (\S+): not allowed with argument (\S+)",
        lambda m: f"参数 {m[1]} 和 {m[2]} 不能同时使用",
    ),
)


def _choices(listed: str) -> str:
    return "、".join(c.strip().strip("'") for c in listed.split(","))


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage line and errors in Chinese (exit status 2, as argparse's own)."""

    def format_usage(self) -> str:
        formatter = self._get_formatter()
        formatter.add_usage(
            self.usage, self._actions, self._mutually_exclusive_groups, prefix="用法："
        )
        return formatter.format_help()

    def error(self, message: str) -> NoReturn:
        for pattern, chinese in _ARGPARSE_WORDS:
            match = re.fullmatch(pattern, message)
            if match:
                message = chinese(match)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：{message}\n提示：用 {self.prog} --help 查看用法\n")


def parser() -> argparse.ArgumentParser:
    """The full argument parser, with every module's sub-commands."""
    p = ChineseArgumentParser(prog="nianbao", description="政府信息公开工作年度报告汇总工具")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def report_error(exc: Exception) -> None:
    """``错误：…`` and, when the error has one, ``提示：…`` on stderr."""
    print(f"错误：{exc}", file=sys.stderr)
    hint = getattr(exc, "hint", "") or HINTS.get(type(exc), "")
    if hint:
        print(f"提示：{hint}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nianbao`` console script."""
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except USER_ERRORS as exc:
        report_error(exc)
        return 2
    except RunFault as exc:  # the database, the disk, another run, a stop: not the user's input
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    return code


def _drain_prefect() -> None:
    """Send Prefect's queued logs and events while its temporary server still runs.

    Prefect drains these queues from threading's shutdown hooks, which the interpreter runs
    before the exit handlers (one of which stops the temporary server). ``entry`` skips the
    interpreter's teardown, so it drains them itself first; otherwise logging's exit handler
    flushes them to a stopped server ("--- Error logging to API ---").
    """
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)
    EventsWorker.drain_all(timeout=5)


def entry() -> None:
    """The console script: ``main()``, exit handlers, flushed output, then a prompt exit.

    The interpreter's own teardown is skipped: after a province-sized run it spends about a
    second freeing memory that the operating system reclaims anyway.
    """
    code = main()
    _drain_prefect()
    atexit._run_exitfuncs()  # logging flushes, Prefect's server and worker processes stop
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
