"""Beijing time wherever a person reads a time: status.json (with the +08:00 offset),
status.xlsx (an Excel date), the ``status`` command; a file received at 02:00 UTC is 10:00."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.cli import main
from nianbao.core.board import board_header
from nianbao.core.process import consolidate, process_workbook
from nianbao.io.db.last_year import LastYear
from nianbao.io.staging import Staging
from nianbao.io.xlsx_read import read_workbook
from nianbao.settings import Settings
from tasks import publish
from tasks.inputs import CycleInputs
from tests.helpers import ROSTER, make_workbook, unit_figures
from tests.integration.real_cycle import SPEC, YEAR

pytestmark = pytest.mark.integration
AT_0200_UTC = datetime(2021, 1, 10, 2, tzinfo=UTC)
TEN = datetime(2021, 1, 10, 10)
TIME = "接收时间（北京时间）"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alpha and beta send at 02:00 UTC; gamma sends nothing; the outputs are published."""
    root = tmp_path / "root"
    units = {u.code: u for u in ROSTER}
    subs = []
    for i, code in enumerate(("alpha", "beta")):
        path = make_workbook(
            root / "inbox" / code / "a.xlsx",
            units[code],
            unit_figures(20 + i),
            received=AT_0200_UTC,
        )
        subs.append(
            process_workbook(read_workbook(path, code, f"{code}/a.xlsx"), SPEC, YEAR, units)
        )
    deadline = datetime(2021, 1, 9, 10, tzinfo=UTC)  # 18:00 in Beijing
    result = consolidate(SPEC, YEAR, ROSTER, subs, deadline=deadline)
    monkeypatch.setattr(publish, "get_run_logger", lambda: logging.getLogger("test"))
    out = root / "output" / str(YEAR)
    out.mkdir(parents=True)
    staging = Staging(out)
    issued = date(2021, 1, 25)
    settings = Settings(root=root, region="本市", issuer="本市人民政府", issue_date=issued)
    inputs = CycleInputs(YEAR, SPEC.id, ROSTER, settings, LastYear())
    publish.publish_outputs.fn(inputs, result, staging)
    assert staging.publish() == []
    return root


def test_status_json_carries_local_times_with_their_offset(root: Path) -> None:
    doc = json.loads((root / "output" / str(YEAR) / "status.json").read_text(encoding="utf-8"))
    assert doc["deadline"] == "2021-01-09T18:00:00+08:00"
    received = {u["code"]: u["received_at"] for u in doc["units"]}
    assert received == {
        "alpha": "2021-01-10T10:00:00+08:00",
        "beta": "2021-01-10T10:00:00+08:00",
        "gamma": None,
    }
    assert [u["late"] for u in doc["units"]] == [True, True, False]


def test_status_xlsx_holds_dates_and_numbers(root: Path) -> None:
    ws = load_workbook(root / "output" / str(YEAR) / "status.xlsx")["报送情况"]
    header = [c.value for c in ws[2]]
    assert header == board_header()
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    at = header.index(TIME)
    for name in ("甲局", "乙镇"):
        assert rows[name][at].value == TEN and rows[name][at].is_date
    assert rows["丙委"][at].value is None
    counts = [rows[n][header.index(c)].value for n in rows for c in ("错误", "提示", "其中已说明")]
    assert counts and all(isinstance(v, int) for v in counts)


def test_status_command_prints_local_time_and_rewrites_the_book(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = root / "output" / str(YEAR) / "status.xlsx"
    book.unlink()
    assert main(["status", "--year", str(YEAR), "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert TIME in out and "2021-01-10 10:00:00" in out and "02:00:00" not in out
    ws = load_workbook(book)["报送情况"]
    assert ws.cell(3, board_header().index(TIME) + 1).value == TEN
