"""The template's sheets around the tables: the filling guide, the text sheet and the
hidden metadata sheet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.core.layout import (
    INFO_ROW,
    META_KEYS,
    TEXT_SHEET,
    TITLE_ROW,
    a1,
    meta_cells,
    text_cells,
)
from nianbao.core.model import Unit
from nianbao.core.spec import CellKind, CellType, FormatSpec
from nianbao.io.template_style import (
    BORDER,
    CENTER,
    FILL_HEADER,
    FONT,
    FONT_BOLD,
    FONT_NOTE,
    FONT_TITLE,
    GUIDE_WIDTH,
    LEFT,
    LINE_HEIGHT,
    NUMBER_FORMATS,
    ROW_PADDING,
    TEXT_WIDTH,
    TOP_LEFT,
    UNLOCKED,
    print_setup,
    protect,
    validation,
)
from nianbao.io.text_measure import text_lines

T = TypeVar("T")

PREFILL_NOTE = "上年数据自动带入，不可修改"


def info_text(unit: Unit, year: int) -> str:
    """The line under a sheet's title naming the unit and the year."""
    return f"填报单位：{unit.name}　　报告年度：{year}年"


def guide_lines(spec: FormatSpec, unit: Unit, year: int, prefilled: bool) -> list[str]:
    """The filling instructions, in Chinese."""
    cells = spec.cells
    signed = _unique(c.column_path[-1] for c in cells if c.type is CellType.SIGNED)
    money = [c for c in cells if c.type is CellType.MONEY]
    lines = [
        f"填报单位：{unit.name}（编码 {unit.code}）；统计期间：{year}年1月1日至{year}年12月31日。",
        "只在白色或浅黄色的单元格中填写；灰色单元格为标题、合计或已带入的数据，不能修改。",
        f"数字{'除金额外' if money else ''}一律填写整数，没有发生的事项填 0，"
        "不要留空，不要填写文字或单位。",
    ]
    if signed:
        names = "、".join(f"“{s}”" for s in signed)
        lines.append(f"{names}可以填写负数：增加填正数，减少填负数（如 -5）。")
    for header, unit_name in _unique((c.column_path[-1], c.unit or "元") for c in money):
        lines.append(f"“{header}”以{unit_name}为单位，可保留两位小数（如 2911.14）。")
    if any(c.kind is CellKind.DERIVED for c in cells):
        lines.append("“总计”等灰色合计单元格由公式自动计算，无需填写。")
    if prefilled:
        lines.append(f"批注为“{PREFILL_NOTE}”的单元格已锁定；如有错误，请联系汇总单位。")
    lines += [
        f"{'、'.join(t.label for t in spec.texts)}填写在“{TEXT_SHEET}”工作表。",
        "不要插入或删除行、列，不要修改工作表名称和表头文字；粘贴数据请使用“选择性粘贴—数值”。",
        "填写完成后保存为 .xlsx 格式（不要另存为 .xls 或 .et），"
        f"并将文件放入共享文件夹 inbox/{unit.code}/ 中。",
    ]
    return [f"{i}. {line}" for i, line in enumerate(lines, 1)]


def _unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def guide_sheet(ws: Worksheet, spec: FormatSpec, unit: Unit, year: int, prefilled: bool) -> None:
    """The filling guide: a title, the notice it follows and ``guide_lines``."""
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    title = ws.cell(1, 1, f"{year}年政府信息公开工作年度报告统计表填报说明")
    title.font = FONT_TITLE
    title.alignment = CENTER
    ws.row_dimensions[1].height = 30
    basis = ws.cell(2, 1, f"依据：{spec.title}（{spec.notice}）")
    basis.font = FONT_NOTE
    basis.alignment = TOP_LEFT
    for i, line in enumerate(guide_lines(spec, unit, year, prefilled), start=4):
        cell = ws.cell(i, 1, line)
        cell.font = FONT
        cell.alignment = TOP_LEFT
        ws.row_dimensions[i].height = text_lines(line, GUIDE_WIDTH) * LINE_HEIGHT + ROW_PADDING
    protect(ws)
    print_setup(ws, landscape=False)


def _text_prompt(label: str, multiline: bool) -> str:
    if multiline:
        return f"请填写{label}；可按 Alt+Enter 换行，没有的填“无”"
    return f"请填写{label}"


def text_sheet(ws: Worksheet, spec: FormatSpec, unit: Unit, year: int) -> None:
    """The texts and the contact: a label and an open answer cell per text field."""
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = TEXT_WIDTH
    title = ws.cell(TITLE_ROW, 1, "文字材料及联系人")
    title.font = FONT_TITLE
    title.alignment = CENTER
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=2)
    ws.row_dimensions[TITLE_ROW].height = 30
    ws.cell(INFO_ROW, 1, info_text(unit, year)).font = FONT
    positions = text_cells(spec)
    for field in spec.texts:
        row, col = positions[field.key]
        label = ws.cell(row, 1, field.label)
        label.font = FONT_BOLD
        label.fill = FILL_HEADER
        label.alignment = LEFT
        label.border = BORDER
        value = ws.cell(row, col)
        value.number_format = NUMBER_FORMATS[field.type] if field.type else "@"
        if field.type:
            value.value = 0
        value.alignment = TOP_LEFT if field.multiline else LEFT
        value.border = BORDER
        value.font = FONT
        value.protection = UNLOCKED
        ws.row_dimensions[row].height = 160 if field.multiline else 24
        dv = (
            validation(field.type, field.unit)
            if field.type
            else DataValidation(showInputMessage=True, allow_blank=True)
        )
        dv.promptTitle = field.label
        if not field.type:
            dv.prompt = _text_prompt(field.label, field.multiline)
        dv.add(a1(row, col))
        ws.add_data_validation(dv)
    protect(ws)
    print_setup(ws, landscape=False)


def meta_sheet(ws: Worksheet, spec: FormatSpec, unit: Unit, year: int) -> None:
    """The hidden sheet that names the unit, the year, the format and the template version."""
    values: dict[str, str | int] = {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "year": year,
        "format": spec.id,
        "template_version": spec.template_version,
    }
    positions = meta_cells()
    for key in META_KEYS:
        row, col = positions[key]
        ws.cell(row, 1, key)
        cell = ws.cell(row, col, values[key])
        if isinstance(values[key], str):
            cell.number_format = "@"
    ws.sheet_state = "veryHidden"
    protect(ws)
