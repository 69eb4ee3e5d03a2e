"""CLI commands of one cycle: spec, templates, run, totals, demo."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nianbao.cli.common import CliError, SubParsers, command
from nianbao.core.formats import format_for_year
from nianbao.settings import Settings, load_settings, prepare_prefect_env


def register(sub: SubParsers) -> None:
    """Commands of one cycle: spec, templates, run, totals, demo."""
    spec = command(sub, "spec", "显示某报告年度的报表格式（单元格编号、官方标签、勾稽关系）", _spec)
    spec.add_argument("--year", type=int, required=True, help="报告年度")
    spec.add_argument("--format", dest="fmt", help="强制使用的格式版本")
    spec.add_argument("--json", action="store_true", help="以JSON输出（供脚本使用）")

    tpl = command(sub, "templates", "为名单中的每个单位生成填报模板", _templates)
    tpl.add_argument("--year", type=int, required=True, help="报告年度")
    tpl.add_argument("--roster", type=Path, required=True, help="单位名单CSV（code,name,kind）")
    tpl.add_argument("--out", type=Path, required=True, help="模板输出目录")
    tpl.add_argument("--format", dest="fmt", help="强制使用的格式版本")

    run = command(sub, "run", "汇总一个报告年度：校验收件箱中的报表，入库并生成报告初稿", _run)
    run.add_argument("--year", type=int, required=True, help="报告年度")
    run.add_argument("--root", type=Path, help="共享文件夹根目录")
    run.add_argument("--db", dest="db_url", help="数据库地址（默认 ROOT/nianbao.db）")
    run.add_argument("--format", dest="fmt", help="强制使用的格式版本")

    tot = command(sub, "totals", "从数据库读出某年度的汇总数", _totals)
    tot.add_argument("--year", type=int, required=True, help="报告年度")
    tot.add_argument("--root", type=Path, help="共享文件夹根目录")
    tot.add_argument("--db", dest="db_url", help="数据库地址")
    tot.add_argument("--json", action="store_true", help="以JSON输出")

    demo = command(sub, "demo", "演示：用绥芬河市2020年报告的数据走完一次完整汇总", _demo)
    demo.add_argument("--root", type=Path, default=Path("demo-root"), help="演示用的共享文件夹")
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


def _templates(args: argparse.Namespace) -> int:
    from nianbao.io.roster_file import read_roster
    from nianbao.io.template_writer import write_template

    spec = format_for_year(args.year, args.fmt)
    roster = read_roster(args.roster)
    args.out.mkdir(parents=True, exist_ok=True)
    for unit in roster:
        write_template(spec, unit, args.year, args.out / f"{unit.code}.xlsx")
    print(f"已为{len(roster)}个单位生成{args.year}年度填报模板：{args.out}")
    return 0


def _run_flow(settings: Settings, year: int, fmt: str | None) -> dict[str, Any]:
    prepare_prefect_env(settings)
    from flows.annual_cycle import annual_cycle
    from flows.params import CycleParams

    params = CycleParams(year=year, root=str(settings.root), db_url=settings.db_url, format=fmt)
    return annual_cycle(params)


def _print_status(settings: Settings, year: int) -> None:
    status = json.loads((settings.output_dir(year) / "status.json").read_text(encoding="utf-8"))
    for unit in status["units"]:
        errors = sum(f["severity"] == "error" for f in unit["findings"])
        warnings = len(unit["findings"]) - errors
        print(f"  {unit['name']:<8}{unit['status_label']:<10}错误{errors}条，提示{warnings}条")
        for f in unit["findings"]:
            print(f"      [{f['code']}] {f['message']}")
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


def _totals(args: argparse.Namespace) -> int:
    from nianbao.core.outputs import cells_json
    from nianbao.io.db.migrate import make_engine
    from nianbao.io.db.store import read_totals

    settings = load_settings(root=args.root, db_url=args.db_url)
    engine = make_engine(settings.database_url)
    try:
        doc = read_totals(engine, args.year)
    finally:
        engine.dispose()
    if doc is None:
        raise CliError(f"数据库中没有{args.year}年度的汇总数据，请先运行 nianbao run")
    spec = format_for_year(args.year, doc["format"])
    out = {
        "year": doc["year"],
        "format": doc["format"],
        "totals": cells_json(spec, doc["totals"]),
        "units": {code: cells_json(spec, vals) for code, vals in doc["units"].items()},
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for cell in spec.cells:
        print(f"{cell.id:<34}{out['totals'][cell.id]!s:>12}  {cell.label}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from nianbao.demo import seed
    from nianbao.demo.build import build_demo_root

    root = args.root.resolve()
    files = build_demo_root(root)
    print(f"演示共享文件夹：{root}（{len(files)}个单位的报表已放入收件箱）")
    args.year, args.fmt, args.root = seed.YEAR, None, root
    return _run(args)
