"""Several years side by side: ``nianbao totals --year Y --compare Y-1`` reads both from the
database and shows this year, last year and the change per cell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import CycleResult
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.write import store_cycle
from tests.databases import BACKENDS, database_url
from tests.helpers import ROSTER

pytestmark = pytest.mark.integration

MONEY = "s2_procurement_amount"


def totals(seed: int) -> dict[str, Decimal]:
    out = {c.id: Decimal((i * seed) % 50) for i, c in enumerate(SPEC.cells)}
    out[MONEY] = Decimal("2911.14") if seed == 1 else Decimal("3000.5")
    return out


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as u:
        engine = make_engine(u)
        try:
            upgrade(engine)
            for year, seed in ((2020, 1), (2021, 2), (2022, 3)):
                store_cycle(engine, CycleResult(year, SPEC.id, ROSTER, (), totals(seed)))
        finally:
            engine.dispose()
        yield u


def test_compare_shows_this_year_last_year_and_the_change(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["totals", "--year", "2021", "--compare", "2020", "--db", url, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["year"], doc["compare_year"]) == (2021, 2020)
    assert [c["id"] for c in doc["cells"]] == [c.id for c in SPEC.cells]
    this, last = totals(2), totals(1)
    for cell in doc["cells"]:
        cid = cell["id"]
        assert cell["comparable"] is True
        assert Decimal(str(cell["this"])) == this[cid]
        assert Decimal(str(cell["last"])) == last[cid]
        assert Decimal(str(cell["change"])) == this[cid] - last[cid], cid
    money = next(c for c in doc["cells"] if c["id"] == MONEY)
    assert money["change"] == pytest.approx(89.36)
    assert money["phrase"] == "比上年增加89.36万元"


def test_compare_text_and_a_year_not_stored(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["totals", "--year", "2022", "--compare", "2021", "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2022年度（2019年版）与2021年度（2019年版）汇总数对比")
    line = next(ln for ln in out.splitlines() if ln.startswith(MONEY))
    assert line.split()[:4] == [MONEY, "3000.5", "3000.5", "0"]
    assert main(["totals", "--year", "2022", "--compare", "2019", "--db", url]) == 2
    assert "数据库中没有2019年度的汇总数据" in capsys.readouterr().err


def test_plain_totals_json_is_unchanged_by_history(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["totals", "--year", "2020", "--db", url, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"year", "format", "totals", "units"}
    assert doc["totals"][MONEY] == 2911.14
    assert doc["units"] == {}
