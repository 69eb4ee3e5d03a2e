"""End-to-end fixtures: run the real ``nianbao`` CLI (and so a real Prefect run) in a subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO

Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the session, so the temporary server's database is made once."""
    return tmp_path_factory.mktemp("state")


@pytest.fixture
def nianbao(state_dir: Path) -> Runner:
    """Run ``nianbao ARGS...``; fails the test with the output when the exit status is not 0."""

    def run(
        *args: str, check: bool = True, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "NIANBAO_STATE_DIR": str(state_dir),
            "PREFECT_HOME": str(state_dir / "prefect"),
            # Prefect's temporary server per run: no server outlives the tests
            # (``test_local_server`` tests the shared one).
            "NIANBAO_SERVER_IDLE_MINUTES": "0",
            **(extra_env or {}),
        }
        env.pop("PREFECT_API_URL", None)
        proc = subprocess.run(
            [sys.executable, "-m", "nianbao.cli", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and proc.returncode != 0:
            pytest.fail(
                f"nianbao {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    return run


def dump_sqlite(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted, for comparing database states."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()
