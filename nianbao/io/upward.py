"""Sending a county's totals upward (上报): fill the template its parent issued.

``export_upward`` reads the year's stored figures (never the shared folder's returns), fills
the parent's template by its defined names (one per input cell id) with the totals, and
adds the sheet 下级单位明细 (``nianbao.core.upward``): every accepted unit's figures, the
sha256 of its source workbook and the finalized version. Until the year is finalized the
export is a draft, and every sheet says so (本表为未定稿数据). Only figures and the county's
unit codes and names go into the file, every text as a text cell (never a formula).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook
from sqlalchemy import make_url

from nianbao.core.formats import FORMATS
from nianbao.core.layout import INFO_ROW, META_SHEET, meta_cells
from nianbao.core.spec import CellType, FormatSpec
from nianbao.core.upward import (
    BREAKDOWN_SHEET,
    DRAFT_NOTE,
    FIRST_ROW,
    ID_ROW,
    LABEL_ROW,
    LEAD_IDS,
    NOTE_ROW,
    UNFINALIZED,
    UnitLine,
    breakdown_of,
    breakdown_rows,
)
from nianbao.io.archive import archived_as
from nianbao.io.atomic import atomic_path
from nianbao.io.db.migrate import make_engine
from nianbao.io.db.read import accepted_sources, read_cycle
from nianbao.io.feedback import render_sheet
from nianbao.io.template_fill import resolve_name
from nianbao.io.xlsx_lite import PageSetup, Sheet, Style
from nianbao.io.xlsx_read import parse_workbook
from nianbao.settings import Settings

MAX_TEMPLATE_BYTES = 20 * 2**20
HEADER = Style(bold=True, fill="DDEBF7", border=True, wrap=True, vertical="center")
SHA = Style(border=True, wrap=True, size=9)  # a sha256 on two lines
RED = Font(name="宋体", size=11, bold=True, color="FFC00000")


class UpwardError(ValueError):
    """The export cannot be made; ``str()`` is one Chinese line, ``hint`` what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def finalized_version(settings: Settings, year: int) -> str | None:
    """The finalized version of ``year``'s figures (定稿第N版), None while the year is not
    finalized or the office reopened it (its stored figures may then change)."""
    from nianbao.io.db.review import read_ledger

    ledger = read_ledger(settings.database_url, year)
    return f"定稿第{ledger.version}版" if ledger.frozen else None


