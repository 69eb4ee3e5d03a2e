"""(c): ``nianbao run`` end to end in a child process, against a running Prefect server or cold.

The child's wall time, its peak RSS (``os.wait4``), the peak RSS of its whole process tree
(sampled from /proc: the flow process plus its worker processes) and, from the server, the
number of task runs of the flow run it created.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.workbooks import WorkbookSet
from tests.e2e.prefect_server import Server, base_env

FLOW = "nianbao-annual-cycle"


@dataclass(frozen=True)
class RunResult:
    seconds: float
    rss_mb: float  # the flow process (getrusage of the child)
    tree_mb: float  # flow process + workers, sampled
    cpu: float  # CPU seconds (user + system) of the flow process and its workers
    returncode: int
    log: Path


def fresh_root(wset: WorkbookSet, root: Path) -> Path:
    """A new shared folder whose inbox is the generated set (read only), nothing else yet.

    ``root`` must not exist: deleting tens of thousands of files right before a timed run
    leaves the file system busy during it (see ``clear_runs``).
    """
    root.mkdir(parents=True)
    for name in ("roster.csv", "nianbao.toml"):
        shutil.copy(wset.root / name, root / name)
    (root / "inbox").symlink_to(wset.root / "inbox", target_is_directory=True)
    return root


def clear_runs(runs: Path) -> None:
    """Remove the shared folders of earlier benchmark runs (before anything is timed)."""
    if runs.exists():
        shutil.rmtree(runs)
    os.sync()


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo += _children(p)
    return total


def run_cycle(wset: WorkbookSet, root: Path, env: dict[str, str], log: Path) -> RunResult:
    """``nianbao run --year Y --root ROOT`` in a child process; waits for it to end."""
    argv = [sys.executable, "-m", "nianbao.cli", "run", "--year", str(wset.year), "--root"]
    peak = [0]
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [*argv, str(root)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root
        )
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], tree_rss_kb(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime  # includes the reaped worker processes
    return RunResult(seconds, rss, max(peak[0] / 1024, rss), cpu, child.returncode, log)


def warm_env(server: Server, home: Path, state: Path) -> dict[str, str]:
    """A client of the running server (PREFECT_API_URL set)."""
    env = server.client_env(home)
    env["NIANBAO_STATE_DIR"] = str(state)
    env["PREFECT_LOGGING_LEVEL"] = "WARNING"
    return env


def cold_env(home: Path, state: Path) -> dict[str, str]:
    """The embedded default: no API URL, a fresh PREFECT_HOME (temporary server, new DB)."""
    if home.exists():
        shutil.rmtree(home)
    env = base_env(home)
    env["NIANBAO_STATE_DIR"] = str(state)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
    return env


def task_runs(server: Server, timeout: float = 120) -> tuple[str, int]:
    """(state, task-run count) of the newest run of the flow, once the count stops changing."""
    with httpx.Client(base_url=server.api_url, timeout=30) as client:
        body = {"flows": {"name": {"any_": [FLOW]}}, "sort": "START_TIME_DESC", "limit": 1}
        (run,) = client.post("/flow_runs/filter", json=body).json()
        query = {"flow_runs": {"id": {"any_": [run["id"]]}}}
        last, stable, deadline = -1, 0, time.monotonic() + timeout
        while stable < 3 and time.monotonic() < deadline:
            count = int(client.post("/task_runs/count", json=query).json())
            stable = stable + 1 if count == last else 0
            last = count
            time.sleep(1)
        state = client.get(f"/flow_runs/{run['id']}").json()["state"]["type"]
        return state, last


def _newest_run(client: httpx.Client) -> dict[str, Any]:
    body = {"flows": {"name": {"any_": [FLOW]}}, "sort": "START_TIME_DESC", "limit": 1}
    (run,) = client.post("/flow_runs/filter", json=body).json()
    return dict(run)


def _task_runs(client: httpx.Client, run: dict[str, Any]) -> list[dict[str, Any]]:
    query = {"flow_runs": {"id": {"any_": [run["id"]]}}, "limit": 200}
    return list(client.post("/task_runs/filter", json=query).json())


def task_durations(server: Server) -> dict[str, float]:
    """Seconds spent per task name in the newest run of the flow (summed over batches)."""
    with httpx.Client(base_url=server.api_url, timeout=30) as client:
        run = _newest_run(client)
        out: dict[str, float] = {"flow run": float(run.get("total_run_time") or 0)}
        for t in _task_runs(client, run):
            name = t["name"].rsplit("-", 1)[0]
            out[name] = out.get(name, 0.0) + float(t.get("total_run_time") or 0)
        return out


def timeline(server: Server) -> list[tuple[str, float, float]]:
    """(task run, start, end) in seconds from the newest flow run's start, by start."""
    with httpx.Client(base_url=server.api_url, timeout=30) as client:
        run = _newest_run(client)
        zero = datetime.fromisoformat(run["start_time"])
        out = []
        for t in _task_runs(client, run):
            if t.get("start_time") and t.get("end_time"):
                start = (datetime.fromisoformat(t["start_time"]) - zero).total_seconds()
                end = (datetime.fromisoformat(t["end_time"]) - zero).total_seconds()
                out.append((t["name"], start, end))
        if run.get("end_time"):
            end = (datetime.fromisoformat(run["end_time"]) - zero).total_seconds()
            out.append(("(flow run ends)", end, end))
        return sorted(out, key=lambda row: (row[1], row[2]))
