"""Sending totals upward: a county's cycle with a tree of groups, stored in a real database,
exported into the template its city issued, and read by the city's own cycle as a return.

The city accepts it and its totals reproduce the county's exactly; a changed figure in the
breakdown is rejected with a finding naming the unit and the cell; ``explain`` at the city
lists the county's units under the county's line; group totals are stored and read back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.cli import main
from nianbao.core.formats import FORMATS
from nianbao.core.groups import Tree, subtotals
from nianbao.core.layout import a1
from nianbao.core.model import CycleResult, Group, Status, Unit
from nianbao.core.process import consolidate, process_workbook
from nianbao.core.review import Action, Event
from nianbao.core.spec import FormatSpec
from nianbao.core.upward import BREAKDOWN_SHEET, DRAFT_NOTE, FIRST_ROW, LEAD_IDS, UNFINALIZED
from nianbao.io.archive import archived_as, keep_bytes
from nianbao.io.db.groups import read_groups
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.review import append
from nianbao.io.db.write import store_cycle
from nianbao.io.template_writer import write_template
from nianbao.io.upward import export_upward
from nianbao.io.xlsx_read import read_workbook
from nianbao.settings import Settings
from tests.databases import BACKENDS, database_url
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.integration

YEAR = {"2019": 2020, "2021": 2021}
GROUPS = (
    Group("xianzhi", "县直部门"),
    Group("xiangzhen", "乡镇街道"),
    Group("dongpian", "东片乡镇", "xiangzhen"),
)
UNITS = (
    Unit("xianbenji", "县本级", "government"),
    Unit("caizhengju", "财政局", "department", parent="xianzhi"),
    Unit("ziranju", "自然资源局", "department", parent="xianzhi"),
    Unit("xizhen", "西镇", "township", parent="xiangzhen"),
    Unit("dongzhen", "东镇", "township", parent="dongpian"),
    Unit("nanxiang", "南乡", "township", parent="dongpian"),
)
COUNTY = Unit("mouxian", "某县", "government")


@dataclass
class County:
    spec: FormatSpec
    year: int
    result: CycleResult
    settings: Settings


def county_cycle(spec: FormatSpec, root: Path, url: str) -> County:
    """The county's own cycle from real workbooks; 南乡 sends nothing."""
    year = YEAR[spec.id]
    inbox = root / "inbox"
    units = {u.code: u for u in UNITS}
    subs = []
    for seed, unit in enumerate(UNITS[:-1], start=3):
        path = make_workbook(
            inbox / unit.code / f"{unit.name}.xlsx", unit, unit_figures(seed, spec), year, spec
        )
        raw = read_workbook(path, unit.code, path.relative_to(inbox).as_posix())
        subs.append(process_workbook(raw, spec, year, units))
    result = consolidate(spec, year, UNITS, subs, groups=GROUPS)
    assert len(result.accepted) == 5
    engine = make_engine(url)
    try:
        upgrade(engine)
        store_cycle(engine, result)
    finally:
        engine.dispose()
    return County(spec, year, result, Settings(root=root, db_url=url))


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module", params=["2019", "2021"])
def spec(request: pytest.FixtureRequest) -> FormatSpec:
    return FORMATS[request.param]


