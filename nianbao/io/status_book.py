"""``status.xlsx``: the completeness board and the 催报名单, beside ``status.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from nianbao.core.outputs import BOARD_COLUMNS, CHASE_COLUMNS, board_table, chase_list


def write_status_book(doc: dict[str, Any], path: Path) -> None:
    """Write the board (sheet 报送情况) and the chase list (sheet 催报名单)."""
    wb = Workbook()
    board = wb.active
    board.title = "报送情况"
    board.append([f"{doc['year']}年度政府信息公开工作年度报告报送情况"])
    board.append(list(BOARD_COLUMNS))
    for row in board_table(doc):
        board.append(row)
    chase = wb.create_sheet("催报名单")
    chase.append([f"{doc['year']}年度催报名单"])
    chase.append(list(CHASE_COLUMNS))
    for row in chase_list(doc):
        chase.append(row)
    for ws, widths in ((board, (14, 16, 36, 20, 6, 12, 6)), (chase, (14, 24, 12, 16))):
        ws["A1"].font = Font(bold=True, size=14)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(65 + i)].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    wb.save(tmp)
    tmp.replace(path)
