"""CLI command for sending totals upward (上报): ``export-upward``."""

from __future__ import annotations

import argparse
from pathlib import Path

from nianbao.cli.common import CliError, SubParsers, command, settings_for, shown_path


def register(sub: SubParsers) -> None:
    """The ``export-upward`` command."""
    up = command(
        sub,
        "export-upward",
        "把本级某年度的汇总数填入上级下发的模板（附下级单位明细），作为向上级报送的报表",
        _export_upward,
    )
    up.add_argument("--year", type=int, required=True, help="报告年度")
    up.add_argument("--template", type=Path, required=True, help="上级下发给本级的模板（.xlsx）")
    up.add_argument("--out", type=Path, required=True, help="要生成的报表文件（.xlsx）")
    up.add_argument("--root", type=Path, help="共享文件夹根目录")
    up.add_argument("--db", dest="db_url", help="数据库地址（默认 ROOT/nianbao.db）")


def _export_upward(args: argparse.Namespace) -> int:
    from nianbao.io.upward import UpwardError, export_upward, finalized_version

    settings = settings_for(root=args.root, db_url=args.db_url)
    if args.out.suffix.lower() != ".xlsx":
        raise CliError(f"输出文件 {args.out} 应以 .xlsx 结尾", hint="如 --out 上报-2020.xlsx")
    try:
        out = export_upward(settings, args.year, args.template, args.out)
    except UpwardError as exc:
        raise CliError(str(exc), hint=exc.hint) from None
    print(f"已生成向上级报送的{args.year}年度报表：{shown_path(out)}")
    if finalized_version(settings, args.year) is None:
        print("注意：本年度数据尚未定稿，报表各工作表均注明“本表为未定稿数据”。")
    return 0
