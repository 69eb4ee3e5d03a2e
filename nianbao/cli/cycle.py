"""CLI commands of one cycle: spec, templates, run, demo (``totals`` is in ``data``)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from nianbao.cli.common import CliError, SubParsers, command
from nianbao.core.formats import format_for_year
from nianbao.settings import Settings, load_settings, prepare_prefect_env

LISTED = 30  # units listed one by one after a run; beyond, those needing attention


def register(sub: SubParsers) -> None:
    """Commands of one cycle: spec, templates, run, demo."""
    spec = command(sub, "spec", "显示某报告年度的报表格式（单元格编号、官方标签、勾稽关系）", _spec)
    spec.add_argument("--year", type=int, required=True, help="报告年度")
    spec.add_argument("--format", dest="fmt", help="强制使用的格式版本")
    spec.add_argument("--json", action="store_true", help="以JSON输出（供脚本使用）")

    tpl = command(sub, "templates", "为名单中的每个单位生成填报模板", _templates)
    tpl.add_argument("--year", type=int, required=True, help="报告年度")
    tpl.add_argument(
        "--roster", type=Path, help="单位名单CSV（code,name,kind），默认 ROOT/roster.csv"
    )
    tpl.add_argument("--out", type=Path, required=True, help="模板输出目录")
    tpl.add_argument("--format", dest="fmt", help="强制使用的格式版本")
    tpl.add_argument("--root", type=Path, help="共享文件夹根目录（用其数据库带入上年数据）")
    tpl.add_argument("--db", dest="db_url", help="数据库地址（带入上年数据）")

    run = command(sub, "run", "汇总一个报告年度：校验收件箱中的报表，入库并生成报告初稿", _run)
    run.add_argument("--year", type=int, required=True, help="报告年度")
    run.add_argument("--root", type=Path, help="共享文件夹根目录")
    run.add_argument("--db", dest="db_url", help="数据库地址（默认 ROOT/nianbao.db）")
    run.add_argument("--format", dest="fmt", help="强制使用的格式版本")

    demo = command(sub, "demo", "演示：用绥芬河市2020年报告的数据走完一次完整汇总", _demo)
    demo.add_argument("--root", type=Path, default=Path("demo-root"), help="演示用的共享文件夹")
    demo.add_argument("--year", type=int, default=2020, help="演示年度：2020（2019年版格式）或2021")
    demo.add_argument("--db", dest="db_url", help="数据库地址")


def _spec(args: argparse.Namespace) -> int:
    spec = format_for_year(args.year, args.fmt)
    if args.json:
        print(json.dumps(spec.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"{args.year}年度使用《{spec.title}》（{spec.notice}）")
    for table in spec.tables:
        cells = [c for c in spec.cells if c.table == table.key]
        derived = sum(c.kind == "derived" for c in cells)
        print(f"  {table.title}：{len(cells)}个数据单元格（其中{derived}个总计由公式计算）")
    for rule in spec.rules:
        print(f"  勾稽关系 {rule.id}：{rule.title}")
    return 0


def _last_year_units(settings: Settings, year: int) -> dict[str, Any]:
    """Last year's accepted figures per unit, when a database holds them."""
    from nianbao.io.db.store import read_stored_totals

    doc = read_stored_totals(settings.database_url, year - 1)
    return doc["units"] if doc else {}


def _templates(args: argparse.Namespace) -> int:
    from nianbao.io.roster_file import read_roster
    from nianbao.io.templates import write_cycle_templates

    spec = format_for_year(args.year, args.fmt)
    settings = load_settings(root=args.root, db_url=args.db_url)
    roster = read_roster(args.roster or settings.roster_path)
    last = _last_year_units(settings, args.year)
    write_cycle_templates(spec, roster, args.year, args.out, last)
    print(f"已为{len(roster)}个单位生成{args.year}年度填报模板（{spec.label}）：{args.out}")
    if last:
        print(f"其中{len(last)}个单位已带入{args.year - 1}年度的结转数据")
    return 0


def _run_flow(settings: Settings, year: int, fmt: str | None) -> dict[str, Any]:
    prepare_prefect_env(settings)
    from flows.annual_cycle import annual_cycle
    from flows.params import CycleParams

    params = CycleParams(year=year, root=str(settings.root), db_url=settings.db_url, format=fmt)
    return annual_cycle(params)


def _print_status(settings: Settings, year: int) -> None:
    """Each unit's outcome; with more than ``LISTED`` units, counts and the units that
    need attention (the rest are in status.xlsx)."""
    out = settings.output_dir(year)
    status = json.loads((out / "status.json").read_text(encoding="utf-8"))
    units = status["units"]
    shown = units
    if len(units) > LISTED:
        counts = Counter(u["status_label"] for u in units)
        print("  " + "，".join(f"{label}{n}个" for label, n in counts.items()))
        attention = [u for u in units if u["findings"] or u["status"] != "accepted"]
        shown = attention[:LISTED]
    for unit in shown:
        errors = sum(f["severity"] == "error" for f in unit["findings"])
        warnings = len(unit["findings"]) - errors
        print(f"  {unit['name']:<8}{unit['status_label']:<10}错误{errors}条，提示{warnings}条")
        for f in unit["findings"]:
            print(f"      [{f['code']}] {f['message']}")
    if len(shown) < len(units):
        print(f"  其余{len(units) - len(shown)}个单位的情况见 {out / 'status.xlsx'}")
    for f in status["findings"]:
        print(f"  [{f['code']}] {f['message']}")


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(root=args.root, db_url=args.db_url)
    if not settings.roster_path.is_file():
        raise CliError(f"共享文件夹中没有单位名单：{settings.roster_path}")
    summary = _run_flow(settings, args.year, args.fmt)
    print(f"{args.year}年度汇总完成：名单{summary['roster']}个单位，接收{summary['accepted']}个。")
    _print_status(settings, args.year)
    outputs: dict[str, str] = summary["outputs"]
    for name, path in outputs.items():
        print(f"  {name}: {path}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from nianbao.demo import seed
    from nianbao.demo.build import CYCLES, build_demo_root

    if args.year not in CYCLES:
        raise CliError(f"演示只有{'、'.join(str(y) for y in CYCLES)}年度的数据")
    root = args.root.resolve()
    settings = load_settings(root=root, db_url=args.db_url)
    last = _last_year_units(settings, args.year) if args.year > seed.YEAR else {}
    if args.year > seed.YEAR and not last:
        print(f"先运行{args.year - 1}年度的演示，以便带入上年结转数据")
        code = _demo(argparse.Namespace(**{**vars(args), "year": args.year - 1}))
        if code:
            return code
        last = _last_year_units(load_settings(root=root, db_url=args.db_url), args.year)
    files = build_demo_root(root, args.year, last)
    print(f"演示共享文件夹：{root}（{len(files)}个单位的{args.year}年度报表已放入收件箱）")
    return _run(argparse.Namespace(year=args.year, fmt=None, root=root, db_url=args.db_url))
