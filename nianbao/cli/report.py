"""CLI commands on the Word draft: check-draft (against the database) and preview (PDF)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao.cli.common import CliError, SubParsers, command, require_root, settings_for
from nianbao.core.formats import format_for_year
from nianbao.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from nianbao.core.draft_check import CheckResult
    from nianbao.core.report.types import Report
    from nianbao.core.spec import FormatSpec


def register(sub: SubParsers) -> None:
    """Commands on the report draft: check-draft, preview."""
    chk = command(
        sub,
        "check-draft",
        "核对修改后的报告初稿：列出与数据库不一致的表格数字和生成语句中的数字",
        _check_draft,
    )
    chk.add_argument("--year", type=int, required=True, help="报告年度")
    chk.add_argument("file", type=Path, metavar="FILE.docx", help="修改后的报告初稿（.docx）")
    chk.add_argument("--root", type=Path, help="共享文件夹根目录")
    chk.add_argument("--db", dest="db_url", help="数据库地址（默认 ROOT/nianbao.db）")

    pre = command(sub, "preview", "用 LibreOffice 把报告初稿转换为PDF预览", _preview)
    pre.add_argument("--year", type=int, required=True, help="报告年度")
    pre.add_argument("--root", type=Path, help="共享文件夹根目录")
    pre.add_argument(
        "--file", type=Path, help="要预览的初稿（默认 ROOT/output/<年度>/report.docx）"
    )


# --- check-draft ------------------------------------------------------------------------


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    """An engine on the configured database; errors become a Chinese message."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from nianbao.io.db.migrate import make_engine

    url = make_url(settings.database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and not Path(database).is_file():
        raise CliError(f"数据库文件不存在：{database}（请先运行 nianbao run）")
    engine = make_engine(url)
    try:
        yield engine
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise CliError(f"读取数据库失败：{reason}") from exc
    finally:
        engine.dispose()


def expected_report(engine: Engine, settings: Settings, year: int) -> tuple[Report, FormatSpec]:
    """The draft the database implies for a year (last year's totals for 同比 when stored;
    the roster units the stored run left out, for the notice of an incomplete draft)."""
    from nianbao.core.model import Status
    from nianbao.core.report.build import build_report_from
    from nianbao.core.report.data import ReportData, UnitGap, UnitReport, report_parts
    from nianbao.io.db.groups import read_groups
    from nianbao.io.db.read import read_cycle, read_totals

    cycle = read_cycle(engine, year)
    if cycle is None:
        raise CliError(f"数据库中没有{year}年度的汇总数据，请先运行 nianbao run")
    last = read_totals(engine, year - 1)
    figures = cycle.figures
    spec = format_for_year(year, figures.format)
    units = tuple(
        UnitReport(code, cycle.names[code], values) for code, values in figures.units.items()
    )
    gaps = tuple(
        UnitGap(u.code, u.name, u.status)
        for u in cycle.roster
        if u.status in (Status.MISSING, Status.REJECTED)
    )
    groups = read_groups(engine, year)
    parts = report_parts(groups.tree, settings.report_group_level) if groups else ()
    data = ReportData(year, figures.totals, units, last.totals if last else None, gaps, parts)
    issued = settings.issue_date or date.today()
    return build_report_from(data, spec, settings.region, settings.issuer, issued), spec


def _check_draft(args: argparse.Namespace) -> int:
    from nianbao.core.draft_check import check_draft
    from nianbao.io.docx.read import read_draft

    path: Path = args.file
    if not path.is_file():
        raise CliError(f"找不到初稿文件：{path}")
    try:
        draft = read_draft(path)
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise CliError(f"无法读取初稿（不是有效的 .docx 文件？）：{path}（{exc}）") from exc
    settings = settings_for(root=args.root, db_url=args.db_url)
    with _database(settings) as engine:
        expected, spec = expected_report(engine, settings, args.year)
    result = check_draft(expected, spec, draft)
    _print_check(path, args.year, result)
    return 0 if result.ok else 1


def _print_check(path: Path, year: int, result: CheckResult) -> None:
    from nianbao.core.draft_check import Problem
    from nianbao.core.report.notice import gap_list

    print(
        f"核对初稿 {path} 与数据库中{year}年度的数字："
        f"表格数字{result.table_figures}个，生成语句{result.sentences}句。"
    )
    notices = [d for d in result.differences if d.problem is Problem.INCOMPLETE]
    figures = [d for d in result.differences if d.problem is not Problem.INCOMPLETE]
    if figures:
        print(f"发现{len(figures)}处与数据库不一致：")
        for i, d in enumerate(figures, start=1):
            print(f"  {i}. {d.message}")
    else:
        print("表格数字和生成语句中的数字与数据库一致。")
    for d in notices:
        print(f"初稿尚不能定稿：{d.message}")
    if result.unchecked:
        print("注：下列语句中的数字来自各单位报送的文字材料，数据库未保存，未核对：")
        for s in result.unchecked:
            print(f"  {s.text}")
    if result.not_included and not notices:
        print(
            f"注：数据库中的汇总未包含{gap_list(result.not_included)}；"
            "初稿已删除“数据不完整”的提示，请确认已在报告中说明。"
        )


# --- preview --------------------------------------------------------------------------


def _preview(args: argparse.Namespace) -> int:
    from nianbao.io.pdf_preview import PreviewError, to_pdf

    settings = settings_for(root=args.root)
    if args.file is None:
        require_root(settings)
    docx: Path = args.file or settings.output_dir(args.year) / "report.docx"
    if not docx.is_file():
        raise CliError(f"找不到报告初稿：{docx}（请先运行 nianbao run --year {args.year}）")
    try:
        pdf = to_pdf(docx, docx.parent)
    except PreviewError as exc:
        raise CliError(str(exc)) from exc
    print(f"已生成PDF预览：{pdf}")
    return 0
