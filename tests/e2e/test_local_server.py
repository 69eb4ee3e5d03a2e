"""``nianbao run`` without ``PREFECT_API_URL`` starts one local Prefect server per Prefect
home, later runs reuse it, and it stops by itself once idle."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from nianbao.core.roster import roster_csv
from nianbao.io.local_server import POLL, STATE
from tests.e2e.conftest import Runner
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.e2e
IDLE_MINUTES = 0.5


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _folder(
    tmp_path: Path, idle_minutes: float
) -> tuple[Path, Path, dict[str, str], tuple[str, ...]]:
    """A shared folder with one unit's return, a Prefect home, the run's environment (the
    local server idle for ``idle_minutes``) and the ``nianbao run`` arguments."""
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(ROSTER), encoding="utf-8")
    make_workbook(root / "inbox" / "alpha" / "a.xlsx", ROSTER[0], unit_figures(11))
    home = tmp_path / "prefect"
    env = {"PREFECT_HOME": str(home), "NIANBAO_SERVER_IDLE_MINUTES": str(idle_minutes)}
    return root, home, env, ("run", "--year", "2020", "--root", str(root))


def test_one_server_is_started_reused_and_stopped_when_idle(
    nianbao: Runner, tmp_path: Path
) -> None:
    root, home, env, run = _folder(tmp_path, IDLE_MINUTES)

    nianbao(*run, extra_env=env)
    state = json.loads((home / STATE).read_text(encoding="utf-8"))
    assert _alive(state["pid"])
    make_workbook(root / "inbox" / "beta" / "b.xlsx", ROSTER[1], unit_figures(12))
    second = nianbao(*run, extra_env=env)
    assert "接收2个" in second.stdout
    assert json.loads((home / STATE).read_text(encoding="utf-8")) == state  # the same server

    deadline = time.monotonic() + IDLE_MINUTES * 60 + 3 * POLL + 15
    while _alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(1)
    assert not _alive(state["pid"])
    assert not (home / STATE).exists()


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped by whoever adopts it, maybe late)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return out


def test_a_killed_supervisor_takes_its_server_along_and_the_next_run_starts_one(
    nianbao: Runner, tmp_path: Path
) -> None:
    _, home, env, run = _folder(tmp_path, 10)

    nianbao(*run, extra_env=env)
    state = json.loads((home / STATE).read_text(encoding="utf-8"))
    (server,) = _children(state["pid"])
    os.kill(state["pid"], signal.SIGKILL)  # no chance to stop the server itself
    deadline = time.monotonic() + 30
    while _running(server) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _running(server)

    nianbao(*run, extra_env=env)  # finds no server answering: starts a new one
    fresh = json.loads((home / STATE).read_text(encoding="utf-8"))
    assert fresh["pid"] != state["pid"] and _alive(fresh["pid"])
    os.kill(fresh["pid"], signal.SIGTERM)
