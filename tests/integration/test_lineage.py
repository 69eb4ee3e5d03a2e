"""Lineage: a stored total traced back to each unit's file and workbook cell.

Real workbooks go through the pipeline (calamine read, validation, consolidation, store);
``nianbao explain`` must then name each contributing file's sha256, the sheet and cell, and
that cell of the workbook (read back with openpyxl) must hold the unit's value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import Engine, inspect, text

from nianbao.cli import main
from nianbao.core.layout import locate
from nianbao.io.db.migrate import alembic_config, make_engine, upgrade
from nianbao.io.db.write import store_cycle
from tests.databases import BACKENDS, database_url
from tests.integration.real_cycle import SPEC, YEAR, RealCycle, build_real_cycle

pytestmark = pytest.mark.integration

INPUT = "s3_new_natural"
MONEY = "s2_procurement_amount"
DERIVED = "s3_new_total"


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> RealCycle:
    return build_real_cycle(tmp_path_factory.mktemp("inbox"))


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as u:
        yield u


@pytest.fixture
def stored(url: str, cycle: RealCycle) -> Iterator[Engine]:
    engine = make_engine(url)
    upgrade(engine)
    store_cycle(engine, cycle.result)
    yield engine
    engine.dispose()


def explain(url: str, cell: str, *extra: str, capsys: pytest.CaptureFixture[str]) -> Any:
    assert main(["explain", "--year", str(YEAR), cell, "--db", url, "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def workbook_value(path: Path, sheet: str, cell: str) -> Decimal:
    value = load_workbook(path)[sheet][cell].value
    assert isinstance(value, int | float), (sheet, cell, value)
    return Decimal(str(value))


@pytest.mark.parametrize("cell_id", [INPUT, MONEY])
def test_explain_traces_an_input_total_to_each_workbook_cell(
    stored: Engine, url: str, cycle: RealCycle, cell_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = explain(url, cell_id, capsys=capsys)
    sheet, ref = locate(SPEC, cell_id)
    assert (doc["sheet"], doc["cell"]) == (sheet, ref)
    assert Decimal(str(doc["total"])) == cycle.result.totals[cell_id]
    assert [s["unit"] for s in doc["sources"]] == ["alpha", "beta"]  # gamma was rejected
    for src in doc["sources"]:
        code = src["unit"]
        raw = cycle.raws[code]
        assert src["sha256"] == raw.sha256
        assert src["file"] == raw.file
        received = datetime.fromisoformat(src["received_at"])
        assert received == raw.received_at and received.utcoffset() == timedelta(hours=8)
        assert (src["sheet"], src["cell"]) == (sheet, ref)
        value = Decimal(str(src["value"]))
        assert value == cycle.figures[code][cell_id]
        assert workbook_value(cycle.files[code], src["sheet"], src["cell"]) == value
    assert sum(Decimal(str(s["value"])) for s in doc["sources"]) == Decimal(str(doc["total"]))
    assert [(e["unit"], e["status_label"]) for e in doc["excluded"]] == [("gamma", "已退回")]
    assert cycle.old_alpha.sha256 not in {s["sha256"] for s in doc["sources"]}


def test_explain_lists_what_a_derived_total_sums(
    stored: Engine, url: str, cycle: RealCycle, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = explain(url, DERIVED, capsys=capsys)
    rhs = SPEC.definitions[DERIVED].rhs
    assert doc["kind"] == "derived"
    assert [d["cell_id"] for d in doc["derived_from"]] == list(rhs)
    for d in doc["derived_from"]:
        assert (d["sheet"], d["cell"]) == locate(SPEC, d["cell_id"])
    for src in doc["sources"]:
        parts = sum(
            workbook_value(cycle.files[src["unit"]], d["sheet"], d["cell"])
            for d in doc["derived_from"]
        )
        assert Decimal(str(src["value"])) == parts


def test_explain_text_names_file_hash_and_cell_in_chinese(
    stored: Engine, url: str, cycle: RealCycle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "--year", str(YEAR), INPUT, "--db", url, "--unit", "beta"]) == 0
    out = capsys.readouterr().out
    sheet, ref = locate(SPEC, INPUT)
    assert cycle.raws["beta"].sha256 in out
    assert cycle.raws["alpha"].sha256 not in out
    assert f"工作表“{sheet}”单元格 {ref}" in out
    assert "接收时间：2021-01-11 23:30:00（北京时间）" in out
    assert "乙镇（beta）" in out


def test_the_chain_is_queryable_in_sql(stored: Engine, cycle: RealCycle) -> None:
    with stored.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT unit_code, sha256, sheet, cell, value, total FROM lineage "
                "WHERE year = :year AND cell_id = :cell ORDER BY position"
            ),
            {"year": YEAR, "cell": MONEY},
        ).all()
    sheet, ref = locate(SPEC, MONEY)
    assert [(r.unit_code, r.sha256, r.sheet, r.cell) for r in rows] == [
        (code, cycle.raws[code].sha256, sheet, ref) for code in ("alpha", "beta")
    ]
    assert sum(Decimal(str(r.value)) for r in rows) == cycle.result.totals[MONEY]
    assert {Decimal(str(r.total)) for r in rows} == {cycle.result.totals[MONEY]}


def test_locations_fall_back_to_the_layout_when_not_stored(
    stored: Engine, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with stored.begin() as conn:
        conn.execute(text("DELETE FROM cell_locations"))
    doc = explain(url, INPUT, capsys=capsys)
    assert {(s["sheet"], s["cell"]) for s in doc["sources"]} == {locate(SPEC, INPUT)}


def test_rerun_keeps_locations_and_downgrade_to_0001_drops_the_view(
    stored: Engine, cycle: RealCycle
) -> None:
    with stored.connect() as conn:
        before = conn.execute(text("SELECT * FROM cell_locations ORDER BY id")).all()
    assert len(before) == len(SPEC.cells)
    store_cycle(stored, cycle.result)
    with stored.connect() as conn:
        assert conn.execute(text("SELECT * FROM cell_locations ORDER BY id")).all() == before
    with stored.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    assert "lineage" not in inspect(stored).get_view_names()
    assert "cell_locations" not in inspect(stored).get_table_names()
    with stored.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cell_values")).scalar_one() > 0
    upgrade(stored)
    assert "lineage" in inspect(stored).get_view_names()
    store_cycle(stored, cycle.result)
    with stored.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM lineage")).scalar_one()
    assert count == 2 * len(SPEC.cells)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "--year", "2020", "no_such_cell"], "没有单元格编号“no_such_cell”"),
        (["explain", "--year", "2031", INPUT], "没有2031年度"),
    ],
)
def test_explain_errors_are_chinese(
    stored: Engine, url: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：")
    assert message in err
