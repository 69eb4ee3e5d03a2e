"""``status.xlsx``: the completeness board and the 催报名单, beside ``status.json``.

Printed by the office: A4, one page wide, the title and header rows on every page, borders;
counts are numbers and the received time a real date in the office's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from nianbao.core.board import CHASE_COLUMNS, board_header, board_table, chase_list
from nianbao.core.clock import DEFAULT_TIMEZONE
from nianbao.core.layout import a1
from nianbao.core.unit_status import CycleStatus
from nianbao.io.text_measure import display_width, row_height
from nianbao.io.xlsx_lite import PageSetup, Sheet, Style, Value, write_workbook

TITLE = Style(bold=True, size=14, horizontal="center", vertical="center")
HEADER = Style(
    bold=True, fill="F2F2F2", border=True, wrap=True, horizontal="center", vertical="center"
)
BODY = Style(border=True, wrap=True, vertical="center", indent=1)
NUMBER = Style(border=True, horizontal="center", vertical="center")
# Board: 单位, 状态, 文件, 接收时间, 错误, 提示, 其中已说明, 逾期 (the unit column is measured)
BOARD_WIDTHS = (0, 20, 40, 22, 8, 8, 12, 8, 24)
CHASE_WIDTHS = (0, 30, 12, 16)
NAME_WIDTH = (12, 30)  # bounds of the measured unit-name column
CENTERED = {"错误", "提示", "其中已说明", "逾期"}
ROW_HEIGHT = 18.0


def _table(
    name: str,
    title: str,
    header: Sequence[str],
    body: Sequence[Sequence[Value]],
    widths: Sequence[float],
    landscape: bool,
) -> Sheet:
    names = (str(row[0]) for row in body)
    name_width = min(max((display_width(n) + 2 for n in names), default=0), NAME_WIDTH[1])
    sized = [max(name_width, NAME_WIDTH[0]), *widths[1:]]
    rows: list[list[Value]] = [[title, *([None] * (len(header) - 1))], list(header)]
    rows += [list(r) for r in body]
    centered = [c + 1 for c, name in enumerate(header) if name in CENTERED or "时间" in name]
    styles = {(r, c): NUMBER for r in range(3, len(rows) + 1) for c in centered}
    heights = {1: 28.0, 2: row_height(zip(header, sized, strict=True))}
    for r, row in enumerate(rows[2:], start=3):
        texts = [(v, w) for v, w in zip(row, sized, strict=True) if isinstance(v, str) and v]
        if any(display_width(v) > w - 1.5 for v, w in texts):
            heights[r] = row_height(texts)
    return Sheet(
        name,
        rows,
        row_styles={1: TITLE, 2: HEADER},
        cell_styles=styles,
        styled_from=(3, BODY),
        widths=dict(enumerate(sized, start=1)),
        heights=heights,
        freeze=(3, 1),
        default_height=ROW_HEIGHT,
        merges=[f"A1:{a1(1, len(header))}"],
        page=PageSetup(landscape=landscape, title_rows=(1, 2)),
    )


def write_status_book(status: CycleStatus, path: Path, tz: str = DEFAULT_TIMEZONE) -> None:
    """Write the board (sheet 报送情况) and the chase list (sheet 催报名单)."""
    board: list[list[Value]] = [
        [v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row]
        for row in board_table(status, tz)
    ]
    year = status.year
    title = f"{year}年度政府信息公开工作年度报告报送情况"
    if status.locked:
        title += f"（已定稿第{status.version}版，定稿后收到的文件未计入汇总）"
    chase = chase_list(status)
    write_workbook(
        path,
        [
            _table("报送情况", title, board_header(tz), board, BOARD_WIDTHS, landscape=True),
            _table("催报名单", f"{year}年度催报名单", CHASE_COLUMNS, chase, CHASE_WIDTHS, False),
        ],
    )
