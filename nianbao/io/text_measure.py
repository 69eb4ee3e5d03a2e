"""How much room a text takes in a worksheet: its width in Excel's column units, the lines
it wraps to and the height of a row of wrapped cells (what Excel does not compute when a
file is written, only when a row is edited)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

LINE_HEIGHT = 15.0  # points per line of 11 pt text
ROW_PADDING = 4.0


def display_width(text: str) -> int:
    """Width of a text in Excel column units (CJK and full-width characters count 2)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text needs in a cell ``width`` units wide."""
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


def row_height(cells: Iterable[tuple[str, float]], line: float = LINE_HEIGHT) -> float:
    """Points a row of wrapped (text, cell width) pairs needs: its tallest cell."""
    lines = max((text_lines(text, width) for text, width in cells if text), default=1)
    return lines * line + ROW_PADDING
