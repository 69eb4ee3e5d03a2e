"""CLI: ``nianbao status`` (completeness board and 催报名单) and ``nianbao findings-doc``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from nianbao.cli.common import CliError, SubParsers, command, require_root, settings_for
from nianbao.core.board import CHASE_COLUMNS, BoardCell, board_header, board_table, chase_list
from nianbao.core.catalogue_doc import catalogue_markdown
from nianbao.core.unit_status import CycleStatus
from nianbao.io.atomic import atomic_write_text


def register(sub: SubParsers) -> None:
    """Commands about who has sent what."""
    st = command(sub, "status", "显示各单位报送情况和催报名单，并写出 status.xlsx", _status)
    st.add_argument("--year", type=int, required=True, help="报告年度")
    st.add_argument("--root", type=Path, help="共享文件夹根目录")
    st.add_argument("--json", action="store_true", help="以JSON输出 status.json 的内容")
    doc = command(sub, "findings-doc", "输出校验问题目录（Markdown，docs/findings.md）", _doc)
    doc.add_argument("--out", type=Path, help="写入文件；默认输出到屏幕")


def _print_table(header: Sequence[str], rows: Sequence[Sequence[BoardCell]]) -> None:
    print("  ".join(header))
    for row in rows:
        print("  ".join(_text(v) for v in row))


def _text(value: BoardCell) -> str:
    """A board cell as printed: times in local time (the header names the zone)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)


def _status(args: argparse.Namespace) -> int:
    from nianbao.io.status_book import write_status_book

    settings = settings_for(root=args.root)
    require_root(settings)
    path = settings.output_dir(args.year) / "status.json"
    if not path.is_file():
        raise CliError(f"还没有{args.year}年度的汇总结果（{path}），请先运行 nianbao run")
    doc = json.loads(path.read_text(encoding="utf-8"))
    status = CycleStatus.from_json(doc)
    tz = settings.timezone
    write_status_book(status, path.with_name("status.xlsx"), tz)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.year}年度报送情况（共{len(status.units)}个单位）")
    _print_table(board_header(tz), board_table(status, tz))
    chase = chase_list(status)
    print(f"\n催报名单（{len(chase)}个单位）")
    _print_table(CHASE_COLUMNS, chase)
    print(f"\n已写出：{path.with_name('status.xlsx')}")
    return 0


def _doc(args: argparse.Namespace) -> int:
    text = catalogue_markdown()
    if args.out:
        atomic_write_text(args.out, text)
    else:
        print(text, end="")
    return 0
