"""Write 汇总表 (every unit's figures and the 合计 row) as ``.xlsx`` (openpyxl) and ``.csv``.

Both files hold the same two header rows (official labels, then cell ids for scripts) and
the same rows. The CSV is UTF-8 with a BOM so that Excel opens it with the right encoding.
Each file is written to a temporary file first and then renamed into place.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from nianbao.core.export_rows import SummaryTable, Value, summary_table
from nianbao.core.model import CycleResult
from nianbao.core.numbers import fmt
from nianbao.core.spec import FormatSpec

XLSX_NAME = "汇总表.xlsx"
CSV_NAME = "汇总表.csv"

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)
_GREY = Font(color="808080", size=9)


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _number(value: Value) -> str | int | float | None:
    """An Excel cell value: integers as int, other decimals as float."""
    if not isinstance(value, Decimal):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Value) -> str:
    if value is None:
        return ""
    return fmt(value) if isinstance(value, Decimal) else value


def write_xlsx(table: SummaryTable, path: Path) -> None:
    """汇总表 as a workbook: labels in row 1, cell ids in row 2, 合计 in the last row."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{table.year}年度汇总表"
    ws.append(list(table.labels))
    ws.append(list(table.ids))
    for row in table.rows:
        ws.append([_number(v) for v in row])
    for cell in ws[1]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for cell in ws[2]:
        cell.font = _GREY
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
    ws.row_dimensions[1].height = 75
    for col in range(1, len(table.labels) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 20 if col <= table.lead else 16
    ws.freeze_panes = ws.cell(row=3, column=table.lead + 1)
    _atomic(path, lambda tmp: wb.save(tmp))


def write_csv(table: SummaryTable, path: Path) -> None:
    """汇总表 as CSV (UTF-8 with BOM): the same header rows and rows as the workbook."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(table.labels)
            out.writerow(table.ids)
            out.writerows([_text(v) for v in row] for row in table.rows)

    _atomic(path, write)


def write_summary(spec: FormatSpec, result: CycleResult, out_dir: Path) -> dict[str, Path]:
    """Write ``汇总表.xlsx`` and ``汇总表.csv`` into ``out_dir``; their paths by name."""
    table = summary_table(spec, result)
    paths = {"summary_xlsx": out_dir / XLSX_NAME, "summary_csv": out_dir / CSV_NAME}
    write_xlsx(table, paths["summary_xlsx"])
    write_csv(table, paths["summary_csv"])
    return paths
