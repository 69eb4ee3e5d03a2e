"""CLI: ``nianbao review-list`` (units awaiting review, the most suspicious first)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nianbao.cli.common import CliError, SubParsers, command, require_root, settings_for
from nianbao.core.review_list import review_list, review_text
from nianbao.core.unit_status import CycleStatus


def register(sub: SubParsers) -> None:
    """The review list."""
    p = command(
        sub,
        "review-list",
        "列出待审核的单位，可疑提示（与上年、与同类单位相比异常等）最严重的排在前面",
        _review_list,
    )
    p.add_argument("--year", type=int, required=True, help="报告年度")
    p.add_argument("--root", type=Path, help="共享文件夹根目录")


def _review_list(args: argparse.Namespace) -> int:
    settings = settings_for(root=args.root)
    require_root(settings)
    path = settings.output_dir(args.year) / "status.json"
    if not path.is_file():
        raise CliError(f"还没有{args.year}年度的汇总结果（{path}），请先运行 nianbao run")
    status = CycleStatus.from_json(json.loads(path.read_text(encoding="utf-8")))
    print(review_text(status, review_list(status)), end="")
    return 0
