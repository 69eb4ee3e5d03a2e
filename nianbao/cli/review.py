"""CLI commands of the office's review: review (decide on a unit, or list those awaiting
review), finalize, reopen, history, diff between finalized versions."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nianbao.cli.common import CliError, SubParsers, command, require_root, settings_for
from nianbao.core.clock import shown
from nianbao.core.review import Action, Case
from nianbao.settings import Settings

WHO = "审核人姓名（必填；本工具没有登录，每项决定都记下是谁做的）"


def register(sub: SubParsers) -> None:
    """Commands of the review: review, finalize, reopen, history, diff."""
    rev = command(
        sub,
        "review",
        "审核单位报表：审核通过、退回（写明审核意见）、免报、认可提示说明；或列出待审核的单位",
        _review,
    )
    rev.add_argument("--year", type=int, required=True, help="报告年度")
    rev.add_argument("--unit", help="单位代码")
    what = rev.add_mutually_exclusive_group(required=True)
    what.add_argument("--approve", action="store_true", help="审核通过当前报表")
    what.add_argument("--return", dest="return_reason", metavar="理由", help="退回，写明审核意见")
    what.add_argument("--excuse", metavar="理由", help="免报（如单位已合并），写明理由")
    what.add_argument(
        "--accept-warning", metavar="规则代码", help="认可某条提示的说明（如 yoy-jump）"
    )
    what.add_argument("--list", action="store_true", help="列出待审核的单位及其提示")
    rev.add_argument("--by", dest="actor", help=WHO)
    _where(rev)

    fin = command(
        sub,
        "finalize",
        "定稿：把本年度的汇总数、各单位数据、报告初稿和导出文件固定为新的版本并锁定",
        _finalize,
    )
    fin.add_argument("--year", type=int, required=True, help="报告年度")
    fin.add_argument("--by", dest="actor", required=True, help=WHO)
    fin.add_argument("--reason", default="", help="说明（可选），如“第一次公开”")
    fin.add_argument(
        "--excuse",
        action="append",
        default=[],
        metavar="单位代码",
        help="定稿时免报的单位（可重复）",
    )
    fin.add_argument(
        "--excuse-reason", default="", metavar="理由", help="免报理由（用 --excuse 时必填）"
    )
    _where(fin)

    reo = command(
        sub, "reopen", "重新打开已定稿的年度（或其中一个单位），下次汇总时重新计入", _reopen
    )
    reo.add_argument("--year", type=int, required=True, help="报告年度")
    reo.add_argument("--unit", help="只重新打开这个单位（单位代码）；不填则重新打开整个年度")
    reo.add_argument("--reason", required=True, help="理由")
    reo.add_argument("--by", dest="actor", required=True, help=WHO)
    _where(reo)

    his = command(
        sub, "history", "审核日志：每次收到报表、校验结果和审核决定（谁、何时、为何）", _history
    )
    his.add_argument("--year", type=int, required=True, help="报告年度")
    his.add_argument("--unit", help="只看这个单位（单位代码）")
    his.add_argument("--json", action="store_true", help="以JSON输出")
    _where(his)

    dif = command(sub, "diff", "两个定稿版本之间变化的单元格（用于发布更正）", _diff)
    dif.add_argument("--year", type=int, required=True, help="报告年度")
    dif.add_argument("--from", dest="old", type=int, required=True, help="原版本号")
    dif.add_argument("--to", dest="new", type=int, required=True, help="新版本号")
    dif.add_argument("--json", action="store_true", help="以JSON输出")
    _where(dif)


def _where(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, help="共享文件夹根目录")
    p.add_argument("--db", dest="db_url", help="数据库地址（默认 ROOT/nianbao.db）")


def _settings(args: argparse.Namespace) -> Settings:
    settings = settings_for(root=args.root, db_url=args.db_url)
    require_root(settings)
    return settings


def _review(args: argparse.Namespace) -> int:
    from nianbao.io.review_desk import review_unit

    settings = _settings(args)
    if args.list:
        return _list(settings, args.year)
    if not args.unit:
        raise CliError("请用 --unit 指定单位代码")
    if not (args.actor or "").strip():
        raise CliError("请用 --by 写明审核人", hint="本工具没有登录，每项决定都记下审核人的姓名")
    if args.approve:
        action, reason, finding = Action.APPROVE, "", ""
    elif args.return_reason is not None:
        action, reason, finding = Action.RETURN, args.return_reason, ""
    elif args.excuse is not None:
        action, reason, finding = Action.EXCUSE, args.excuse, ""
    else:
        action, reason, finding = Action.ACCEPT_WARNING, "", args.accept_warning
    event, written = review_unit(
        settings, args.year, args.unit, action, args.actor, reason, finding
    )
    what = f"“{event.finding}”" if event.finding else ""
    when = shown(event.at, settings.timezone)
    print(f"已记录：{args.year}年度 {event.unit} {action.label}{what}（{event.actor}，{when}）")
    if written is not None:
        print(f"已写入单位反馈：{written}")
    return 0


def _list(settings: Settings, year: int) -> int:
    """The units awaiting review now (the database's decisions), the most suspicious first
    (their plausibility warnings, from the last run's status.json)."""

    from nianbao.core.review import awaiting_review
    from nianbao.core.review_list import awaits_review, review_list, review_text
    from nianbao.core.unit_status import CycleStatus, UnitStatus
    from nianbao.io.db.read import existing_database
    from nianbao.io.db.review import cases, ledger

    pending: list[Case] | None = None  # without a database: the states status.json shows
    with existing_database(settings.database_url) as engine:
        if engine is not None:
            with engine.connect() as conn:
                pending = awaiting_review(ledger(conn, year), cases(conn, year))
    path = settings.output_dir(year) / "status.json"
    if not path.is_file():
        if pending is None:
            raise CliError(f"还没有{year}年度的汇总结果（{path}），请先运行 nianbao run")
        return _plain_list(year, pending)  # no run's status to rank by
    status = CycleStatus.from_json(json.loads(path.read_text(encoding="utf-8")))
    codes = None if pending is None else {c.unit for c in pending}

    def awaiting(unit: UnitStatus) -> bool:
        return awaits_review(unit) if codes is None else unit.code in codes

    print(review_text(status, review_list(status, awaiting)), end="")
    return 0


def _plain_list(year: int, found: list[Case]) -> int:
    if not found:
        print(f"{year}年度没有待审核的单位")
        return 0
    print(f"{year}年度待审核的单位（共{len(found)}个，提示多的在前）：")
    for case in found:
        codes = "、".join(sorted(case.warnings)) or "无提示"
        print(f"  {case.name}（{case.unit}）：{len(case.warnings)}类提示 {codes}")
    return 0


def _finalize(args: argparse.Namespace) -> int:
    from nianbao.io.review_desk import finalize_year

    settings = _settings(args)
    if args.excuse and not args.excuse_reason.strip():
        raise CliError("用 --excuse 免报单位时，请用 --excuse-reason 写明理由")
    excuse = {code: args.excuse_reason for code in args.excuse}
    done = finalize_year(settings, args.year, args.actor, args.reason, excuse)
    print(f"{args.year}年度已定稿为第{done.number}版并锁定；已发布的文件已复制到 {done.folder}")
    print(
        "此后收到的报表只发回执、列入报送情况，不改变汇总；如需更正，请用 nianbao reopen 重新打开"
    )
    return 0


def _reopen(args: argparse.Namespace) -> int:
    from nianbao.io.review_desk import reopen_year

    settings = _settings(args)
    event = reopen_year(settings, args.year, args.actor, args.reason, args.unit)
    what = f"单位 {event.unit}" if event.unit else "整个年度"
    print(
        f"已重新打开{args.year}年度的{what}（审核人：{event.actor}）；下次汇总时重新计入，定稿后成为新的版本"
    )
    return 0


def _history(args: argparse.Namespace) -> int:
    from nianbao.io.db.read import existing_database
    from nianbao.io.review_desk import history

    settings = settings_for(root=args.root, db_url=args.db_url)
    tz = settings.timezone
    with existing_database(settings.database_url) as engine:
        found = [] if engine is None else history(engine, args.year, args.unit)
    rows = [_event_doc(e, tz) for e in found]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"{args.year}年度还没有审核日志")
        return 0
    for r in rows:
        extra = "".join(f" {k}={r[k]}" for k in ("finding", "version") if r[k])
        sha = f" 文件{r['sha256'][:12]}" if r["sha256"] else ""
        unit = r["unit"] or "（年度）"
        reason = f"：{r['reason']}" if r["reason"] else ""
        print(f"{r['time']}  {unit}  {r['label']}{reason}  [{r['actor']}]{sha}{extra}")
    return 0


def _event_doc(e: Any, tz: str) -> dict[str, Any]:
    return {
        "time": shown(e.at, tz),
        "action": e.action.value,
        "label": e.action.label,
        "unit": e.unit,
        "actor": e.actor,
        "reason": e.reason,
        "sha256": e.sha256,
        "finding": e.finding,
        "version": e.version,
    }


def _diff(args: argparse.Namespace) -> int:
    from nianbao.core.formats import FORMATS
    from nianbao.core.numbers import fmt
    from nianbao.core.version_diff import diff_figures
    from nianbao.io.db.read import existing_database
    from nianbao.io.review_desk import version

    settings = settings_for(root=args.root, db_url=args.db_url)
    with existing_database(settings.database_url) as engine:
        if engine is None:
            raise CliError(f"数据库中没有{args.year}年度的定稿版本")
        old, new = version(engine, args.year, args.old), version(engine, args.year, args.new)
    spec = FORMATS[new.figures.format]
    names = {code: name for code, (name, _, _) in {**old.units, **new.units}.items()}
    changes = diff_figures(
        spec,
        {"": old.figures.totals, **old.figures.units},
        {"": new.figures.totals, **new.figures.units},
        names,
    )
    if args.json:
        docs = [{**c._asdict(), "old": str(c.old), "new": str(c.new)} for c in changes]
        print(json.dumps(docs, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.year}年度第{args.old}版 → 第{args.new}版：{len(changes)}个单元格有变化")
    for c in changes:
        print(f"  {c.name}  {c.table} / {c.label}（{c.cell_id}）：{fmt(c.old)} → {fmt(c.new)}")
    return 0
