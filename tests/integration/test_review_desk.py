"""The review actions on a real shared folder and SQLite database: an accepted warning shows
in the unit's receipt, the review list, and ``review = true`` counting only approved units
(the draft's notice names those awaiting review)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.cli import main
from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import ReviewState, Status
from nianbao.core.process import consolidate, process_workbook
from nianbao.core.report.build import build_report
from nianbao.core.review import Action
from nianbao.core.roster import roster_csv
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.review import read_ledger
from nianbao.io.db.write import store_cycle
from nianbao.io.review_desk import review_unit
from nianbao.io.xlsx_read import read_workbook
from nianbao.settings import load_settings
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
S3 = "三、依申请公开"


def _root(tmp_path: Path) -> Path:
    """alpha's return leaves a cell blank (a warning, explained); beta's is plain."""
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(ROSTER[:2]), encoding="utf-8")
    alpha = make_workbook(
        root / "inbox" / "alpha" / "报表.xlsx",
        ROSTER[0],
        unit_figures(3),
        texts={"explanation": "该项本年未统计。"},
    )
    stamp = alpha.stat().st_mtime
    wb = load_workbook(alpha)
    wb[S3]["E12"] = None
    wb.save(alpha)
    os.utime(alpha, (stamp, stamp))
    make_workbook(root / "inbox" / "beta" / "报表.xlsx", ROSTER[1], unit_figures(4))
    subs = [
        process_workbook(
            read_workbook(p, p.parent.name, f"{p.parent.name}/{p.name}"),
            SPEC,
            2020,
            {u.code: u for u in ROSTER},
        )
        for p in sorted((root / "inbox").rglob("*.xlsx"))
    ]
    assert [s.status for s in subs] == [Status.ACCEPTED_WITH_WARNINGS, Status.ACCEPTED]
    url = f"sqlite:///{root / 'nianbao.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        store_cycle(engine, consolidate(SPEC, 2020, ROSTER[:2], subs))
    finally:
        engine.dispose()
    return root


def test_an_accepted_warning_shows_in_the_receipt(tmp_path: Path) -> None:
    root = _root(tmp_path)
    settings = load_settings(root=root)
    event, receipt = review_unit(
        settings, 2020, "alpha", Action.ACCEPT_WARNING, "张三", finding="blank-cell"
    )
    assert receipt is not None and receipt.name.endswith("回执.xlsx")
    rows = list(load_workbook(receipt).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    lead = {r[0]: r[2] for r in rows if r and r[0] and r[2]}
    assert lead["审核状态"] == "待审核"
    assert lead["说明已认可"].endswith("（blank-cell）")
    ledger = read_ledger(settings.database_url, 2020)
    assert ledger.accepted_warnings("alpha", event.sha256) == {"blank-cell"}


def test_the_review_list_puts_units_with_warnings_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    assert main(["review", "--year", "2020", "--list", "--root", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].strip().startswith("甲局（alpha）：1类提示 blank-cell")
    assert (
        lines[2].strip().startswith("乙镇（beta）：1类提示 plausibility-kind")
    )  # a township with 规章
    review_unit(load_settings(root=root), 2020, "beta", Action.APPROVE, "张三")
    assert main(["review", "--year", "2020", "--list", "--root", str(root)]) == 0
    assert "乙镇" not in capsys.readouterr().out


def test_with_review_on_only_approved_units_count_and_the_draft_says_who_waits(
    tmp_path: Path,
) -> None:
    root = _root(tmp_path)
    settings = load_settings(root=root)
    review_unit(settings, 2020, "beta", Action.APPROVE, "张三")
    ledger = read_ledger(settings.database_url, 2020)
    subs = [
        process_workbook(
            read_workbook(p, p.parent.name, f"{p.parent.name}/{p.name}"),
            SPEC,
            2020,
            {u.code: u for u in ROSTER},
        )
        for p in sorted((root / "inbox").rglob("*.xlsx"))
    ]

    def hold(unit: str, sha: str, status: Status) -> ReviewState | None:
        return ledger.held_out(unit, sha, status, review=True)

    result = consolidate(SPEC, 2020, ROSTER[:2], subs, hold=hold)
    assert [s.unit for s in result.accepted] == ["beta"]
    assert result.totals["s3_new_total"] == subs[1].values["s3_new_total"]
    report = build_report(result, SPEC, "本市", "本市人民政府", date(2021, 2, 1))
    assert report.notice is not None
    assert "甲局的报表尚待审核" in report.notice.text
    counted_all = consolidate(SPEC, 2020, ROSTER[:2], subs)
    assert counted_all.totals["s3_new_total"] == sum(s.values["s3_new_total"] for s in subs)
