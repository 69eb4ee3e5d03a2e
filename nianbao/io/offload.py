"""Store a cycle while the outputs are written, and commit only when the caller says so.

The store writes everything in one transaction and then waits at a ``Gate``: the flow opens
it (commit) once the outputs and the units' feedback are completely written under
temporary names, or closes it (roll back) when they could not be. So the database never
holds a cycle whose outputs could not be written, and the outputs are published (renamed
into place) only after the commit.

Storing ten thousand units' figures is seconds of CPU-bound Python; so is writing the
outputs. In one process they take turns (one interpreter lock), so a large cycle is stored
by a process of its own (``python -m nianbao.io.offload``, at lower CPU priority, started
ahead by ``standby`` once the run knows it will store): the cycle is sent once, pickled, and
the two sides then exchange "ready", "commit"/"abort" and the outcome. If the calling
process dies, the store process reads end-of-file (waiting for the cycle or at the gate) and
rolls back.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import IO, Any

from nianbao.core.formats import FORMATS
from nianbao.core.groups import group_totals
from nianbao.core.model import CycleResult
from nianbao.io import heap
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.write import Slimmed, store_cycle
from nianbao.io.faults import RunFault, fault_point
from nianbao.io.workers import BACKGROUND, reap

# Submissions from which a cycle is stored apart; smaller ones in the calling process. At
# N = 100 (a warm server, a fresh shared folder) the flow run took 1.69 s with the store here
# and 1.44 s with it apart, the whole `nianbao run` 3.65 and 3.57 s (medians of seven): the
# store's imports and writes run on the other core while the flow writes the outputs.
APART_FROM = 50


class Gate:
    """Between the store and its caller: the store says when it is ready to commit (or
    that it ended without getting there), the caller opens (commit) or closes (roll back)."""

    def __init__(self) -> None:
        self._reached = threading.Event()
        self._ready = False
        self._decided = threading.Event()
        self._commit = False

    def ready(self) -> None:
        """The store: everything is written, the commit waits for the verdict."""
        self._ready = True
        self._reached.set()

    def ended(self) -> None:
        """The store: finished (committed, rolled back or failed)."""
        self._reached.set()

    def wait_ready(self) -> bool:
        """The caller: block until the store is ready (True) or ended without being ready."""
        self._reached.wait()
        return self._ready

    def open(self) -> None:
        """The caller: commit (no effect once closed)."""
        if not self._decided.is_set():
            self._commit = True
            self._decided.set()

    def close(self) -> None:
        """The caller: roll back (no effect once opened)."""
        self._decided.set()

    def verdict(self) -> bool:
        """The store: block until decided; True to commit."""
        self._decided.wait()
        return self._commit


class _RolledBack(Exception):
    """Raised inside the transaction when the gate was closed."""


class StoreProcessDied(RunFault):
    """The store process ended without an answer (killed, out of memory)."""


def store(
    db_url: str,
    result: CycleResult,
    before_commit: Callable[[], object] | None = None,
    fault: str | None = None,
    slimmed: Slimmed | None = None,
) -> None:
    """Migrate the schema to head, then store the cycle idempotently (one transaction);
    ``before_commit`` may roll it back by raising."""

    def ready() -> None:
        fault_point("store", fault)
        if before_commit is not None:
            before_commit()

    engine = make_engine(db_url)
    try:
        upgrade(engine)
        store_cycle(engine, result, ready, slimmed)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class StoreJob:
    """A cycle to store: in this process (``result``), or pickled for a store process of
    its own (``payload``)."""

    db_url: str
    result: CycleResult | None
    payload: bytes | None
    fault: str | None


def stored_apart(submissions: int, workers: int) -> bool:
    """Whether a cycle of ``submissions`` is stored by a process of its own."""
    return workers != 1 and submissions >= APART_FROM


_STANDBY: list[subprocess.Popen[bytes]] = []  # a store process started ahead, unused yet
_STANDBY_LOCK = threading.Lock()


def standby() -> None:
    """Start the store process now, before the cycle is ready: it imports SQLAlchemy and
    the store (~0.4 s) while the run reads its files, then waits for the cycle. Nothing when
    one is already waiting; one never used reads end-of-file at exit and ends."""
    with _STANDBY_LOCK:
        if not any(proc.poll() is None for proc in _STANDBY):
            _STANDBY.append(_start())


def _start() -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    with contextlib.suppress(OSError):  # ended already: its answer says why
        os.setpriority(os.PRIO_PROCESS, proc.pid, BACKGROUND)  # its imports too
    return proc


def _take() -> subprocess.Popen[bytes]:
    """The store process ``standby`` started, if it still runs; else a new one."""
    with _STANDBY_LOCK:
        waiting, _STANDBY[:] = list(_STANDBY), []
    for proc in waiting:
        if proc.poll() is None:
            return proc
        _close(proc)
    return _start()


@atexit.register
def _stop_standby() -> None:
    with _STANDBY_LOCK:
        waiting, _STANDBY[:] = list(_STANDBY), []
    for proc in waiting:
        _close(proc)


def _close(proc: subprocess.Popen[bytes]) -> None:
    """Close the store process's pipes and wait for it (it ends once its input closes)."""
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    reap(proc, timeout=60)


