"""CLI commands on stored data: totals (and 同比 with ``--compare``), explain, db upgrade."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.cli.common import CliError, SubParsers, command, settings_for
from nianbao.core.clock import iso_local, shown
from nianbao.core.formats import FORMATS, format_for_year
from nianbao.core.layout import locate
from nianbao.core.model import Status
from nianbao.core.numbers import fmt
from nianbao.core.spec import FormatSpec

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from nianbao.core.compare import Change
    from nianbao.io.db.lineage import Lineage
    from nianbao.io.db.read import StoredTotals
    from nianbao.settings import Settings


def register(sub: SubParsers) -> None:
    """Commands on stored data: totals, explain, db upgrade."""
    tot = command(sub, "totals", "从数据库读出某年度的汇总数（可与另一年度对比增减）", _totals)
    tot.add_argument("--year", type=int, required=True, help="报告年度")
    tot.add_argument("--compare", type=int, metavar="YEAR", help="对比年度，如上一年度")
    tot.add_argument("--group", metavar="CODE", help="只看这个分组（单位名单中的分组代码）的合计")
    tot.add_argument("--version", type=int, metavar="N", help="读取第N版定稿（nianbao finalize）")
    _db_options(tot)
    tot.add_argument("--json", action="store_true", help="以JSON输出")

    exp = command(
        sub,
        "explain",
        "说明一个汇总数的来源：各单位数值、报送文件、SHA-256、接收时间、工作簿中的单元格",
        _explain,
    )
    exp.add_argument("--year", type=int, required=True, help="报告年度")
    exp.add_argument("cell_id", metavar="CELL_ID", help="单元格编号，如 s3_new_total")
    exp.add_argument("--unit", help="只看这个单位（单位代码）")
    _db_options(exp)
    exp.add_argument("--json", action="store_true", help="以JSON输出")

    db = sub.add_parser("db", help="数据库管理", description="数据库管理")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="操作")
    up = command(db_sub, "upgrade", "把数据库结构升级到最新版本（Alembic迁移）", _db_upgrade)
    where = up.add_mutually_exclusive_group()
    where.add_argument("--db", dest="db_url", help="数据库地址")
    where.add_argument("--root", type=Path, help="共享文件夹根目录（数据库为 ROOT/nianbao.db）")


def _db_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, help="共享文件夹根目录")
    p.add_argument("--db", dest="db_url", help="数据库地址（默认 ROOT/nianbao.db）")


@contextmanager
def _reading(args: argparse.Namespace) -> Iterator[Engine]:
    """An engine on the configured database; database errors become a Chinese message."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from nianbao.io.db.errors import shown_url
    from nianbao.io.db.migrate import make_engine

    url = settings_for(root=args.root, db_url=args.db_url).database_url
    parsed = make_url(url)
    database = parsed.database or ""
    local = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and local and not Path(database).is_file():
        raise CliError(f"数据库文件不存在：{database}（请先运行 nianbao run）")
    engine = make_engine(parsed)
    try:
        yield engine
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise CliError(
            f"读取数据库失败（{shown_url(url)}）：{reason}。"
            "如数据库尚未建立或版本较旧，请先运行 nianbao db upgrade"
        ) from exc
    finally:
        engine.dispose()


def _no_year(year: int) -> CliError:
    return CliError(f"数据库中没有{year}年度的汇总数据，请先运行 nianbao run")


# --- db upgrade ---------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace) -> int:
    from nianbao.io.db.errors import shown_url
    from nianbao.io.db.migrate import head_revision, upgrade

    url = settings_for(root=args.root, db_url=args.db_url).database_url
    before = upgrade(url)
    head = head_revision()
    if before == head:
        print(f"数据库已是最新版本（{head}）：{shown_url(url)}")
    else:
        origin = f"原版本 {before}" if before else "原为空数据库"
        print(f"数据库已升级到最新版本 {head}（{origin}）：{shown_url(url)}")
    return 0


# --- totals ---------------------------------------------------------------------------


def _read_year(engine: Engine, year: int) -> tuple[StoredTotals, FormatSpec]:
    from nianbao.io.db.read import read_totals

    stored = read_totals(engine, year)
    if stored is None:
        raise _no_year(year)
    return stored, format_for_year(year, stored.format)


