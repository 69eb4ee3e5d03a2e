"""CLI commands of one cycle: spec, templates, run, demo (``totals`` is in ``data``)."""

from __future__ import annotations

import argparse
import json
import signal
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from nianbao.cli.common import (
    CliError,
    SubParsers,
    command,
    program,
    require_root,
    settings_for,
    shown_path,
    validation_message,
)
from nianbao.core.formats import format_for_year
from nianbao.io.faults import RunFault, RunTerminated
from nianbao.settings import Settings, prepare_prefect_env

if TYPE_CHECKING:
    from flows.params import CycleParams

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
        "--roster", type=Path, help="单位名单（.xlsx 或 .csv），默认为共享文件夹中的名单"
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
    demo.set_defaults(guide=True)  # where everything is, at the end


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
    from nianbao.io.db.read import read_stored_totals

    stored = read_stored_totals(settings.database_url, year - 1)
    return stored.units if stored else {}


def _templates(args: argparse.Namespace) -> int:
    from nianbao.io.roster_file import load_roster, read_roster
    from nianbao.io.templates import write_cycle_templates

    spec = format_for_year(args.year, args.fmt)
    settings = settings_for(root=args.root, db_url=args.db_url)
    roster = read_roster(args.roster) if args.roster else load_roster(require_root(settings))
    last = _last_year_units(settings, args.year)
    write_cycle_templates(spec, roster, args.year, args.out, last)
    print(f"已为{len(roster)}个单位生成{args.year}年度填报模板（{spec.label}）：{args.out}")
    if last:
        print(f"其中{len(last)}个单位已带入{args.year - 1}年度的结转数据")
    return 0


