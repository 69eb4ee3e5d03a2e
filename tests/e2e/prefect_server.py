"""A real ``prefect server`` and ``nianbao serve`` / ``nianbao watch`` in subprocesses.

Every process is started in its own session and stopped by its process group, serve and
watch before the server; every wait has a deadline. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import REPO

PG_ENV = "NIANBAO_TEST_PREFECT_PG_URL"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.5) -> T:
    """Call ``check`` until it returns something truthy, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def base_env(home: Path) -> dict[str, str]:
    """The environment of every process started here: own PREFECT_HOME, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        PYTHONUNBUFFERED="1",
    )
    home.mkdir(parents=True, exist_ok=True)
    return env


def reset_database(url: str) -> None:
    """Drop and recreate the Prefect test database so every session starts empty."""
    target = make_url(url)
    name = target.database or ""
    if not name.startswith("nianbao_prefect"):
        raise AssertionError(f"{PG_ENV} must name a nianbao_prefect* test database, not {name!r}")
    admin = create_engine(
        target.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


@dataclass
class Proc:
    """A started subprocess whose output goes to ``log``."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the process group, then SIGKILL if it has not ended in ``timeout``."""
        if self.popen.poll() is None:
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
                try:
                    os.killpg(self.popen.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.popen.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # children left in the group (e.g. a flow-run subprocess) go too
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)


def start(name: str, argv: list[str], env: dict[str, str], logs: Path, cwd: Path = REPO) -> Proc:
    """Start ``argv`` in ``cwd`` (the repository), in a new session, logging to
    ``logs/<name>.log``."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Proc(name, popen, log)


@dataclass
class Server:
    """A running ``prefect server start`` on 127.0.0.1."""

    proc: Proc
    port: int
    home: Path
    logs: Path
    database: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def client_env(self, home: Path) -> dict[str, str]:
        """Environment of a client process (serve, watch) talking to this server."""
        env = base_env(home)
        env["PREFECT_API_URL"] = self.api_url
        return env

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, timeout=30)


@contextmanager
def prefect_server(tmp: Path, postgres: bool = True) -> Iterator[Server]:
    """``prefect server start`` on a free port; PostgreSQL-backed when ``PG_ENV`` is set
    (and ``postgres``), else SQLite under the server's PREFECT_HOME."""
    pg_url = os.environ.get(PG_ENV) if postgres else None
    home = tmp / "server-home"
    env = base_env(home)
    env["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = "5"
    if pg_url:
        reset_database(pg_url)
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = pg_url
    port = free_port()
    # the UI asks /ui-settings where the API is; --port alone leaves that at 4200
    env["PREFECT_SERVER_API_HOST"] = "127.0.0.1"
    env["PREFECT_SERVER_API_PORT"] = str(port)
    env["PREFECT_SERVER_UI_API_URL"] = f"http://127.0.0.1:{port}/api"
    prefect = str(Path(sys.executable).with_name("prefect"))
    argv = [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    proc = start("server", argv, env, tmp / "logs")
    server = Server(proc, port, home, tmp / "logs", "postgresql" if pg_url else "sqlite")
    try:

        def healthy() -> bool:
            if not proc.alive():
                raise AssertionError(f"prefect server exited:\n{proc.output()}")
            try:
                return httpx.get(f"{server.api_url}/health", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, 180, "the Prefect server to become healthy")
        yield server
    finally:
        proc.stop()


def nianbao_process(
    server: Server,
    name: str,
    args: list[str],
    tmp: Path,
    extra_env: dict[str, str] | None = None,
    cwd: Path = REPO,
) -> Proc:
    """Start ``nianbao ARGS`` against ``server`` with its own PREFECT_HOME and state folder
    (from the code in ``cwd``: the repository, or another checkout given by ``extra_env``'s
    PYTHONPATH)."""
    env = server.client_env(tmp / f"{name}-home")
    env["NIANBAO_STATE_DIR"] = str(tmp / f"{name}-state")
    env.update(extra_env or {})
    return start(name, [sys.executable, "-m", "nianbao.cli", *args], env, server.logs, cwd)


def deployment_id(client: httpx.Client, flow: str, name: str, proc: Proc | None = None) -> str:
    """Wait until the deployment ``flow/name`` exists; returns its id."""

    def find() -> str | None:
        if proc is not None and not proc.alive():
            raise AssertionError(f"{proc.name} exited:\n{proc.output()}")
        r = client.get(f"/deployments/name/{flow}/{name}")
        return str(r.json()["id"]) if r.status_code == 200 else None

    return wait_for(find, 120, f"deployment {flow}/{name}")


def flow_runs(client: httpx.Client, deployment: str) -> list[dict[str, Any]]:
    """Every flow run of a deployment, oldest first."""
    body = {
        "deployments": {"id": {"any_": [deployment]}},
        "sort": "EXPECTED_START_TIME_ASC",
        "limit": 200,
    }
    r = client.post("/flow_runs/filter", json=body)
    r.raise_for_status()
    runs: list[dict[str, Any]] = r.json()
    return runs


def wait_finished(client: httpx.Client, run_id: str, timeout: float = 300) -> dict[str, Any]:
    """Wait for a flow run to reach a terminal state; returns the run."""

    def done() -> dict[str, Any] | None:
        run: dict[str, Any] = client.get(f"/flow_runs/{run_id}").json()
        return run if run["state"]["type"] in TERMINAL else None

    return wait_for(done, timeout, f"flow run {run_id} to finish", every=1.0)


def run_logs(client: httpx.Client, run_id: str) -> str:
    """A flow run's log lines (for failure messages)."""
    r = client.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}})
    return "\n".join(line["message"] for line in r.json()) if r.status_code == 200 else r.text
