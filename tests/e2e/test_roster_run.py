"""A run on a roster saved by Excel on Chinese Windows, and its logs reaching Prefect."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.core.model import Unit
from nianbao.core.roster import UnitKind
from tests.conftest import REPO
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e

# "CSV (逗号分隔)" from Excel on Chinese Windows: GBK, CRLF, Chinese headers in its own order.
ROSTER = (
    "序号,单位代码,单位名称,单位类型,联系人\r\n"
    "1,alpha,甲局,部门,王强\r\n"
    "2,beta,乙镇测试退回,乡镇,\r\n"
)


def test_gbk_roster_runs_and_every_log_reaches_the_server(state_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inbox" / "beta").mkdir(parents=True)
    (root / "roster.csv").write_bytes(ROSTER.encode("gbk"))
    make_workbook(root / "inbox" / "alpha" / "甲局.xlsx", Unit("alpha", "甲局"), unit_figures(3))
    (root / "inbox" / "beta" / "乙镇.xlsx").write_bytes(b"not a workbook")

    env = {
        **os.environ,
        "NIANBAO_STATE_DIR": str(state_dir),
        "PREFECT_HOME": str(state_dir / "prefect"),
        # Logs wait a minute before being sent: at exit they are always still queued, and
        # must be sent before Prefect's temporary server stops.
        "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "60",
    }
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "run", "--year", "2020", "--root", str(root)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Error logging to API" not in proc.stderr
    assert "Traceback" not in proc.stderr

    status = json.loads((root / "output" / "2020" / "status.json").read_text(encoding="utf-8"))
    assert [(u["code"], u["name"], u["status"], u["contact"]) for u in status["units"]] == [
        ("alpha", "甲局", "accepted", "王强"),
        ("beta", "乙镇测试退回", "rejected", ""),
    ]
    with sqlite3.connect(root / "nianbao.db") as db:
        kinds = sorted(db.execute("SELECT code, kind FROM units"))
    assert kinds == [("alpha", UnitKind.DEPARTMENT), ("beta", UnitKind.TOWNSHIP)]

    prefect_db = sqlite3.connect(state_dir / "prefect" / "prefect.db")
    try:
        query = "SELECT count(*) FROM log WHERE message LIKE '%乙镇测试退回%'"
        (sent,) = prefect_db.execute(query).fetchone()
    finally:
        prefect_db.close()
    assert sent >= 1  # the warnings about the rejected unit were stored by the server
