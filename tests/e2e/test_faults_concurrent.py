"""Runs side by side through the real CLI: two and four ``nianbao run`` on one shared folder
take turns and end exactly as one run would (SQLite and PostgreSQL); a run that may not wait
stops naming the other; every file a run writes is readable by the other accounts the
umask lets in.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nianbao.core.roster import roster_csv
from nianbao.io.runlock import RunLock
from tests.conftest import REPO
from tests.databases import BACKENDS, database_url
from tests.e2e.faults_support import (
    YEAR,
    copy_root,
    db_rows,
    described,
    published,
    run_cycle,
    temporaries,
)
from tests.e2e.prefect_server import Server, prefect_server, wait_for
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.e2e

WAITING = "正在由另一次运行进行"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("concurrent")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[Server]:
    with prefect_server(workdir) as running:
        yield running


@pytest.fixture(scope="module")
def source(workdir: Path) -> Path:
    """Two good units and one corrupt file (a receipt, a rejection, a quarantined copy)."""
    root = workdir / "source"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(ROSTER), encoding="utf-8")
    (root / "nianbao.toml").write_text('issue_date = "2021-01-25"\n', encoding="utf-8")
    for i, unit in enumerate(ROSTER[:2]):
        make_workbook(root / "inbox" / unit.code / f"{unit.name}.xlsx", unit, unit_figures(i + 3))
    corrupt = root / "inbox" / ROSTER[2].code / "损坏.xlsx"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"PK\x03\x04 broken")
    os.utime(corrupt, (1610000000, 1610000000))
    return root


@pytest.fixture(scope="module")
def clean(server: Server, source: Path, workdir: Path) -> dict[str, Any]:
    """What one run alone publishes (SQLite; outputs do not depend on the backend)."""
    root = copy_root(source, workdir / "clean")
    proc = run_cycle(server, workdir, root)
    assert proc.returncode == 0, described(proc)
    return {"published": published(root), "rows": db_rows(f"sqlite:///{root / 'nianbao.db'}")}


def start_run(server: Server, home: Path, root: Path, url: str, log: Path) -> subprocess.Popen[str]:
    env = server.client_env(home / "prefect-home")
    env["NIANBAO_STATE_DIR"] = str(home / "state")
    with log.open("w") as out:
        args = ["run", "--year", str(YEAR), "--root", str(root), "--db", url]
        return subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("runs", [2, 4])
def test_concurrent_runs_take_turns_and_end_as_one_run(
    runs: int,
    backend: str,
    server: Server,
    source: Path,
    clean: dict[str, Any],
    tmp_path: Path,
) -> None:
    root = copy_root(source, tmp_path / "root")
    with database_url(backend, tmp_path) as url:
        logs = [tmp_path / f"run-{i}.log" for i in range(runs)]
        procs: list[subprocess.Popen[str]] = []
        try:
            # Held here until every run is waiting for it, so that all of them overlap.
            with RunLock(root, YEAR).hold(0):
                procs += [start_run(server, tmp_path, root, url, log) for log in logs]
                wait_for(
                    lambda: all(WAITING in log.read_text(encoding="utf-8") for log in logs),
                    240,
                    f"{runs} runs waiting for the lock",
                )
            codes = [p.wait(timeout=600) for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        outputs = [log.read_text(encoding="utf-8") for log in logs]
        assert codes == [0] * runs, "\n\n".join(outputs)
        assert all("汇总完成" in out for out in outputs)
        if backend == "sqlite":
            assert db_rows(url) == clean["rows"]
        else:  # the same content as one run on PostgreSQL
            once = copy_root(source, tmp_path / "once")
            with database_url(backend, tmp_path / "once-db") as once_url:
                alone = run_cycle(server, tmp_path, once, once_url)
                assert alone.returncode == 0, described(alone)
                assert db_rows(url) == db_rows(once_url)
    assert published(root) == clean["published"]
    assert temporaries(root) == []


def test_a_run_that_may_not_wait_stops_naming_the_run_that_holds_the_folder(
    server: Server, source: Path, tmp_path: Path
) -> None:
    root = copy_root(source, tmp_path / "root")
    with RunLock(root, YEAR).hold(0):
        refused = run_cycle(server, tmp_path, root, env={"NIANBAO_LOCK_WAIT": "0"})
    assert refused.returncode == 1, described(refused)
    assert f"进程 {os.getpid()}" in refused.stderr and "北京时间" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (root / "output").exists() and not (root / "feedback").exists()


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_every_file_a_run_writes_has_the_mode_the_umask_gives(
    umask: int, server: Server, source: Path, tmp_path: Path
) -> None:
    root = copy_root(source, tmp_path / "root")
    start = time.time()
    proc = run_cycle(server, tmp_path, root, umask=umask)
    assert proc.returncode == 0, described(proc)
    written = [
        p
        for part in ("output", "feedback", "archive", "quarantine", ".nianbao")
        for p in (root / part).rglob("*")
    ]
    assert {"totals.json", "status.json", "汇总表.csv", "report.docx"} <= {p.name for p in written}
    assert any(p.name.endswith("回执.xlsx") for p in written)
    assert any(p.name.endswith("退回修改.xlsx") for p in written)
    wrong = {
        str(p.relative_to(root)): oct(stat.S_IMODE(p.stat().st_mode))
        for p in written
        if stat.S_IMODE(p.stat().st_mode) != (0o777 if p.is_dir() else 0o666) & ~umask
    }
    assert wrong == {}
    assert all(p.stat().st_mtime >= start - 1 for p in written if p.is_file())
