"""``status.xlsx``: the completeness board and the 催报名单, beside ``status.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nianbao.core.outputs import BOARD_COLUMNS, CHASE_COLUMNS, board_table, chase_list
from nianbao.io.xlsx_lite import Sheet, Style, write_workbook


def write_status_book(doc: dict[str, Any], path: Path) -> None:
    """Write the board (sheet 报送情况) and the chase list (sheet 催报名单)."""
    board = [
        [f"{doc['year']}年度政府信息公开工作年度报告报送情况"],
        list(BOARD_COLUMNS),
        *board_table(doc),
    ]
    chase = [[f"{doc['year']}年度催报名单"], list(CHASE_COLUMNS), *chase_list(doc)]
    sheets = [
        Sheet(
            title,
            rows,
            row_styles={1: Style(bold=True, size=14), 2: Style(bold=True)},
            widths=dict(enumerate(widths, start=1)),
        )
        for title, rows, widths in (
            ("报送情况", board, (14, 16, 36, 20, 6, 12, 6)),
            ("催报名单", chase, (14, 24, 12, 16)),
        )
    ]
    write_workbook(path, sheets)
