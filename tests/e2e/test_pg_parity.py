"""The same demo on SQLite and on PostgreSQL gives identical ``nianbao totals --json``.

Both runs go through the CLI and a real Prefect run. PostgreSQL comes from
``NIANBAO_TEST_PG_URL`` (each run in a fresh schema); under ``CI`` a missing URL fails.
The SQLite run's 汇总表 is read back and its 合计 row checked against the same totals.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.databases import fresh_pg_schema, pg_url
from tests.e2e.conftest import Runner

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_demo_on_sqlite_and_postgresql_gives_identical_totals(
    nianbao: Runner, tmp_path: Path
) -> None:
    url = pg_url()
    nianbao("demo", "--root", str(tmp_path / "A"))
    on_sqlite = nianbao("totals", "--year", "2020", "--root", str(tmp_path / "A"), "--json")

    with fresh_pg_schema(url) as scoped:
        nianbao("demo", "--root", str(tmp_path / "B"), "--db", scoped)
        assert not (tmp_path / "B" / "nianbao.db").exists()
        on_pg = nianbao("totals", "--year", "2020", "--db", scoped, "--json")
        explain_pg = nianbao("explain", "--year", "2020", "s3_new_total", "--db", scoped, "--json")
    explain_sqlite = nianbao(
        "explain", "--year", "2020", "s3_new_total", "--root", str(tmp_path / "A"), "--json"
    )

    assert on_pg.stdout == on_sqlite.stdout
    doc = json.loads(on_sqlite.stdout)
    assert doc["totals"]["s3_new_total"] == 11
    assert doc["totals"]["s2_procurement_amount"] == 2911.14

    def chain(out: str) -> list[tuple[str, object, str, str]]:
        return [(s["unit"], s["value"], s["sheet"], s["cell"]) for s in json.loads(out)["sources"]]

    assert chain(explain_pg.stdout) == chain(explain_sqlite.stdout)
    assert len(chain(explain_pg.stdout)) == 4

    ws = load_workbook(tmp_path / "A" / "output" / "2020" / "汇总表.xlsx").active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    ids, total = rows[1], rows[-1]
    assert total[1] == "合计"
    from_xlsx = {cid: Decimal(str(v)) for cid, v in zip(ids[3:], total[3:], strict=True)}
    assert from_xlsx == {cid: Decimal(str(v)) for cid, v in doc["totals"].items()}
    assert (
        (tmp_path / "B" / "output" / "2020" / "汇总表.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    )
