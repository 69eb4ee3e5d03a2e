"""What a clerk prints of the roster's tree and of an upward export, through LibreOffice:
汇总表 with its 小计 rows, and the export's 下级单位明细 with the draft note on every sheet.

The pages are saved as PNG (``docs/img/`` with ``NIANBAO_UPDATE_DOCS_IMG=1``) to be looked at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nianbao.core.formats import FORMATS
from nianbao.core.upward import BREAKDOWN_SHEET, DRAFT_NOTE
from nianbao.io.pdf_preview import find_soffice
from tests.databases import database_url
from tests.integration.test_preview import need
from tests.integration.test_print import a4, printout, save_png
from tests.integration.test_roster_tree import TREE, run
from tests.integration.test_roster_tree import returns as returns  # the fixture
from tests.integration.test_upward import UNITS, county_cycle, export

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _tools() -> None:
    need(find_soffice(), "LibreOffice (soffice)")
    need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")


def test_summary_with_subtotal_rows_prints(
    tmp_path: Path, returns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "roster.csv").write_text(TREE, encoding="utf-8")
    done = run(root, returns, monkeypatch)
    printed = printout(done.out("汇总表.xlsx"), tmp_path / "pdf")
    first = printed.pages[0]
    assert a4(first) and first.landscape
    for words in ("全市", "市直部门", "东片乡镇", "小计（已接收1个，共2个单位）", "合计"):
        assert words in first.flat
    # the tree order on paper: each group's line above its units
    assert first.flat.index("市直部门") < first.flat.index("财政局") < first.flat.index("乡镇街道")
    save_png(printed.pdf, 1, "print-summary-groups")


def test_upward_export_prints_its_breakdown_and_the_draft_note(tmp_path: Path) -> None:
    with database_url("sqlite", tmp_path / "county") as url:
        county = county_cycle(FORMATS["2021"], tmp_path / "county", url)
    out = export(county, tmp_path)
    printed = printout(out, tmp_path / "pdf")
    pages = printed.of(BREAKDOWN_SHEET)
    assert pages
    number, page = pages[0]
    assert a4(page) and page.landscape
    for unit in UNITS[:-1]:  # every unit that sent figures (南乡 did not)
        assert unit.name in page.flat
    assert "合计" in page.flat
    # every printed page, of every sheet, says it is a draft
    assert all(DRAFT_NOTE in p.flat for p in printed.pages)
    save_png(printed.pdf, number, "print-upward-breakdown")
