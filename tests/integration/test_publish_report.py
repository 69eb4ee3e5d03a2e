"""The publish task's draft: last year's totals from the database (同比) and the office's own
template in the shared folder (``ROOT/report-template.docx``)."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from nianbao.cli import main
from nianbao.io.db.last_year import read_last_year
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.write import store_cycle
from nianbao.io.docx.template import template_path
from nianbao.io.staging import Staging
from nianbao.settings import Settings
from tasks import publish
from tasks.inputs import CycleInputs
from tests.unit.test_report_model import SPEC, cycle_result

pytestmark = pytest.mark.integration


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    engine = make_engine(f"sqlite:///{root / 'nianbao.db'}")
    try:
        upgrade(engine)
        this = cycle_result()
        last = {k: v - 2 if k == "s3_new_total" else v for k, v in this.totals.items()}
        store_cycle(engine, replace(this, year=2019, totals=last))
        store_cycle(engine, this)
    finally:
        engine.dispose()
    return root


def publish_draft(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(publish, "get_run_logger", lambda: logging.getLogger("test"))
    out = root / "output" / "2020"
    out.mkdir(parents=True)
    staging = Staging(out)
    settings = Settings(
        root=root, region="绥芬河市", issuer="绥芬河市人民政府", issue_date=date(2021, 1, 25)
    )
    result = cycle_result()
    last = read_last_year(settings.database_url, result.year)  # as the flow reads it
    inputs = CycleInputs(result.year, SPEC.id, result.roster, settings, last)
    paths = publish.publish_outputs.fn(inputs, result, staging)
    assert isinstance(paths, dict) and staging.publish() == []
    return Path(paths["report"])


def test_year_on_year_from_the_database(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = publish_draft(root, monkeypatch)
    body = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "2020年共收到政府信息公开申请11项，比上年增加2项，其中市本级5项" in body
    assert main(["check-draft", "--year", "2020", str(report), "--root", str(root)]) == 0


def test_the_offices_template_in_the_shared_folder(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    own = root / "report-template.docx"
    shutil.copyfile(template_path(), own)
    template = docx.Document(str(own))
    table = next(t for t in template.tables if t.cell(0, 0).text == "编号")
    row = next(r for r in table.rows if r.cells[0].text == "overview")
    row.cells[2].paragraphs[0].runs[0].text = "本市政务公开工作总体情况（请写明牵头单位）。"
    template.save(str(own))

    report = publish_draft(root, monkeypatch)
    texts = [p.text for p in docx.Document(str(report)).paragraphs]
    assert "【待填写：本市政务公开工作总体情况（请写明牵头单位）。】" in texts
    assert main(["check-draft", "--year", "2020", str(report), "--root", str(root)]) == 0
    assert "与数据库一致" in capsys.readouterr().out


def test_no_database_yet_means_no_year_on_year_and_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run before any stored cycle: the draft has no 同比 and no database is created."""
    root = tmp_path / "fresh"
    root.mkdir()
    report = publish_draft(root, monkeypatch)
    body = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "2020年共收到政府信息公开申请11项，其中市本级5项" in body
    assert "比上年" not in body
    assert not (root / "nianbao.db").exists()
