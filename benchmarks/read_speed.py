"""Benchmark: read N generated unit workbooks with nianbao's reader and with openpyxl.

Prints milliseconds per workbook for (1) python-calamine grids, (2) the project's full
intake (calamine read + parse + validate), and (3) openpyxl reading the same values.
Usage: python benchmarks/read_speed.py --n 1000 [--dir benchmarks/.cache]
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Unit
from nianbao.core.process import process_workbook
from nianbao.core.split import split_cycle
from nianbao.io.template_fill import fill_workbook
from nianbao.io.template_writer import write_template
from nianbao.io.xlsx_read import read_workbook


def generate(folder: Path, n: int) -> list[tuple[Unit, Path]]:
    """N filled unit workbooks (kept between runs); figures vary per unit."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    rng = random.Random(42)
    for i in range(n):
        unit = Unit(f"u{i:05d}", f"单位{i}")
        path = folder / f"{unit.code}.xlsx"
        if not path.exists():
            totals = {
                cid: Decimal(rng.randrange(0, 500))
                for cid in SPEC.inputs
                if not cid.startswith("s3_")
            }
            new = rng.randrange(0, 30)
            totals.update({"s3_new_natural": Decimal(new), "s3_public_natural": Decimal(new)})
            (figures,) = split_cycle(SPEC, totals, [new], seed=i)
            write_template(SPEC, unit, 2020, path)
            fill_workbook(path, figures)
        out.append((unit, path))
    return out


def bench(label: str, fn, items) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for item in items:
        fn(item)
    ms = (time.perf_counter() - start) * 1000 / len(items)
    print(f"{label:<40}{ms:8.2f} ms/workbook")
    return ms


def openpyxl_grids(path: Path, read_only: bool = False) -> dict[str, list[list[object]]]:
    wb = load_workbook(path, read_only=read_only, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=Path("benchmarks/.cache/read"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    items = generate(args.dir, args.n)
    print(f"{args.n} workbooks ready in {time.perf_counter() - t0:.1f} s ({args.dir})")
    units = {u.code: u for u, _ in items}
    calamine = bench(
        "python-calamine read", lambda it: read_workbook(it[1], it[0].code, it[1].name), items
    )
    full = bench(
        "nianbao intake (read+parse+validate)",
        lambda it: process_workbook(
            read_workbook(it[1], it[0].code, it[1].name), SPEC, 2020, units
        ),
        items,
    )
    opx = bench("openpyxl read (data_only)", lambda it: openpyxl_grids(it[1]), items)
    opx_ro = bench(
        "openpyxl read (read_only, data_only)", lambda it: openpyxl_grids(it[1], True), items
    )
    print(f"openpyxl / calamine read: {opx / calamine:.1f}x (read_only: {opx_ro / calamine:.1f}x)")
    print(f"openpyxl / nianbao intake: {opx / full:.1f}x (read_only: {opx_ro / full:.1f}x)")


if __name__ == "__main__":
    main()
