"""The review's storage on SQLite and PostgreSQL: decisions recorded and read back, the audit
rows and versions that the database refuses to change, and what a clerk prints of a return
(the reason first, rendered with LibreOffice)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from nianbao.cli import main
from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Status, Unit
from nianbao.core.parse import Extracted, extract
from nianbao.core.process import consolidate, process_workbook
from nianbao.core.review import Action, Event
from nianbao.core.review_notes import return_text
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.review import append, cases, ledger
from nianbao.io.db.schema import ReviewEvent, Version
from nianbao.io.db.write import store_cycle
from nianbao.io.feedback import write_rejection
from nianbao.io.pdf_preview import find_soffice, to_pdf
from nianbao.io.xlsx_read import read_workbook
from tests.conftest import update_docs_image
from tests.databases import BACKENDS, database_url
from tests.helpers import make_workbook, unit_figures
from tests.integration.test_preview import need

pytestmark = pytest.mark.integration
UNIT = Unit("fgw", "市发展和改革委员会", "部门", "赵敏", "0453-3921001")
AT = datetime(2021, 2, 1, 2, tzinfo=UTC)  # 10:00 in Beijing
REASON = "第三部分“本年新收政府信息公开申请数量”与登记台账（23件）不符，请核实后重新报送"


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as u:
        upgrade(u)
        yield u


def _stored(url: str, tmp_path: Path) -> str:
    """Store a one-unit cycle; returns the unit's file sha256."""
    path = make_workbook(tmp_path / "inbox" / "fgw" / "报表.xlsx", UNIT, unit_figures(5))
    raw = read_workbook(path, "fgw", "fgw/报表.xlsx")
    sub = process_workbook(raw, SPEC, 2020, {"fgw": UNIT})
    engine = make_engine(url)
    try:
        store_cycle(engine, consolidate(SPEC, 2020, (UNIT,), [sub]))
    finally:
        engine.dispose()
    return sub.sha256


def test_decisions_read_back_and_the_cases_are_the_stored_cycle(url: str, tmp_path: Path) -> None:
    sha = _stored(url, tmp_path)
    engine = make_engine(url)
    try:
        event = Event(2020, Action.RETURN, AT, "王五", "fgw", REASON, sha)
        append(engine, [event])
        with engine.connect() as conn:
            (case,) = cases(conn, 2020)
            got = ledger(conn, 2020)
    finally:
        engine.dispose()
    assert (case.unit, case.name, case.sha256, case.status.accepted) == (
        "fgw",
        UNIT.name,
        sha,
        True,
    )
    assert got.events == (event,)
    assert got.decision("fgw", sha) == event


def test_audit_rows_and_versions_cannot_be_changed_or_deleted(url: str, tmp_path: Path) -> None:
    sha = _stored(url, tmp_path)
    engine = make_engine(url)
    try:
        append(engine, [Event(2020, Action.APPROVE, AT, "张三", "fgw", "", sha)])
        with Session(engine) as s, s.begin():
            s.execute(
                insert(Version).values(
                    year=2020,
                    number=1,
                    format=SPEC.id,
                    made_at=AT,
                    actor="张三",
                    reason="",
                    files="{}",
                )
            )
        attempts = [
            update(ReviewEvent).values(actor="李四"),
            update(ReviewEvent).values(reason="改过"),
            delete(ReviewEvent),
            update(Version).values(actor="李四"),
            delete(Version),
        ]
        for statement in attempts:
            with pytest.raises(DBAPIError, match="append-only"), Session(engine) as s, s.begin():
                s.execute(statement)
        with Session(engine) as s:
            (row,) = s.scalars(select(ReviewEvent)).all()
            assert (row.actor, row.reason, row.action) == ("张三", "", "approve")
            (version,) = s.scalars(select(Version)).all()
            assert version.actor == "张三"
    finally:
        engine.dispose()


def test_history_prints_who_when_and_why_in_beijing_time(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sha = _stored(url, tmp_path)
    engine = make_engine(url)
    try:
        append(engine, [Event(2020, Action.RETURN, AT, "王五", "fgw", REASON, sha)])
    finally:
        engine.dispose()
    assert main(["history", "--year", "2020", "--unit", "fgw", "--db", url]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("2021-02-01 10:00:00（北京时间）  fgw  退回（审核意见）：")
    assert REASON in line and "[王五]" in line and sha[:12] in line


def test_a_decision_that_makes_no_sense_is_refused_with_one_line(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stored(url, tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    (root / "roster.csv").write_text(
        "单位代码,单位名称\nfgw,市发展和改革委员会\n", encoding="utf-8"
    )
    where = ["--root", str(root), "--db", url]
    args = ["review", "--year", "2020", "--unit", "fgw"]
    assert main([*args, "--approve", *where]) == 2
    assert "审核人" in capsys.readouterr().err
    assert main([*args, "--approve", "--by", "张三", *where]) == 0
    assert "审核通过" in capsys.readouterr().out
    assert main([*args, "--approve", "--by", "张三", *where]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "无需重复" in err
    assert (
        main(["review", "--year", "2020", "--unit", "nobody", "--approve", "--by", "张三", *where])
        == 2
    )
    assert "没有单位代码" in capsys.readouterr().err
    assert main(["reopen", "--year", "2020", "--reason", "x", "--by", "张三", *where]) == 2
    assert "尚未定稿" in capsys.readouterr().err


def test_the_returned_workbook_prints_the_reason_first(tmp_path: Path) -> None:
    need(find_soffice(), "LibreOffice (soffice)")
    need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    path = make_workbook(tmp_path / "in" / "报表.xlsx", UNIT, unit_figures(5))
    raw = read_workbook(path, "fgw", "fgw/报表.xlsx")
    sub = process_workbook(raw, SPEC, 2020, {"fgw": UNIT})
    assert sub.status is Status.ACCEPTED
    extracted = Extracted()
    list(extract(SPEC, raw.grids, extracted))
    book = tmp_path / "out" / "review-return.xlsx"
    book.parent.mkdir()
    note = return_text(Event(2020, Action.RETURN, AT, "王五", "fgw", REASON, sub.sha256))
    write_rejection(book, SPEC, UNIT, 2020, sub, extracted.values, extracted.texts, returned=note)
    pdf = to_pdf(book, tmp_path / "pdf")
    first = subprocess_text(pdf)
    flat = "".join(first.split())
    assert flat.index("审核意见") < flat.index("如何重新报送")
    assert "".join(REASON.split()) in flat and "王五" in flat
    assert "2021-02-0110:00" in flat  # Beijing time
    target = pdf.parent / "review-return"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(target),
        ],
        check=True,
        timeout=120,
    )
    png = target.with_suffix(".png")
    assert png.stat().st_size > 10_000
    update_docs_image(png)


def subprocess_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