def export_upward(settings: Settings, year: int, template: Path, out: Path) -> Path:
    """Fill the parent's ``template`` with ``year``'s totals from the database of
    ``settings`` and the per-unit breakdown; write it atomically to ``out``."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise UpwardError(f"数据库文件不存在：{url.database}", "请先运行 nianbao run")
    engine = make_engine(url)
    try:
        cycle = read_cycle(engine, year)
        sources = accepted_sources(engine, year) if cycle is not None else {}
    finally:
        engine.dispose()
    if cycle is None:
        raise UpwardError(f"数据库中没有{year}年度的汇总数据", "请先运行 nianbao run")
    spec = FORMATS[cycle.figures.format]
    wb = _template(template, year, spec)
    version = finalized_version(settings, year)
    for cid in spec.inputs:
        ws, coord = resolve_name(wb, cid)
        ws[coord].value = _number(cycle.figures.totals.get(cid, Decimal(0)), spec.cell[cid].type)
    lines = [
        UnitLine(code, cycle.names[code], sources.get(code, ""), version or UNFINALIZED, values)
        for code, values in cycle.figures.units.items()
    ]
    left_out = [u for u in cycle.roster if not u.status.accepted]
    _breakdown(wb, spec, year, lines, cycle.figures.totals, len(left_out), version is None)
    if version is None:
        _mark_draft(wb)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def _template(path: Path, year: int, spec: FormatSpec) -> Workbook:
    """The parent's template, checked: a nianbao template of ``year`` in ``spec``'s format."""
    if not path.is_file() or path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise UpwardError(f"找不到上级下发的模板 {path}，或文件过大", "请检查文件名和路径")
    try:
        wb = load_workbook(path)
    except Exception as exc:  # zip, XML or openpyxl errors: not a workbook it can fill
        raise UpwardError(
            f"上级下发的模板 {path} 无法作为Excel工作簿打开（{type(exc).__name__}）",
            "请使用上级下发的 .xlsx 模板原件",
        ) from exc
    if META_SHEET not in wb.sheetnames:
        raise UpwardError(
            f"{path} 不是 nianbao 生成的模板（缺少模板标识）", "请使用上级下发的模板原件"
        )
    ws = wb[META_SHEET]
    meta = {key: ws.cell(row, col).value for key, (row, col) in meta_cells().items()}
    if str(meta.get("year")) != str(year):
        raise UpwardError(
            f"模板 {path} 是{meta.get('year')}年度的，不是{year}年度的",
            f"请使用上级下发的{year}年度模板",
        )
    if meta.get("format") != spec.id:
        raise UpwardError(
            f"模板 {path} 是{meta.get('format')}年版格式，本级{year}年度的数据是{spec.id}年版格式",
            "请与上级核对本年度使用的格式",
        )
    return wb


def _number(value: Decimal, cell_type: CellType | None) -> int | float:
    """An Excel number: integers as int, money as the float nearest its exact value (not
    rounded to cents: the parent must read the county's totals exactly)."""
    if value == value.to_integral_value() and cell_type is not CellType.MONEY:
        return int(value)
    return float(value)


def _breakdown(
    wb: Workbook,
    spec: FormatSpec,
    year: int,
    lines: list[UnitLine],
    totals: dict[str, Decimal],
    left_out: int,
    draft: bool,
) -> None:
    title = f"{year}年度下级单位明细（共{len(lines)}个单位）"
    notes = [DRAFT_NOTE] if draft else []
    notes.append("由 nianbao export-upward 从本级数据库导出，请勿手工修改；校验码用于核对各行数字")
    if left_out:
        notes.append(f"另有{left_out}个单位的报表未计入合计（未报送或被退回）")
    rows: list[list[Any]] = breakdown_rows(spec, title, "；".join(notes), lines, totals)
    rows = [[_number(v, None) if isinstance(v, Decimal) else v for v in row] for row in rows]
    lead = len(LEAD_IDS)
    sheet = Sheet(
        BREAKDOWN_SHEET,
        rows,
        row_styles={
            LABEL_ROW: HEADER,
            ID_ROW: Style(color="808080", size=9, border=True),
            len(rows): Style(bold=True, border=True),
        },
        styled_from=(FIRST_ROW, Style(border=True)),
        cell_styles={(r, 3): SHA for r in range(FIRST_ROW, len(rows))},
        widths={1: 14.0, 2: 20.0, 3: 36.0, 4: 10.0, 5: 18.0}
        | {c: 14.0 for c in range(lead + 1, len(rows[ID_ROW - 1]) + 1)},
        heights={LABEL_ROW: 96.0} | {r: 26.0 for r in range(FIRST_ROW, len(rows))},
        freeze=(FIRST_ROW, 3),
        page=PageSetup(
            landscape=True, fit_width=False, scale=70, title_rows=(3, 4), title_cols=(1, 2)
        ),
    )
    ws = wb.create_sheet(BREAKDOWN_SHEET)
    render_sheet(ws, sheet)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a unit's name is text, never a formula
    if draft:
        ws.cell(NOTE_ROW, 1).font = RED
    ws.cell(1, 1).font = Font(name="宋体", size=14, bold=True)


def _mark_draft(wb: Workbook) -> None:
    """Say on every sheet, on screen and in print, that the figures are not finalized."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        ws.oddHeader.center.text = DRAFT_NOTE
        ws.oddHeader.center.color = "C00000"
        if ws.title == BREAKDOWN_SHEET:
            continue
        cell = ws.cell(INFO_ROW, 1)
        shown = f"{cell.value}　　" if cell.value else ""
        cell.value = f"{shown}{DRAFT_NOTE}"
        cell.data_type = "s"
        cell.font = RED


def archived_breakdown(
    settings: Settings, spec: FormatSpec, sha256: str, file: str
) -> list[UnitLine]:
    """The 下级单位明细 of an accepted return, read from the shared folder's archive (the
    bytes the intake checked); none when the return has no such sheet or is not archived."""
    path = archived_as(settings.archive, sha256, file)
    try:
        data = path.read_bytes()
    except OSError:
        return []
    raw = parse_workbook(data, datetime.now(UTC), "", file, sheets={BREAKDOWN_SHEET})
    grid = raw.grids.get(BREAKDOWN_SHEET)
    return [] if grid is None else breakdown_of(spec, grid)
