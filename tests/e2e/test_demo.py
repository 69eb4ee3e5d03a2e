"""The whole January cycle on the seed, through the CLI and a real Prefect run."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.formats import FORMAT_2021
from nianbao.core.layout import locate
from tests.conftest import DATA
from tests.e2e.conftest import Runner, dump_sqlite
from tests.e2e.seed_text import seed_tables

pytestmark = pytest.mark.e2e


def _docx_numbers(path: Path) -> list[str]:
    doc = Document(str(path))
    return [cell.text.strip() for table in doc.tables for row in table.rows for cell in row.cells]


def test_demo_reproduces_the_seed_tables_and_reruns_idempotently(
    nianbao: Runner, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    first = nianbao("demo", "--root", str(root))
    assert first.stdout.count("汇总完成") == 2  # a rejection, then the corrected return

    seed = seed_tables(DATA / "suifenhe-2020-annual-report.txt", SPEC)
    doc = json.loads((root / "output" / "2020" / "totals.json").read_text(encoding="utf-8"))
    assert (doc["year"], doc["format"]) == (2020, "2019")
    assert {k: Decimal(str(v)) for k, v in doc["totals"].items()} == seed
    per_unit_new = {code: vals["s3_new_total"] for code, vals in doc["units"].items()}
    assert per_unit_new == {"shibenji": 5, "kouanwei": 2, "zrzyj": 3, "funingzhen": 1}

    status = json.loads((root / "output" / "2020" / "status.json").read_text(encoding="utf-8"))
    units = {u["code"]: u for u in status["units"]}
    assert {code: u["status"] for code, u in units.items()} == {
        "shibenji": "accepted",
        "kouanwei": "accepted",
        "zrzyj": "accepted_with_warnings",
        "funingzhen": "accepted",
    }
    (warning,) = units["zrzyj"]["findings"]
    assert warning["code"] == "narrative-table-mismatch" and warning["explained"]
    assert all(not units[c]["findings"] for c in ("shibenji", "kouanwei", "funingzhen"))
    (slipped,) = units["kouanwei"]["superseded"]
    assert slipped["file"] != units["kouanwei"]["file"]
    folder = root / "feedback" / "kouanwei"
    feedback = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert len(feedback) == 1 and feedback[0].endswith("回执.xlsx")  # the current verdict only
    history = sorted(p.name for p in (folder / "历史").iterdir())
    assert len(history) == 1 and history[0].endswith("退回修改.xlsx")
    assert slipped["sha256"][:12] in history[0]

    report = root / "output" / "2020" / "report.docx"
    paragraphs = "\n".join(p.text for p in Document(str(report)).paragraphs)
    assert "绥芬河市2020年政府信息公开工作年度报告" in paragraphs
    assert "其中市本级5项，口岸委2项，自然资源局3项，阜宁镇1项" in paragraphs
    cells = _docx_numbers(report)
    for figure in ("63407", "19036", "-74", "+21", "-158", "+29", "1745", "121"):
        assert figure in cells, figure
    assert any("2911.14" in c for c in cells)
    checked = nianbao("check-draft", "--year", "2020", str(report), "--root", str(root))
    assert "表格数字198个" in checked.stdout and "与数据库一致" in checked.stdout

    totals_cli = json.loads(
        nianbao("totals", "--year", "2020", "--root", str(root), "--json").stdout
    )
    assert totals_cli["totals"] == doc["totals"]
    assert totals_cli["units"] == doc["units"]

    before = dump_sqlite(root / "nianbao.db")
    again = nianbao("demo", "--root", str(root))
    assert again.stdout.count("汇总完成") == 1  # the inbox is complete: a plain rerun
    assert dump_sqlite(root / "nianbao.db") == before
    assert sum(len(rows) for rows in before.values()) > 0


def test_demo_2021_follows_2020_in_the_same_root(nianbao: Runner, tmp_path: Path) -> None:
    root = tmp_path / "root"
    nianbao("demo", "--year", "2021", "--root", str(root))
    docs = {
        year: json.loads((root / "output" / str(year) / "totals.json").read_text(encoding="utf-8"))
        for year in (2020, 2021)
    }
    assert (docs[2020]["format"], docs[2021]["format"]) == ("2019", "2021")
    assert len(docs[2021]["totals"]) == 10 + 175 + 15
    columns = ("natural", "commercial", "research", "nonprofit", "legal", "other", "total")
    for code, units in docs[2021]["units"].items():
        for col in columns:
            carried_in = units[f"s3_carried_in_{col}"]
            assert carried_in == docs[2020]["units"][code][f"s3_carried_out_{col}"], (code, col)
    status = json.loads((root / "output" / "2021" / "status.json").read_text(encoding="utf-8"))
    assert {u["status"] for u in status["units"]} == {"accepted"}
    for code in docs[2021]["units"]:
        wb = load_workbook(root / "templates" / "2021" / f"{code}.xlsx")
        sheet, ref = locate(FORMAT_2021, "s3_carried_in_natural")
        assert wb[sheet][ref].protection.locked
