"""The Prefect server of ``nianbao run`` when none is configured: started once, then reused.

Without ``PREFECT_API_URL`` Prefect starts a temporary server for every run and stops it at
the end: ~6–7 s of each small run here (~13 s the first time). Instead, the first run
starts the same server (Prefect's own temporary-server command: the API on 127.0.0.1,
SQLite under the project's Prefect home, no UI, no background services) in a small
supervisor process of its own, and later runs find it through ``local-server.json`` in the
Prefect home and use it. The supervisor stops the server once no run has started or ended
for ``idle`` seconds (each run touches ``local-server.used``) and none is running (each holds
a shared lock on ``local-server.users`` until it exits), or when it is stopped itself.

Run as ``python -m nianbao.io.local_server PORT IDLE HOME`` (by ``ensure_server`` only).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO

from nianbao.io.faults import RunFault
from nianbao.io.workers import reap

STATE = "local-server.json"
USED = "local-server.used"
LOCK = "local-server.lock"
LOG = "local-server.log"
USERS = "local-server.users"
POLL = 5.0  # seconds between the supervisor's checks
PR_SET_PDEATHSIG = 1  # prctl(2)
_held: list[IO[str]] = []  # this process's shared lock on USERS, held until it exits


def _healthy(port: int, timeout: float = 1.0) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/api/health"
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One process at a time decides whether to start the server."""
    with open(home / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def mark_used(home: Path) -> None:
    """A run is using the server (it stays up for the idle time after this)."""
    (home / USED).touch()


def running_port(home: Path) -> int | None:
    """The port of this Prefect home's server when it answers."""
    try:
        port = int(json.loads((home / STATE).read_text(encoding="utf-8"))["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return port if _healthy(port) else None


# As Prefect's temporary server (``SubprocessASGIServer``): no UI, no background services.
SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}


def ensure_server(home: Path, idle: float, startup_timeout: float, environ: dict[str, str]) -> str:
    """The API URL of the server for Prefect home ``home``, started when none answers
    (staying up for ``idle`` seconds after its last use, in environment ``environ``).
    Raises ``RunFault`` when it does not answer within ``startup_timeout`` seconds."""
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home):
        if not _held:
            users = open(home / USERS, "a")  # noqa: SIM115 (held until the process exits)
            fcntl.flock(users, fcntl.LOCK_SH)
            _held.append(users)
            atexit.register(mark_used, home)  # idle from the end of the last run
        mark_used(home)
        port = running_port(home)
        if port is None:
            port = _start(home, idle, startup_timeout, {**environ, **SERVER_ENV})
    return f"http://127.0.0.1:{port}/api"


def _start(home: Path, idle: float, startup_timeout: float, env: dict[str, str]) -> int:
    port = _free_port()
    with open(home / LOG, "ab") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "nianbao.io.local_server", str(port), str(idle), str(home)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # not stopped with the run's terminal or process group
            close_fds=True,
        )
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if _healthy(port, timeout=0.5):
            state = {"port": port, "pid": supervisor.pid}
            (home / STATE).write_text(json.dumps(state), encoding="utf-8")
            return port
        if supervisor.poll() is not None:
            break
        time.sleep(0.1)
    supervisor.terminate()
    raise RunFault(f"本机的 Prefect 服务未能启动（详见 {home / LOG}）")


def _server_command(port: int) -> list[str]:
    """Prefect's own temporary-server command (``SubprocessASGIServer``)."""
    import prefect

    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(prefect.__module_path__.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def _die_with_parent() -> None:
    """In the server's process before it starts: SIGTERM when the supervisor ends, even by
    SIGKILL (Linux ``PR_SET_PDEATHSIG``), so that no server is left running unsupervised
    (later runs would find it answering and use it for ever); elsewhere nothing."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def supervise(port: int, idle: float, home: Path) -> int:
    """Run the server on ``port`` (in this process's environment) until it has been idle
    for ``idle`` seconds."""
    server = subprocess.Popen(
        _server_command(port), stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
    )
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while server.poll() is None:
        time.sleep(POLL)
        if stopping or _idle(home, idle):
            with _locked(home):  # a run marks its use under the same lock
                if stopping or _idle(home, idle):
                    _stop(home, port, server)
                    break
    return 0


def _idle(home: Path, idle: float) -> bool:
    """No run started or ended for ``idle`` seconds and none is running."""
    try:
        if time.time() - (home / USED).stat().st_mtime <= idle:
            return False
    except OSError:
        pass
    with open(home / USERS, "a") as users:
        try:
            fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a run holds it
        fcntl.flock(users, fcntl.LOCK_UN)
    return True


def _stop(home: Path, port: int, server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        if json.loads((home / STATE).read_text(encoding="utf-8"))["port"] == port:
            (home / STATE).unlink()
    server.terminate()
    reap(server, timeout=10)


if __name__ == "__main__":
    sys.exit(supervise(int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])))
