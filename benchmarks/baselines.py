"""The two references nianbao is measured against, run in the benchmark's own process.

(a) the floor: python-calamine opening every workbook and touching every value of every
    sheet, nothing else;
(b) the script an IT person would write: ``pandas.read_excel`` per file (openpyxl engine),
    add the tables' numbers up cell by cell, ``to_sql`` the unit rows and the totals.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook


def floor(files: Sequence[Path]) -> tuple[float, int]:
    """Seconds to read every value of every workbook with calamine; and the value count."""
    start = time.perf_counter()
    count = 0
    for path in files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False):
                for _value in row:
                    count += 1
    return time.perf_counter() - start, count


def naive(files: Sequence[Path], sheets: Sequence[str], db: Path) -> float:
    """Seconds for the naive pandas script over ``files``, writing into SQLite at ``db``."""
    start = time.perf_counter()
    frames = []
    for path in files:
        book = pd.read_excel(path, sheet_name=list(sheets), header=None, engine="openpyxl")
        for sheet, df in book.items():
            numbers = df.apply(pd.to_numeric, errors="coerce").stack()
            frame = numbers.rename("value").rename_axis(["row", "col"]).reset_index()
            frame.insert(0, "sheet", sheet)
            frame.insert(0, "unit", path.parent.name)
            frames.append(frame)
    values = pd.concat(frames, ignore_index=True)
    totals = values.groupby(["sheet", "row", "col"], as_index=False)["value"].sum()
    with sqlite3.connect(db) as con:
        values.to_sql("unit_values", con, if_exists="replace", index=False)
        totals.to_sql("totals", con, if_exists="replace", index=False)
    return time.perf_counter() - start