def _totals(args: argparse.Namespace) -> int:
    from nianbao.core.outputs import cells_json

    if args.group is not None:
        if args.compare is not None:
            raise CliError("--group 和 --compare 不能同时使用")
        return _group_totals(args)
    with _reading(args) as engine:
        if args.version is not None:
            from nianbao.io.review_desk import version

            stored = version(engine, args.year, args.version).figures
            spec = format_for_year(args.year, stored.format)
        else:
            stored, spec = _read_year(engine, args.year)
        last = _read_year(engine, args.compare) if args.compare is not None else None
    if last is not None:
        return _print_compare(args, stored, spec, *last)
    totals = cells_json(spec, stored.totals)
    if args.json:
        out = {
            "year": stored.year,
            "format": stored.format,
            "totals": totals,
            "units": {code: cells_json(spec, vals) for code, vals in stored.units.items()},
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for cell in spec.cells:
        print(f"{cell.id:<34}{totals[cell.id]!s:>12}  {cell.label}")
    return 0


def _group_totals(args: argparse.Namespace) -> int:
    """One group's totals, with the units (and subgroups) directly under it."""
    from nianbao.core.outputs import cells_json
    from nianbao.io.db.groups import read_groups

    with _reading(args) as engine:
        stored, spec = _read_year(engine, args.year)
        groups = read_groups(engine, args.year)
    names = {g.code: g for g in groups.tree.groups} if groups else {}
    group = names.get(args.group)
    if groups is None or group is None:
        known = "、".join(names) or "（该年度的单位名单中没有分组）"
        raise CliError(f"{args.year}年度没有分组“{args.group}”；分组有：{known}")
    totals = cells_json(spec, groups.totals[group.code])
    below = groups.tree.leaves()[group.code]
    if args.json:
        out = {
            "year": stored.year,
            "format": stored.format,
            "group": group.code,
            "name": group.name,
            "parent": group.parent,
            "units": list(below),
            "accepted": [c for c in below if c in stored.units],
            "totals": totals,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    taken = sum(c in stored.units for c in below)
    print(
        f"{stored.year}年度 {group.name}（{group.code}）合计：已接收{taken}个，共{len(below)}个单位"
    )
    for cell in spec.cells:
        print(f"{cell.id:<34}{totals[cell.id]!s:>12}  {cell.label}")
    return 0


def _change_json(c: Change) -> dict[str, Any]:
    from nianbao.core.outputs import json_value

    def num(v: Any) -> int | float | None:
        return None if v is None else json_value(v, c.type)

    return {
        "id": c.cell_id,
        "label": c.label,
        "this": num(c.this),
        "last": num(c.last),
        "change": num(c.delta),
        "change_percent": None if c.percent is None else float(c.percent),
        "comparable": c.comparable,
        "phrase": c.phrase(),
    }


def _print_compare(
    args: argparse.Namespace,
    stored: StoredTotals,
    spec: FormatSpec,
    last: StoredTotals,
    last_spec: FormatSpec,
) -> int:
    from nianbao.core.compare import compare_totals

    changes = compare_totals(spec, stored.totals, last.totals, last_spec)
    if args.json:
        out = {
            "year": stored.year,
            "format": stored.format,
            "compare_year": last.year,
            "compare_format": last.format,
            "cells": [_change_json(c) for c in changes],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0

    def show(v: Any) -> str:
        return "—" if v is None else fmt(v)

    this_y, last_y = stored.year, last.year
    print(f"{this_y}年度（{spec.id}年版）与{last_y}年度（{last_spec.id}年版）汇总数对比")
    print(f"{'单元格编号':<29}{this_y:>10}{last_y:>10}{'增减':>8}  项目")
    for c in changes:
        print(f"{c.cell_id:<34}{show(c.this):>10}{show(c.last):>10}{_delta_text(c):>10}  {c.label}")
    apart = sum(not c.comparable for c in changes)
    if apart:
        print(f"共{apart}个单元格不可比（只在一种格式中出现，或缺少数值）")
    return 0


def _delta_text(c: Change) -> str:
    if c.delta is None:
        return "不可比"
    if c.delta == 0:
        return "0"
    return ("+" if c.delta > 0 else "-") + fmt(abs(c.delta))


# --- explain ------------------------------------------------------------------------


def _explain(args: argparse.Namespace) -> int:
    from nianbao.io.db.lineage import explain_total, stored_format

    settings = settings_for(root=args.root, db_url=args.db_url)
    tz = settings.timezone
    with _reading(args) as engine:
        format_id = stored_format(engine, args.year)
        if format_id is None:
            raise _no_year(args.year)
        spec = format_for_year(args.year, format_id)
        if args.cell_id not in spec.cell:
            raise CliError(
                f"{spec.id}年版格式中没有单元格编号“{args.cell_id}”"
                f"（可用 nianbao spec --year {args.year} 查看）"
            )
        lineage = explain_total(engine, args.year, args.cell_id, args.unit)
    if lineage is None:
        raise CliError(f"数据库中没有{args.year}年度“{args.cell_id}”的汇总数")
    doc = _lineage_doc(spec, lineage, tz)
    _add_breakdowns(doc, settings, spec)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _print_lineage(doc, args.unit, tz)
    return 0


def _add_breakdowns(doc: dict[str, Any], settings: Settings, spec: FormatSpec) -> None:
    """A source that is a lower office's return (上报) gets ``breakdown``: its units' values
    of the cell, from the 下级单位明细 of the archived original."""
    from nianbao.core.outputs import json_value
    from nianbao.io.upward import archived_breakdown

    cell = spec.cell[doc["cell_id"]]
    for source in doc["sources"]:
        lines = archived_breakdown(settings, spec, source["sha256"], source["file"])
        if lines:
            source["breakdown"] = [
                {
                    "unit": line.code,
                    "unit_name": line.name,
                    "value": json_value(line.values[cell.id], cell.type),
                    "sha256": line.sha256,
                    "version": line.version,
                }
                for line in lines
            ]


def _where(spec: FormatSpec, cell_id: str) -> dict[str, str]:
    sheet, ref = locate(spec, cell_id)
    return {"sheet": sheet, "cell": ref}


def _lineage_doc(spec: FormatSpec, lin: Lineage, tz: str) -> dict[str, Any]:
    """The chain of a total as a JSON document (sheet/cell from the layout when not stored;
    times in the office's time zone ``tz``, with the offset)."""
    from nianbao.core.outputs import json_value

    cell = spec.cell[lin.cell_id]
    definition = spec.definitions.get(lin.cell_id)
    sources = []
    for s in lin.sources:
        where: dict[str, str | None] = {"sheet": s.sheet, "cell": s.cell}
        layout_spec = FORMATS.get(s.format)
        if (s.sheet is None or s.cell is None) and layout_spec and lin.cell_id in layout_spec.cell:
            where = {**_where(layout_spec, lin.cell_id)}
        sources.append(
            {
                "unit": s.unit,
                "unit_name": s.unit_name,
                "value": json_value(s.value, cell.type),
                "submission_id": s.submission_id,
                "file": s.file,
                "sha256": s.sha256,
                "received_at": iso_local(s.received_at, tz),
                "status": s.status,
                "status_label": Status(s.status).label,
                **where,
            }
        )
    return {
        "year": lin.year,
        "format": lin.format,
        "cell_id": lin.cell_id,
        "label": cell.label,
        "table": spec.table(cell.table).title,
        **_where(spec, lin.cell_id),
        "kind": cell.kind.value,
        "value_unit": cell.unit,
        "total": json_value(lin.total, cell.type),
        "sum": json_value(lin.sum, cell.type),
        "derived_from": None
        if definition is None
        else [
            {"cell_id": cid, "label": spec.cell[cid].label, **_where(spec, cid)}
            for cid in definition.rhs
        ],
        "sources": sources,
        "excluded": [
            {
                "unit": e.unit,
                "unit_name": e.unit_name,
                "status": e.status,
                "status_label": Status(e.status).label,
            }
            for e in lin.excluded
        ],
    }


def _print_lineage(doc: dict[str, Any], unit: str | None, tz: str) -> None:
    print(f"{doc['year']}年度汇总数 {doc['cell_id']}：{doc['table']} / {doc['label']}")
    unit_text = doc["value_unit"] or ""
    print(f"  全市合计：{_num(doc['total'])}{unit_text}")
    if doc["derived_from"]:
        print("  该单元格为总计，各单位报表中由下列单元格相加得出：")
        for d in doc["derived_from"]:
            print(f"    {d['cell_id']:<34}{d['sheet']}!{d['cell']:<6} {d['label']}")
    if not doc["sources"]:
        who = f"单位“{unit}”没有" if unit else "没有任何单位的"
        print(f"  {who}已接收报表计入该合计。")
    else:
        print(f"  来源（{len(doc['sources'])}份已接收报表）：")
    for i, s in enumerate(doc["sources"], 1):
        received = shown(datetime.fromisoformat(s["received_at"]), tz)
        print(f"  {i}. {s['unit_name']}（{s['unit']}）：{_num(s['value'])}{unit_text}")
        print(f"     → 报送文件：{s['file']}（{s['status_label']}，记录#{s['submission_id']}）")
        print(f"     → 文件SHA-256：{s['sha256']}")
        print(f"     → 接收时间：{received}")
        print(f"     → 工作簿位置：工作表“{s['sheet']}”单元格 {s['cell']}")
        if s.get("breakdown"):
            print(f"     → 下级单位明细（{len(s['breakdown'])}个单位）：")
        for b in s.get("breakdown", ()):
            source = f"源文件SHA-256 {b['sha256'][:12]}…，{b['version']}"
            value = f"{_num(b['value'])}{unit_text}"
            print(f"        {b['unit_name']}（{b['unit']}）：{value}（{source}）")
    if unit is None and doc["sources"]:
        verdict = "一致" if doc["sum"] == doc["total"] else "不一致，请核查"
        print(f"  核对：各单位数值相加为 {_num(doc['sum'])}{unit_text}，与全市合计{verdict}。")
    for e in doc["excluded"]:
        print(f"  未计入：{e['unit_name']}（{e['unit']}，{e['status_label']}）")


def _num(value: float) -> str:
    return fmt(Decimal(str(value)))
