"""Shared folders, runs and comparisons for the fault tests.

A cycle of ``N`` units (enough that the intake and the receipts use worker processes and the
database write runs in a process of its own) in two states: A (one unit's file corrupt, ten
units missing) and B (the corrupt file corrected, the ten arrived). Workbooks are made by
patching one real filled template (``benchmarks/xlsx_patch.py``): seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
from sqlalchemy import MetaData, select

from benchmarks.figures import unit_figures
from benchmarks.xlsx_patch import Patcher
from nianbao.core.formats import format_for_year
from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from nianbao.io.atomic import is_temporary
from nianbao.io.db.migrate import make_engine
from nianbao.io.offload import APART_FROM
from nianbao.io.template_fill import fill_workbook
from nianbao.io.template_writer import write_template
from tests.conftest import REPO
from tests.e2e.prefect_server import Server

YEAR = 2020
N = APART_FROM + 20  # the database write runs apart; intake and receipts use workers
MISSING_IN_A = 10
T0 = datetime(YEAR + 1, 1, 10, tzinfo=UTC).timestamp()
CONFIG = f'region = "测试市"\nissuer = "测试市人民政府"\nissue_date = "{YEAR + 1}-01-25"\n'
PROTO = Unit("proto-fault-unit", "故障测试原型", "部门")


@dataclass(frozen=True)
class Pool:
    """Every unit's valid workbook, made once; shared folders link to them."""

    folder: Path
    roster: tuple[Unit, ...]

    def file(self, i: int) -> Path:
        unit = self.roster[i]
        return self.folder / unit.code / f"{unit.name}{YEAR}年报表.xlsx"


def make_pool(folder: Path, n: int = N) -> Pool:
    """``n`` units' valid workbooks of the report year, each received one second apart."""
    spec = format_for_year(YEAR)
    pool = Pool(folder, tuple(Unit(f"u{i:04d}", f"单位{i:04d}", "部门") for i in range(n)))
    figures = unit_figures(spec, n, seed=13)
    prototype = folder / "prototype.xlsx"
    folder.mkdir(parents=True)
    write_template(spec, PROTO, YEAR, prototype)
    fill_workbook(prototype, figures[0])
    patcher = Patcher(spec, prototype, PROTO.code, PROTO.name)
    for i, (unit, values) in enumerate(zip(pool.roster, figures, strict=True)):
        patcher.write(pool.file(i), unit.code, unit.name, values, T0 + i)
    return pool


def _link(pool: Pool, i: int, root: Path) -> None:
    target = root / "inbox" / pool.roster[i].code / pool.file(i).name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(pool.file(i), target)


def prepare_a(pool: Pool, root: Path) -> Path:
    """State A: unit 0's file is corrupt, the last ``MISSING_IN_A`` units have none."""
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(pool.roster), encoding="utf-8")
    (root / "nianbao.toml").write_text(CONFIG, encoding="utf-8")
    broken = root / "inbox" / pool.roster[0].code / "第一次报送.xlsx"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    os.utime(broken, (T0 - 86400, T0 - 86400))
    for i in range(1, len(pool.roster) - MISSING_IN_A):
        _link(pool, i, root)
    return root


def advance_to_b(pool: Pool, root: Path) -> None:
    """State B: unit 0's corrected file and the missing units' files arrive."""
    _link(pool, 0, root)
    for i in range(len(pool.roster) - MISSING_IN_A, len(pool.roster)):
        _link(pool, i, root)


def run_cycle(
    server: Server,
    home: Path,
    root: Path,
    db_url: str | None = None,
    env: dict[str, str] | None = None,
    umask: int | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """``nianbao run`` for ``root`` against ``server``, in a session of its own (a fault
    point kills the whole group: the run and its workers, never the test)."""
    full = server.client_env(home / "prefect-home")
    full["NIANBAO_STATE_DIR"] = str(home / "state")
    full.update(env or {})
    args = ["run", "--year", str(YEAR), "--root", str(root)]
    args += ["--db", db_url] if db_url else []
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def described(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


# --- what a folder and a database hold -------------------------------------------------


def files(folder: Path) -> list[Path]:
    """Every file under ``folder`` that is not a temporary or inside a staging folder."""
    out = []
    for dirpath, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not is_temporary(d)]
        out += [Path(dirpath) / n for n in names if not is_temporary(n)]
    return sorted(out)


def temporaries(root: Path) -> list[Path]:
    """Every temporary file or staging folder left anywhere under ``root``."""
    found = []
    for dirpath, dirs, names in os.walk(root):
        found += [Path(dirpath) / n for n in [*dirs, *names] if is_temporary(n)]
    return found


def content(path: Path) -> Any:
    """What a reader of ``path`` gets: parsed JSON, text, cell values, paragraphs."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if suffix == ".csv":
        return path.read_text(encoding="utf-8-sig")
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
        finally:
            book.close()
    if suffix == ".docx":
        doc = docx.Document(str(path))
        tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
        return {"paragraphs": [p.text for p in doc.paragraphs], "tables": tables}
    return path.read_bytes()


def digest(folder: Path) -> dict[str, Any]:
    """Relative path → content of every file under ``folder`` (``Unreadable`` for a file
    that a reader cannot open)."""
    out: dict[str, Any] = {}
    for path in files(folder):
        try:
            out[path.relative_to(folder).as_posix()] = content(path)
        except Exception as exc:
            out[path.relative_to(folder).as_posix()] = Unreadable(repr(exc))
    return out


@dataclass(frozen=True)
class Unreadable:
    """A file that does not parse (a truncated JSON, a zip that is not a workbook)."""

    error: str


def invalid(snapshot: dict[str, Any]) -> list[str]:
    """The files of a ``published`` snapshot that a reader cannot open."""
    return [
        f"{part}/{name}: {value.error}"
        for part, contents in snapshot.items()
        for name, value in contents.items()
        if isinstance(value, Unreadable)
    ]


def published(root: Path) -> dict[str, Any]:
    """What a run publishes: outputs and the units' feedback."""
    return {"output": digest(root / "output"), "feedback": digest(root / "feedback")}


def db_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows without surrogate keys (ids and the foreign keys to them), sorted:
    equal for equal content whatever ids a database handed out."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(bind=engine)
        out = {}
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                cols = [c for c in table.columns if c.name != "id" and not c.foreign_keys]
                rows = conn.execute(select(*cols)).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return out
    finally:
        engine.dispose()


def copy_root(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


# --- a database that goes away ---------------------------------------------------------


class Proxy:
    """A TCP relay to a database server; ``stop`` is the server going away (every
    connection dropped, new ones refused), ``start`` it coming back on the same port.
    ``stop_on(marker)`` stops it as soon as a client sends ``marker`` (a statement)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port: int = s.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._marker: bytes | None = None
        self.tripped = threading.Event()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop_on(self, marker: bytes) -> None:
        self.tripped.clear()
        self._marker = marker

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    client.close()
                    server.close()
                    return
                self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        tail = b""
        try:
            while data := source.recv(65536):
                marker = self._marker
                if upstream and marker and marker in tail + data:
                    self._marker = None
                    self.tripped.set()
                    self.stop()
                    return
                tail = data[-64:]
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            listener.close()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