def store_job(
    db_url: str,
    result: CycleResult,
    workers: int = 0,
    fault: str | None = None,
    restored: Collection[tuple[str, str]] = frozenset(),
) -> StoreJob:
    """The job of storing ``result``: apart when the cycle is large (and ``workers`` is not
    1). Call it before anything else uses ``result`` concurrently: a large cycle is pickled
    here, while nothing fills the result's lazily computed indexes.

    The submissions ``restored`` (unit, sha256) from stored checks go to a store process
    without their figures and texts, which the database holds: at 10,000 units with one
    file changed, pickling the result took the flow ~1.0 CPU s (0.7 of it the figures'
    decimals) and unpickling it as much again in the store process; without them ~0.15 s.
    """
    if not stored_apart(len(result.submissions), workers):
        return StoreJob(db_url, result, None, fault)
    omitted = frozenset(k for s in result.submissions if (k := (s.unit, s.sha256)) in restored)
    sums = group_totals(FORMATS[result.format], result) if result.groups else None
    slimmed = Slimmed(omitted, sums)
    slim = replace(
        result,
        submissions=tuple(
            replace(s, values={}, texts={}) if (s.unit, s.sha256) in omitted else s
            for s in result.submissions
        ),
    )
    payload = pickle.dumps((db_url, slim, fault, slimmed), protocol=pickle.HIGHEST_PROTOCOL)
    return StoreJob(db_url, None, payload, fault)


def store_gated(job: StoreJob, gate: Gate) -> bool:
    """Store the job's cycle, committing only if ``gate`` is opened; True when committed."""
    try:
        if job.result is not None:

            def verdict() -> None:
                gate.ready()
                if not gate.verdict():
                    raise _RolledBack

            try:
                store(job.db_url, job.result, verdict, job.fault)
            except _RolledBack:
                return False
            return True
        assert job.payload is not None
        return _store_apart(job.payload, gate)
    finally:
        gate.ended()


def _send(stream: IO[bytes], payload: object) -> None:
    pickle.dump(payload, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def _store_apart(payload: bytes, gate: Gate) -> bool:
    proc = _take()
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(payload)
        proc.stdin.flush()
        kind, value = pickle.load(proc.stdout)
        if kind == "ready":
            gate.ready()
            committing = gate.verdict()
            _send(proc.stdin, "commit" if committing else "abort")
            kind, value = pickle.load(proc.stdout)
        if kind == "error":
            raise value
        return bool(kind == "committed")
    except (EOFError, BrokenPipeError) as exc:
        raise StoreProcessDied(f"写入数据库的进程 {proc.pid} 意外退出，数据库未改变") from exc
    finally:
        _close(proc)


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError carrying its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError("".join(traceback.format_exception(exc)))
    if not isinstance(exc, RunFault):
        exc.add_note("in the store process:\n" + "".join(traceback.format_exception(exc)))
    return exc


def _serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """The store process: one cycle, one verdict, one answer."""
    try:
        db_url, result, fault, slimmed = pickle.load(source)
    except EOFError:  # the caller failed before sending it
        return

    def verdict() -> None:
        _send(sink, ("ready", None))
        try:
            committing = pickle.load(source) == "commit"
        except EOFError:  # the caller died: roll back
            committing = False
        if not committing:
            raise _RolledBack

    try:
        store(db_url, result, verdict, fault, slimmed)
        answer: tuple[str, Any] = ("committed", None)
    except _RolledBack:
        answer = ("rolled back", None)
    except BaseException as exc:
        answer = ("error", _picklable(exc))
    with contextlib.suppress(BrokenPipeError):  # the caller may be gone
        _send(sink, answer)


def main() -> None:
    """Entry point of the store process: ``python -m nianbao.io.offload`` (its caller lowers
    its CPU priority)."""
    heap.for_large_heaps()
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything the store prints goes to stderr, not into the answers
    sys.stdout = sys.stderr
    _serve(sys.stdin.buffer, sink)
    sink.close()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
