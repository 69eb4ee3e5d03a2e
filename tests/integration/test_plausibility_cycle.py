"""Plausibility warnings through real workbooks and databases: last year's key figures read
back from the database, a 100× jump and a township reporting 规章 each give one warning,
the unit stays accepted, its receipt lists the warning, and the significance is stored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from nianbao.core.carry import last_year_cells
from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.layout import locate
from nianbao.core.model import CycleResult, Status, Unit
from nianbao.core.process import consolidate, process_batch
from nianbao.core.roster import UnitKind
from nianbao.core.spec import FormatSpec
from nianbao.io.db.last_year import read_last_year
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.read import table_counts
from nianbao.io.db.schema import FindingRow
from nianbao.io.db.write import store_cycle
from nianbao.io.receipt import RECEIPT_SHEET, write_receipt
from nianbao.io.xlsx_read import read_workbook
from tests.databases import BACKENDS, database_url
from tests.helpers import make_workbook, steady_figures

pytestmark = pytest.mark.integration

ROSTER = (
    Unit("alpha", "甲局", UnitKind.DEPARTMENT),
    Unit("beta", "乙镇", UnitKind.TOWNSHIP),
    Unit("gamma", "丙委", UnitKind.DEPARTMENT),
)
UNITS = {u.code: u for u in ROSTER}


def figures(spec: FormatSpec, code: str, **changed: int) -> dict[str, Decimal]:
    """A unit's ordinary figures (行政复议 总计 20 every year), with some inputs changed."""
    values = steady_figures(len(code) * 7, spec, UNITS[code].kind)
    values.update({k: Decimal(v) for k, v in changed.items()})
    return values


def run(
    inbox: Path,
    year: int,
    spec: FormatSpec,
    returns: Mapping[str, dict[str, Decimal]],
    last: Mapping[str, Mapping[str, Decimal]],
) -> CycleResult:
    raws = []
    for code, values in returns.items():
        path = make_workbook(
            inbox / str(year) / code / f"{code}.xlsx",
            UNITS[code],
            values,
            year,
            spec,
            received=datetime(year + 1, 1, 10, tzinfo=UTC),
        )
        raws.append(read_workbook(path, code, path.name))
    subs = process_batch(raws, spec, year, UNITS)
    return consolidate(spec, year, ROSTER, subs, last=last)


def ref(cell_id: str) -> str:
    return locate(FORMAT_2021, cell_id)[1]


def plausibility(result: CycleResult) -> list[tuple[str, str, str]]:
    return [
        (s.unit, f.code, f.cell)
        for s in result.submissions
        for f in s.findings
        if f.code.startswith("plausibility-")
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_last_years_figures_from_the_database_flag_one_jump_and_one_township(
    backend: str, tmp_path: Path
) -> None:
    with database_url(backend, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        first = {code: figures(FORMAT_2019, code) for code in UNITS}
        assert plausibility(run(tmp_path, 2020, FORMAT_2019, first, {})) == []
        store_cycle(engine, run(tmp_path, 2020, FORMAT_2019, first, {}))

        last = read_last_year(url, 2021, last_year_cells(FORMAT_2021))
        assert last.figures["alpha"]["s4_review_total"] == 20  # a key figure, read back
        second = {code: figures(FORMAT_2021, code) for code in UNITS}
        second["alpha"] = figures(FORMAT_2021, "alpha", s4_review_upheld=1985)  # 20 → 2000
        second["beta"] = figures(FORMAT_2021, "beta", s2_regulations_issued=2)
        result = run(tmp_path, 2021, FORMAT_2021, second, last.figures)

        assert plausibility(result) == [
            ("alpha", "plausibility-year", ref("s4_review_total")),
            ("beta", "plausibility-kind", ref("s2_regulations_issued")),
        ]
        assert [result.status_of(c) for c in UNITS] == [
            Status.ACCEPTED_WITH_WARNINGS,
            Status.ACCEPTED_WITH_WARNINGS,
            Status.ACCEPTED,
        ]
        store_cycle(engine, result)
        before = table_counts(engine)
        store_cycle(engine, result)  # a rerun changes nothing
        assert table_counts(engine) == before
        with engine.connect() as conn:
            stored = conn.execute(
                select(FindingRow.unit, FindingRow.code, FindingRow.significance)
                .where(FindingRow.code.like("plausibility-%"))
                .order_by(FindingRow.seq)
            ).all()
        engine.dispose()
    assert [tuple(r) for r in stored] == [
        ("alpha", "plausibility-year", 2.0),  # 100× against the 10× threshold
        ("beta", "plausibility-kind", 3.0),
    ]


def test_the_receipt_lists_the_warning_and_the_units_explanation(tmp_path: Path) -> None:
    returns = {code: figures(FORMAT_2021, code) for code in UNITS}
    returns["beta"] = figures(FORMAT_2021, "beta", s2_regulations_in_force=3)
    path = make_workbook(
        tmp_path / "beta" / "乙镇.xlsx",
        UNITS["beta"],
        returns["beta"],
        2021,
        FORMAT_2021,
        texts={"explanation": "现行有效件数为上级政府规章，本镇转发"},
    )
    subs = process_batch([read_workbook(path, "beta", path.name)], FORMAT_2021, 2021, UNITS)
    result = consolidate(FORMAT_2021, 2021, ROSTER, subs)
    sub = result.current("beta")
    assert sub is not None and sub.status is Status.ACCEPTED_WITH_WARNINGS
    out = tmp_path / "receipt.xlsx"
    write_receipt(out, UNITS["beta"], 2021, sub, late=False)
    rows = [r for r in load_workbook(out)[RECEIPT_SHEET].iter_rows(values_only=True)]
    (row,) = [r for r in rows if r[1] and "plausibility-kind" in str(r[1])]
    assert (
        row[0] == "提示"
        and row[3] == "!".join(locate(FORMAT_2021, "s2_regulations_in_force"))
        and row[5] == 3
    )
    assert row[6] == "现行有效件数为上级政府规章，本镇转发"  # shown as explained
