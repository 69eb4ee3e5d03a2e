"""A small cycle built from real workbooks through the pipeline's own functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from nianbao.core.formats import FORMAT_2019
from nianbao.core.model import CycleResult, RawWorkbook
from nianbao.core.process import consolidate, process_workbook
from nianbao.io.xlsx_read import read_workbook
from tests.helpers import ROSTER, make_workbook, unit_figures, without_regulations

SPEC = FORMAT_2019
YEAR = 2020
ALPHA, BETA, GAMMA = ROSTER


@dataclass
class RealCycle:
    """The consolidated result, each unit's current file, figures and raw read."""

    result: CycleResult
    files: dict[str, Path]
    figures: dict[str, dict[str, Decimal]]
    raws: dict[str, RawWorkbook]
    old_alpha: RawWorkbook


def build_real_cycle(inbox: Path) -> RealCycle:
    """alpha sends an older and a newer workbook, beta one, gamma one for the wrong year
    (rejected); every file is read with calamine, validated and consolidated."""
    units = {u.code: u for u in ROSTER}
    old = make_workbook(
        inbox / "alpha" / "甲局初稿.xlsx",
        ALPHA,
        unit_figures(3),
        received=datetime(2021, 1, 8, 9, tzinfo=UTC),
    )
    figures = {"alpha": unit_figures(11), "beta": without_regulations(unit_figures(12))}
    files = {
        "alpha": make_workbook(
            inbox / "alpha" / "甲局.xlsx",
            ALPHA,
            figures["alpha"],
            received=datetime(2021, 1, 10, 9, tzinfo=UTC),
        ),
        "beta": make_workbook(
            inbox / "beta" / "乙镇.xlsx",
            BETA,
            figures["beta"],
            received=datetime(2021, 1, 11, 15, 30, tzinfo=UTC),
        ),
        "gamma": make_workbook(inbox / "gamma" / "丙委.xlsx", GAMMA, unit_figures(13), year=2019),
    }
    raws = {
        code: read_workbook(path, code, path.relative_to(inbox).as_posix())
        for code, path in files.items()
    }
    old_raw = read_workbook(old, "alpha", old.relative_to(inbox).as_posix())
    subs = [process_workbook(r, SPEC, YEAR, units) for r in (old_raw, *raws.values())]
    result = consolidate(SPEC, YEAR, ROSTER, subs)
    return RealCycle(result, files, figures, raws, old_raw)