@pytest.fixture(scope="module")
def county(
    spec: FormatSpec, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[County]:
    """One county cycle per format and database, shared by the tests (which only read it)."""
    folder = tmp_path_factory.mktemp("county")
    with database_url(backend, folder) as url:
        yield county_cycle(spec, folder, url)


def export(county: County, tmp_path: Path) -> Path:
    template = tmp_path / "city" / "templates" / "mouxian.xlsx"
    template.parent.mkdir(parents=True)
    write_template(county.spec, COUNTY, county.year, template)
    out = tmp_path / "上报" / f"{county.year}年度-某县.xlsx"
    assert export_upward(county.settings, county.year, template, out) == out
    return out


def city_reads(county: County, path: Path) -> CycleResult:
    """The city's cycle over the county's return, as the intake reads it."""
    raw = read_workbook(path, COUNTY.code, path.name)
    sub = process_workbook(raw, county.spec, county.year, {COUNTY.code: COUNTY})
    return consolidate(county.spec, county.year, (COUNTY,), [sub])


def test_group_totals_are_stored_and_read_back(county: County) -> None:
    engine = make_engine(county.settings.database_url)
    try:
        stored = read_groups(engine, county.year)
    finally:
        engine.dispose()
    assert stored is not None
    assert stored.tree.groups == GROUPS
    assert [u.parent for u in stored.tree.units] == [u.parent for u in UNITS]
    expected = subtotals(county.spec, Tree(UNITS, GROUPS), county.result.breakdown)
    assert stored.totals == expected
    # 乡镇街道 is 西镇 and the 东片 (东镇; 南乡 sent nothing), cell by cell
    figures = county.result.breakdown
    for cell in county.spec.cells:
        assert stored.totals["xiangzhen"][cell.id] == (
            figures["xizhen"][cell.id] + figures["dongzhen"][cell.id]
        )


def test_the_city_accepts_the_export_and_reproduces_the_county_totals(
    county: County, tmp_path: Path
) -> None:
    out = export(county, tmp_path)
    city = city_reads(county, out)
    (sub,) = city.submissions
    assert sub.status.accepted, [f.message for f in sub.findings]
    assert not [f for f in sub.findings if f.code.startswith("breakdown")]
    assert city.totals == county.result.totals  # every cell, exactly

    wb = load_workbook(out)
    sheet = wb[BREAKDOWN_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    units = [r for r in rows[FIRST_ROW - 1 :] if r[0]]
    assert [r[0] for r in units] == list(county.result.breakdown)
    shas = {s.unit: s.sha256 for s in county.result.accepted}
    assert [(r[2], r[3]) for r in units] == [(shas[r[0]], UNFINALIZED) for r in units]
    for ws in wb.worksheets:  # a draft export says so on every sheet it shows
        if ws.sheet_state == "visible":
            assert ws.oddHeader.center.text == DRAFT_NOTE
            assert any(DRAFT_NOTE in str(c) for row in ws.iter_rows(values_only=True) for c in row)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_export_of_a_finalized_year_names_its_version_and_is_no_draft(
    tmp_path: Path, backend: str
) -> None:
    with database_url(backend, tmp_path) as url:
        county = county_cycle(FORMATS["2021"], tmp_path / "county", url)
        engine = make_engine(url)
        try:
            append(
                engine, [Event(county.year, Action.FINALIZE, datetime.now(UTC), "张三", version=1)]
            )
        finally:
            engine.dispose()
        out = export(county, tmp_path)
        wb = load_workbook(out)
        rows = list(wb[BREAKDOWN_SHEET].iter_rows(values_only=True))
        assert {r[3] for r in rows[FIRST_ROW - 1 :] if r[0]} == {"定稿第1版"}
        for ws in wb.worksheets:
            assert not any(
                DRAFT_NOTE in str(c) for row in ws.iter_rows(values_only=True) for c in row
            )
        assert city_reads(county, out).totals == county.result.totals


def _tamper(path: Path, row: int, column: int, delta: int) -> None:
    wb = load_workbook(path)
    cell = wb[BREAKDOWN_SHEET].cell(row, column)
    cell.value = (cell.value or 0) + delta
    wb.save(path)


def test_a_changed_figure_in_the_breakdown_is_rejected_naming_unit_and_cell(
    county: County, tmp_path: Path
) -> None:
    out = export(county, tmp_path)
    cells = [c.id for c in county.spec.cells]
    column = len(LEAD_IDS) + 1 + cells.index("s3_new_natural")
    row = FIRST_ROW + list(county.result.breakdown).index("ziranju")
    _tamper(out, row, column, 3)
    city = city_reads(county, out)
    (sub,) = city.submissions
    assert sub.status is Status.REJECTED
    found = [f for f in sub.findings if f.code == "breakdown-mismatch"]
    assert [(f.sheet, f.cell, f.row_path) for f in found] == [
        (BREAKDOWN_SHEET, a1(row, column), ("自然资源局（ziranju）",))
    ]
    assert found[0].column_path == (
        *county.spec.cell["s3_new_natural"].row_path,
        *county.spec.cell["s3_new_natural"].column_path,
    )
    assert int(found[0].actual) == int(found[0].expected) + 3


def test_two_offsetting_changes_are_each_named(county: County, tmp_path: Path) -> None:
    """+1 in one unit and −1 in another keep the column's sum: the check codes still name
    both rows."""
    out = export(county, tmp_path)
    column = len(LEAD_IDS) + 1 + [c.id for c in county.spec.cells].index("s4_review_upheld")
    _tamper(out, FIRST_ROW, column, 1)
    _tamper(out, FIRST_ROW + 1, column, -1)
    (sub,) = city_reads(county, out).submissions
    assert sub.status is Status.REJECTED
    altered = [f for f in sub.findings if f.code == "breakdown-altered"]
    assert [f.cell.split(":")[0] for f in altered] == [f"A{FIRST_ROW}", f"A{FIRST_ROW + 1}"]


def test_explain_at_the_city_lists_the_county_units(
    county: County, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = export(county, tmp_path)
    root = tmp_path / "city"
    raw = read_workbook(out, COUNTY.code, out.name)
    keep_bytes(out.read_bytes(), archived_as(root / "archive", raw.sha256, out.name))
    city = city_reads(county, out)
    engine = make_engine(f"sqlite:///{root / 'nianbao.db'}")
    try:
        upgrade(engine)
        store_cycle(engine, city)
    finally:
        engine.dispose()
    args = ["explain", "--year", str(county.year), "s3_new_total", "--root", str(root)]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (source,) = doc["sources"]
    assert source["unit"] == COUNTY.code
    figures = county.result.breakdown
    assert [(b["unit"], b["value"]) for b in source["breakdown"]] == [
        (code, int(values["s3_new_total"])) for code, values in figures.items()
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    county_line = text.index("某县（mouxian）")
    assert all(text.index(f"{u.name}（{u.code}）") > county_line for u in UNITS[:-1])


def test_a_name_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """A unit's name is the county's own text: written as text, read back as text."""
    spec = FORMATS["2021"]
    odd = Unit("odd", '=HYPERLINK("http://x","点")', "department")
    path = make_workbook(
        tmp_path / "inbox" / "odd" / "a.xlsx", odd, unit_figures(5, spec), 2021, spec
    )
    sub = process_workbook(read_workbook(path, "odd", "odd/a.xlsx"), spec, 2021, {"odd": odd})
    result = consolidate(spec, 2021, (odd,), [sub])
    url = f"sqlite:///{tmp_path / 'county.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        store_cycle(engine, result)
    finally:
        engine.dispose()
    county = County(spec, 2021, result, Settings(root=tmp_path, db_url=url))
    out = export(county, tmp_path)
    cell = load_workbook(out)[BREAKDOWN_SHEET].cell(FIRST_ROW, 2)
    assert (cell.value, cell.data_type) == (odd.name, "s")
    (back,) = city_reads(county, out).submissions
    assert back.status.accepted
