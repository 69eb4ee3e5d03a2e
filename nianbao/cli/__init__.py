"""Command-line interface: ``nianbao <command>``. User-facing text is Chinese.

Each module in ``COMMAND_MODULES`` registers its sub-commands; a command parses options,
builds the settings, calls one or two library functions and turns known errors into a clear
message with exit status 2.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
from collections.abc import Sequence

from nianbao.cli.common import CliError
from nianbao.core.formats import UnknownFormatError
from nianbao.core.roster import RosterError

COMMAND_MODULES = (
    "nianbao.cli.cycle",
    "nianbao.cli.data",
    "nianbao.cli.ops",
    "nianbao.cli.board",
    "nianbao.cli.report",
)


def parser() -> argparse.ArgumentParser:
    """The full argument parser, with every module's sub-commands."""
    p = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告汇总工具")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nianbao`` console script."""
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (CliError, RosterError, UnknownFormatError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return code


def entry() -> None:
    """The console script: ``main()``, exit handlers, flushed output, then a prompt exit.

    The interpreter's own teardown is skipped: after a province-sized run it spends about a
    second freeing memory that the operating system reclaims anyway.
    """
    code = main()
    atexit._run_exitfuncs()  # logging and Prefect flush, worker processes stop
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
