"""A cycle stored with ``nianbao.io.db``, its draft rendered as the publish task does, then
the draft compared with the database: directly, and through ``nianbao check-draft``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from sqlalchemy import Engine

from nianbao.cli import main
from nianbao.core.draft_check import parse_number
from nianbao.core.layout import FIRST_BLOCK_ROW, sheet_layout
from nianbao.core.report.build import build_report
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.read import read_totals
from nianbao.io.db.write import store_cycle
from nianbao.io.docx.render import render_docx
from tests.unit.test_report_model import SPEC, cycle_result

pytestmark = pytest.mark.integration

REGION, ISSUER = "绥芬河市", "绥芬河市人民政府"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shared folder whose database holds 2019 and 2020; the 2020 draft rendered."""
    root = tmp_path_factory.mktemp("prepared") / "root"
    root.mkdir()
    engine = make_engine(f"sqlite:///{root / 'nianbao.db'}")
    try:
        upgrade(engine)
        this = cycle_result()
        last_totals = {k: v - 1 if k == "s3_new_total" else v for k, v in this.totals.items()}
        store_cycle(engine, replace(this, year=2019, totals=last_totals))
        store_cycle(engine, this)
        render_stored(engine, root / "report.docx")
    finally:
        engine.dispose()
    return root


@pytest.fixture
def root(prepared: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the prepared folder for each test."""
    copy = tmp_path / "root"
    shutil.copytree(prepared, copy)
    yield copy


def render_stored(engine: Engine, out: Path) -> None:
    """What ``tasks.publish.publish_outputs`` does after ``store_results``."""
    last = read_totals(engine, 2019)
    assert last is not None
    report = build_report(cycle_result(), SPEC, REGION, ISSUER, date(2021, 1, 25), last.totals)
    render_docx(report, out)


def check(root: Path, capsys: pytest.CaptureFixture[str], path: Path | None = None) -> Any:
    code = main(
        ["check-draft", "--year", "2020", str(path or root / "report.docx"), "--root", str(root)]
    )
    return code, capsys.readouterr().out


def test_every_table_figure_equals_the_database(root: Path) -> None:
    engine = make_engine(f"sqlite:///{root / 'nianbao.db'}")
    try:
        stored = read_totals(engine, 2020)
    finally:
        engine.dispose()
    assert stored is not None
    tables = docx.Document(str(root / "report.docx")).tables
    compared = 0
    for table, spec_table in zip(tables, SPEC.tables, strict=True):
        for cell_id, (row, col) in sheet_layout(SPEC, spec_table.key).cells.items():
            text = table.cell(row - FIRST_BLOCK_ROW, col - 1).text
            assert parse_number(text) == stored.totals[cell_id], (cell_id, text)
            compared += 1
    assert compared == len(SPEC.cells) == 198


def test_year_on_year_sentence_from_the_stored_last_year(root: Path) -> None:
    body = "\n".join(p.text for p in docx.Document(str(root / "report.docx")).paragraphs)
    assert "2020年共收到政府信息公开申请11项，比上年增加1项，其中市本级5项" in body


def test_untouched_draft_reports_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(root, capsys)
    assert code == 0, out
    assert "表格数字198个" in out
    assert "与数据库一致" in out
    assert "不一致" not in out


def test_one_edited_cell_and_one_edited_sentence_figure(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = root / "report.docx"
    document = docx.Document(str(path))
    row, col = sheet_layout(SPEC, "s4").cells["s4_review_corrected"]
    cell = document.tables[2].cell(row - FIRST_BLOCK_ROW, col - 1)
    assert cell.text == "1"
    cell.paragraphs[0].runs[0].text = "2"
    par = next(p for p in document.paragraphs if "其中市本级5项，口岸委2项" in p.text)
    (run,) = par.runs
    run.text = run.text.replace("口岸委2项", "口岸委3项")
    edited = root / "edited.docx"
    document.save(str(edited))

    code, out = check(root, capsys, edited)
    assert code == 1
    lines = [ln.strip() for ln in out.splitlines() if ln.strip()[:2] in ("1.", "2.", "3.")]
    assert len(lines) == 2, out
    assert "发现2处与数据库不一致" in out
    assert lines[0].startswith("1. 第3个表格（四、政府信息公开行政复议、行政诉讼情况）第4行第2列")
    assert "〔行政复议 / 结果纠正〕：初稿为“2”，数据库为“1”" in lines[0]
    assert lines[1].startswith("2. 第") and "口岸委3项" in lines[1]
    assert "初稿为“3”，数据库为“2”" in lines[1] and "kouanwei:s3_new_total" in lines[1]


def test_missing_file_and_missing_year(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["check-draft", "--year", "2020", str(root / "nope.docx"), "--root", str(root)]) == 2
    )
    assert "找不到初稿文件" in capsys.readouterr().err
    code = main(["check-draft", "--year", "2018", str(root / "report.docx"), "--root", str(root)])
    assert code == 2
    assert "数据库中没有2018年度的汇总数据" in capsys.readouterr().err


def test_not_a_docx(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = root / "bad.docx"
    bad.write_text("not a zip", encoding="utf-8")
    assert main(["check-draft", "--year", "2020", str(bad), "--root", str(root)]) == 2
    assert "无法读取初稿" in capsys.readouterr().err


def test_a_changed_database_is_reported(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After a rerun changed a figure, the old draft no longer matches."""
    engine = make_engine(f"sqlite:///{root / 'nianbao.db'}")
    try:
        this = cycle_result()
        totals = {**this.totals, "s2_penalty_decisions": Decimal(480)}
        store_cycle(engine, replace(this, totals=totals))
    finally:
        engine.dispose()
    code, out = check(root, capsys)
    assert code == 1
    assert "〔第二十条第（六）项 / 行政处罚 / 处理决定数量〕：初稿为“472”，数据库为“480”" in out
    # 一（一）'s sentence now reads 共483件，比上年增加8件 instead of 共475件，与上年持平
    assert "未找到生成的语句“作出行政处罚和行政强制处理决定共483件，比上年增加8件，" in out
    assert "发现2处与数据库不一致" in out


def test_a_draft_with_the_incomplete_notice_is_not_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stored run left a unit out (rejected) and one sent nothing: the draft says so at its
    top, and check-draft lists that notice and exits 1 until it is gone."""
    root = tmp_path / "root"
    root.mkdir()
    result = cycle_result(complete=False)
    engine = make_engine(f"sqlite:///{root / 'nianbao.db'}")
    try:
        upgrade(engine)
        store_cycle(engine, result)
    finally:
        engine.dispose()
    report = build_report(result, SPEC, REGION, ISSUER, date(2021, 1, 25))
    assert report.notice is not None
    render_docx(report, root / "report.docx")

    code, out = check(root, capsys)
    assert code == 1, out
    (line,) = [ln for ln in out.splitlines() if ln.startswith("初稿尚不能定稿")]
    assert "第3段" in line and "卫健局（已退回）" in line and "民政局（未报送）" in line
    assert "与数据库一致" in out  # the figures themselves agree

    document = docx.Document(str(root / "report.docx"))
    notice = next(p for p in document.paragraphs if p.text == report.notice.text)
    notice._p.getparent().remove(notice._p)
    document.save(str(root / "final.docx"))
    code, out = check(root, capsys, root / "final.docx")
    assert code == 0, out
    assert "初稿尚不能定稿" not in out
    assert "卫健局（已退回）" in out  # still noted: the office removed the notice knowingly
