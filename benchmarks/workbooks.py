"""A cached set of N valid unit workbooks in a shared-folder layout (roster.csv + inbox/).

``benchmarks/.cache/scale/<format>-<year>-n<N>-seed<S>-v<V>/`` holds the set; a
``manifest.json`` written last marks it complete, so an interrupted build is redone.
A sample is read back through the project's reader and validator and must be accepted.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from benchmarks.figures import unit_figures
from benchmarks.xlsx_patch import Patcher
from nianbao.core.formats import format_for_year
from nianbao.core.model import Status, Unit
from nianbao.core.process import process_workbook
from nianbao.core.roster import roster_csv
from nianbao.core.spec import FormatSpec
from nianbao.io.template_fill import fill_workbook
from nianbao.io.template_writer import write_template
from nianbao.io.xlsx_read import read_workbook

VERSION = 1  # bump when the generated files change
CACHE = Path(__file__).resolve().parent / ".cache" / "scale"
PROTO = Unit("proto-bench-unit", "基准原型单位", "部门")
TEXTS = {
    "problems": "公开平台建设有待加强，政策解读形式较为单一。下一步将加强业务培训。",
    "contact_person": "王芳",
    "contact_phone": "0453-3920000",
}
SAMPLE = 50  # workbooks read back through the reader and validator


@dataclass(frozen=True)
class WorkbookSet:
    """A generated shared folder: ``root/roster.csv`` and ``root/inbox/<code>/<file>``."""

    root: Path
    spec: FormatSpec
    year: int
    roster: tuple[Unit, ...]

    @property
    def files(self) -> list[Path]:
        """Every unit's workbook, in roster order."""
        return [self.root / "inbox" / u.code / file_name(u, self.year) for u in self.roster]


def file_name(unit: Unit, year: int) -> str:
    return f"{unit.name}{year}年报表.xlsx"


def roster_of(n: int) -> tuple[Unit, ...]:
    return tuple(Unit(f"u{i:05d}", f"单位{i:05d}", "部门") for i in range(n))


def workbook_set(n: int, year: int, seed: int, log: bool = True) -> WorkbookSet:
    """The set for (N, year, seed), generated unless cached."""
    spec = format_for_year(year)
    root = CACHE / f"{spec.id}-{year}-n{n}-seed{seed}-v{VERSION}"
    wset = WorkbookSet(root, spec, year, roster_of(n))
    if (root / "manifest.json").is_file():
        return wset
    if root.exists():
        shutil.rmtree(root)
    t0 = time.perf_counter()
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(wset.roster), encoding="utf-8")
    (root / "nianbao.toml").write_text(
        f'region = "基准市"\nissuer = "基准市人民政府"\nissue_date = "{year + 1}-01-25"\n',
        encoding="utf-8",
    )
    figures = unit_figures(spec, n, seed)
    prototype = root / "prototype.xlsx"
    write_template(spec, PROTO, year, prototype)
    fill_workbook(prototype, figures[0], {**TEXTS, "filled_date": f"{year + 1}-01-10"})
    patcher = Patcher(spec, prototype, PROTO.code, PROTO.name)
    received = datetime(year + 1, 1, 10, tzinfo=UTC).timestamp()
    for i, (unit, values, path) in enumerate(zip(wset.roster, figures, wset.files, strict=True)):
        patcher.write(path, unit.code, unit.name, values, received + i)
    built = time.perf_counter() - t0
    verify(wset, figures)
    manifest = {"n": n, "year": year, "format": spec.id, "seed": seed, "version": VERSION}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if log:
        print(f"generated {n} workbooks in {built:.1f} s ({built * 1000 / n:.2f} ms each): {root}")
    return wset


def verify(wset: WorkbookSet, figures: list[dict[str, Decimal]]) -> None:
    """Read a sample back through the reader and validator: accepted, figures as generated."""
    n = len(wset.roster)
    picks = sorted({round(i * (n - 1) / max(SAMPLE - 1, 1)) for i in range(min(SAMPLE, n))})
    units = {u.code: u for u in wset.roster}
    inbox = wset.root / "inbox"
    for i in picks:
        unit, path = wset.roster[i], wset.files[i]
        raw = read_workbook(path, unit.code, path.relative_to(inbox).as_posix())
        sub = process_workbook(raw, wset.spec, wset.year, units)
        if sub.status is not Status.ACCEPTED:
            codes = [f.code for f in sub.findings]
            raise AssertionError(f"generated {path} was not accepted: {sub.status} {codes}")
        wrong = [c for c in wset.spec.inputs if sub.values[c] != figures[i][c]]
        if wrong:
            raise AssertionError(f"generated {path}: values differ at {wrong[:5]}")
