"""Cross-year continuity with a real database: pre-filled templates and A6/C1 warnings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.layout import locate
from nianbao.core.model import Status
from nianbao.core.process import consolidate, process_workbook
from nianbao.core.spec import FormatSpec
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.read import read_totals
from nianbao.io.db.write import store_cycle
from nianbao.io.template_fill import fill_workbook
from nianbao.io.templates import write_cycle_templates
from nianbao.io.xlsx_read import read_workbook
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
UNITS = {u.code: u for u in ROSTER}
PARTS = ("natural", "commercial", "research", "nonprofit", "legal", "other")


def stored_year(tmp_path: Path, year: int, spec: FormatSpec) -> dict[str, dict[str, Decimal]]:
    """Run a cycle for alpha and beta through the library, store it, read units back."""
    subs = []
    for i, unit in enumerate(ROSTER[:2]):
        path = make_workbook(
            tmp_path / str(year) / f"{unit.code}.xlsx", unit, unit_figures(20 + i, spec), year, spec
        )
        subs.append(process_workbook(read_workbook(path, unit.code, path.name), spec, year, UNITS))
    result = consolidate(spec, year, ROSTER, subs)
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    store_cycle(engine, result)
    doc = read_totals(engine, year)
    engine.dispose()
    assert doc is not None
    units: dict[str, dict[str, Decimal]] = doc.units
    return units


def test_2021_templates_carry_last_years_carried_out_and_lock_it(tmp_path: Path) -> None:
    last = stored_year(tmp_path, 2020, FORMAT_2019)
    assert last["alpha"]["s3_carried_out_natural"] > 0
    paths = write_cycle_templates(FORMAT_2021, ROSTER, 2021, tmp_path / "t2021", last)
    for code in ("alpha", "beta"):
        wb = load_workbook(paths[code])
        for col in PARTS:
            sheet, ref = locate(FORMAT_2021, f"s3_carried_in_{col}")
            cell = wb[sheet][ref]
            assert cell.value == last[code][f"s3_carried_out_{col}"], (code, col)
            assert cell.protection.locked
        sheet, ref = locate(FORMAT_2021, "s3_new_natural")
        assert not wb[sheet][ref].protection.locked
    # gamma sent nothing in 2020: nothing to carry, nothing locked
    wb = load_workbook(paths["gamma"])
    sheet, ref = locate(FORMAT_2021, "s3_carried_in_natural")
    assert wb[sheet][ref].value == 0 and not wb[sheet][ref].protection.locked


def _consistent_2021(last: dict[str, Decimal], seed: int) -> dict[str, Decimal]:
    figures = unit_figures(seed, FORMAT_2021)
    target = last["s3_carried_out_natural"]
    delta = target - figures["s3_carried_in_natural"]
    figures["s3_carried_in_natural"] = target
    figures["s3_public_natural"] += delta
    for col in PARTS[1:]:
        assert last[f"s3_carried_out_{col}"] == figures[f"s3_carried_in_{col}"] == 0
    return figures


def test_a6_warns_exactly_when_carry_over_breaks(tmp_path: Path) -> None:
    last = stored_year(tmp_path, 2020, FORMAT_2019)
    paths = write_cycle_templates(FORMAT_2021, ROSTER, 2021, tmp_path / "t", last)
    figures = _consistent_2021(last["alpha"], 5)
    good = tmp_path / "good.xlsx"
    fill_workbook(paths["alpha"], figures, out=good)
    sub = process_workbook(
        read_workbook(good, "alpha", "good.xlsx"), FORMAT_2021, 2021, UNITS, last=last["alpha"]
    )
    assert sub.status is Status.ACCEPTED, sub.findings

    broken = dict(figures)
    broken["s3_carried_in_natural"] += 1
    broken["s3_public_natural"] += 1
    bad = tmp_path / "bad.xlsx"
    fill_workbook(paths["alpha"], broken, out=bad)
    sub = process_workbook(
        read_workbook(bad, "alpha", "bad.xlsx"), FORMAT_2021, 2021, UNITS, last=last["alpha"]
    )
    assert sub.status is Status.ACCEPTED_WITH_WARNINGS
    assert [(f.code, f.sheet, f.cell) for f in sub.findings] == [
        ("a6-carry-over", "三、依申请公开", "D8")
    ]


def test_c1_prefill_between_two_2019_format_years(tmp_path: Path) -> None:
    last = stored_year(tmp_path, 2019, FORMAT_2019)
    paths = write_cycle_templates(FORMAT_2019, ROSTER, 2020, tmp_path / "t", last)
    wb = load_workbook(paths["beta"])
    sheet, ref = locate(FORMAT_2019, "s2_penalty_prev_items")
    expected = last["beta"]["s2_penalty_prev_items"] + last["beta"]["s2_penalty_change"]
    assert wb[sheet][ref].value == expected
    assert wb[sheet][ref].protection.locked
