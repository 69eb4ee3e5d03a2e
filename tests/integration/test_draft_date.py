"""A draft is signed on the day it is made, unless it says what the published one says: then
the published draft stays (bytes, modification time and date)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from nianbao.core.model import CycleResult
from nianbao.io.db.last_year import LastYear
from nianbao.io.staging import Staging
from nianbao.settings import Settings
from tasks import publish
from tasks.inputs import CycleInputs
from tests.unit.test_report_model import SPEC, cycle_result

pytestmark = pytest.mark.integration


def publish_on(day: date, result: CycleResult, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    class Today(date):
        @classmethod
        def today(cls) -> date:
            return day

    monkeypatch.setattr(publish, "date", Today)
    monkeypatch.setattr(publish, "get_run_logger", lambda: logging.getLogger("test"))
    out = root / "output" / str(result.year)
    out.mkdir(parents=True, exist_ok=True)
    staging = Staging(out)
    settings = Settings(root=root, workers=1)  # the draft made here: ``Today`` stays local
    inputs = CycleInputs(result.year, SPEC.id, result.roster, settings, LastYear())
    paths = publish.publish_outputs.fn(inputs, result, staging)
    assert isinstance(paths, dict) and staging.publish() == []
    return Path(paths["report"])


def signed(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_the_draft_keeps_its_date_while_it_says_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cycle_result()
    draft = publish_on(date(2021, 1, 25), result, tmp_path, monkeypatch)
    before = (draft.read_bytes(), draft.stat().st_mtime_ns)
    assert "2021年1月25日" in signed(draft)

    again = publish_on(date(2021, 2, 1), result, tmp_path, monkeypatch)
    assert (again.read_bytes(), again.stat().st_mtime_ns) == before

    more = {**result.totals, "s3_new_total": result.totals["s3_new_total"] + 1}
    changed = publish_on(date(2021, 2, 1), replace(result, totals=more), tmp_path, monkeypatch)
    text = signed(changed)
    assert "2021年2月1日" in text and "2021年1月25日" not in text