def _run_flow(settings: Settings, params: CycleParams) -> dict[str, Any]:
    """The flow run; a fault of the run (already logged by the flow) or a stop becomes a
    ``RunFault`` with one message."""
    prepare_prefect_env(settings, local_server=True)
    from prefect.exceptions import FailedRun, TerminationSignal
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.annual_cycle import annual_cycle

    stopped = f"{params.year}年度汇总被停止（收到停止信号 SIGTERM），未发布的输出不会发布"

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # Outside the flow; inside it Prefect's handler cleans up, then signals again.
        raise RunTerminated(stopped)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        # No heartbeats for a run the terminal waits on (the server's crash detection is for
        # deployment runs): joining their thread costs up to a second at the end of a run.
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            return cast(dict[str, Any], annual_cycle(params))  # a state only when failed
    except FailedRun as exc:
        raise RunFault(str(exc)) from None
    except TerminationSignal:
        raise RunTerminated(stopped) from None
    except KeyboardInterrupt:
        raise RunTerminated(f"{params.year}年度汇总被中断（Ctrl+C）", exit_code=130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_status(settings: Settings, year: int) -> None:
    """Each unit's outcome; with more than ``LISTED`` units, counts and the units that
    need attention (the rest are in status.xlsx)."""
    from nianbao.core.unit_status import CycleStatus

    out = settings.output_dir(year)
    status = CycleStatus.from_json(json.loads((out / "status.json").read_text(encoding="utf-8")))
    units = status.units
    shown = units
    if len(units) > LISTED:
        counts = Counter(u.label for u in units)
        print("  " + "，".join(f"{label}{n}个" for label, n in counts.items()))
        shown = tuple(u for u in units if u.needs_attention)[:LISTED]
    for unit in shown:
        print(f"  {unit.name:<8}{unit.label:<10}错误{unit.errors}条，提示{unit.warnings}条")
        for f in unit.findings:
            print(f"      [{f.code}] {f.message}")
            if f.explanation:
                print(f"          单位的说明：{f.explanation}")
    if len(shown) < len(units):
        print(f"  其余{len(units) - len(shown)}个单位的情况见 {out / 'status.xlsx'}")
    for f in status.findings:
        print(f"  [{f.code}] {f.message}")


def _preflight(settings: Settings, year: int, fmt: str | None) -> CycleParams:
    """What a user can get wrong, checked before Prefect (and its temporary server) starts:
    the year and format, the shared folder, the roster (a user error); then the database
    answers with a schema revision this version knows (a ``RunFault``)."""
    from flows.params import CycleParams
    from nianbao.io.db.migrate import check_database
    from nianbao.io.roster_file import load_roster

    format_for_year(year, fmt)
    try:
        params = CycleParams(year=year, root=str(settings.root), db_url=settings.db_url, format=fmt)
    except ValidationError as exc:
        raise CliError(
            validation_message(exc, CycleParams), hint="报告年度是报表所属的年份，如 2020"
        ) from None
    load_roster(require_root(settings))
    check_database(settings.database_url)
    return params


OUTPUT_LABELS = {
    "report": "报告初稿",
    "summary_xlsx": "各单位数据汇总表",
    "summary_csv": "各单位数据汇总表（CSV）",
    "status_book": "报送情况和催报名单",
    "status": "报送情况（JSON）",
    "totals": "汇总数（JSON）",
}


def _run(args: argparse.Namespace, list_outputs: bool = True) -> int:
    settings = settings_for(root=args.root, db_url=args.db_url)
    params = _preflight(settings, args.year, args.fmt)
    summary = _run_flow(settings, params)
    print(f"{args.year}年度汇总完成：名单{summary['roster']}个单位，接收{summary['accepted']}个。")
    _print_status(settings, args.year)
    outputs: dict[str, str] = summary["outputs"] if list_outputs else {}
    for name, path in outputs.items():
        print(f"  {OUTPUT_LABELS.get(name, name)}：{shown_path(Path(path))}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from nianbao.demo import seed
    from nianbao.demo.build import CYCLES, build_demo_root, drop_correction

    if args.year not in CYCLES:
        raise CliError(f"演示只有{'、'.join(str(y) for y in CYCLES)}年度的数据")
    root = args.root.resolve()
    settings = settings_for(root=root, db_url=args.db_url)
    last = _last_year_units(settings, args.year) if args.year > seed.YEAR else {}
    if args.year > seed.YEAR and not last:
        print(f"先运行{args.year - 1}年度的演示，以便带入上年结转数据")
        code = _demo(argparse.Namespace(**{**vars(args), "year": args.year - 1, "guide": False}))
        if code:
            return code
        last = _last_year_units(settings_for(root=root, db_url=args.db_url), args.year)
    inbox = build_demo_root(root, args.year, last)
    print(
        f"演示共享文件夹：{shown_path(root)}（{seed.REGION}，"
        f"{len(inbox.files)}个单位的{args.year}年度报表已放入收件箱）"
    )
    run = argparse.Namespace(year=args.year, fmt=None, root=root, db_url=args.db_url)
    fix = inbox.correction
    if fix is not None and not fix.target.exists():
        print("\n【第一轮汇总】")
        _run(run, list_outputs=False)
        for path in _rejections(root, fix.unit.code):
            print(f"\n{fix.unit.name}的报表被退回，退回修改文件：{shown_path(path)}")
        print("  （打开可看到标红的单元格、问题说明和修改建议）")
        drop_correction(fix)
        print(
            f"{fix.unit.name}改正后把新文件放入同一文件夹：{shown_path(fix.target)}"
            "（旧文件不用删除，以最新的为准）"
        )
        print("\n【第二轮汇总】")
    code = _run(run)
    if args.guide:
        _print_guide(root, args.year, fix.unit.code if fix else None)
    return code


def _rejections(root: Path, code: str) -> list[Path]:
    return sorted((root / "feedback" / code).glob("*退回修改.xlsx"))


def _print_guide(root: Path, year: int, rejected: str | None) -> None:
    """Where the demo left everything, and what to try next."""
    nb, at = program(), shown_path(root)
    out = root / "output" / str(year)
    print(f"\n演示完成。共享文件夹 {at} 中：")
    print(
        f"  汇总结果  {shown_path(out)}/：报告初稿 report.docx、汇总表.xlsx、报送情况 status.xlsx"
    )
    print(f"  反馈      {shown_path(root / 'feedback')}/<单位代码>/：各单位的回执或退回修改文件")
    for path in _rejections(root, rejected) if rejected else []:
        print(f"            其中退回修改文件：{shown_path(path)}")
    print(
        f"  收件箱    {shown_path(root / 'inbox')}/<单位代码>/：各单位报送的报表（原件不会被改动）"
    )
    print(f"  模板      {shown_path(root / 'templates' / str(year))}/：下发给各单位的填报模板")
    print("接下来可以试试：")
    tries = [
        (f"status --year {year}", "报送情况和催报名单"),
        (f"explain --year {year} s3_new_total", "一个汇总数来自哪些单位、哪个文件的哪个单元格"),
        (f"check-draft --year {year} {shown_path(out / 'report.docx')}", "核对修改后的初稿"),
        (f"run --year {year}", "重跑一次：输入不变，数据库不变"),
    ]
    from nianbao.demo.build import CYCLES

    if year + 1 in CYCLES:
        tries.append((f"demo --year {year + 1}", "下一年度：新一年的格式，带入上年结转"))
    else:
        tries.append((f"totals --year {year} --compare {year - 1}", "与上一年度对比增减"))
    for command_line, what in tries:
        print(f"  {nb} {command_line} --root {at}    # {what}")
