"""A few worker processes for CPU-bound batch work: pipes, pickles, nothing shared.

Each worker is ``python -m nianbao.io.workers``: a clean interpreter that imports only what
the functions it is sent need (multiprocessing's spawn and forkserver would re-import the
parent's ``__main__``, which under a Prefect deployment is ``prefect.engine``). The parent
sends ``(function, args)`` frames and reads back the result or the worker's traceback.
Workers are started on first use, reused by later batches in the same process, and stopped
when the process exits (or, if the parent dies, when their input pipe closes). A worker for
a call made apart can be started ahead (``prepare``), its imports done while the caller works.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import IO, Any, TypeVar

from nianbao.io import heap

T = TypeVar("T")
_HEADER = struct.Struct("<Q")
BACKGROUND = 10  # ``nice`` of helpers whose work may wait for the calling process


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class WorkerError(RuntimeError):
    """A job failed in a worker (the message holds the worker's traceback).

    An ``OSError`` or ``MemoryError`` in a worker is raised again as itself (the worker's
    traceback in a note), so that the caller can tell a full disk from a bug.
    """


def _send(stream: IO[bytes], payload: object) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def reap(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait for a process asked to end; killed if it has not within ``timeout`` seconds."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _Worker:
    def __init__(self, nice: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", __name__, *(["--nice", str(nice)] if nice else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.state: set[object] = set()  # keys of the shared state this worker holds

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            _send(self.proc.stdin, (fn, args))
            ok, value = _receive(self.proc.stdout)
        except (EOFError, OSError) as exc:
            raise WorkerError(f"worker process {self.proc.pid} ended unexpectedly") from exc
        if not ok:
            trace, error = value
            if error is not None:
                error.add_note(f"in worker process {self.proc.pid}:\n{trace}")
                raise error
            raise WorkerError(trace)
        return value

    def hang_up(self) -> None:
        """Close the worker's input: it finishes and exits."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def stop(self) -> None:
        self.hang_up()
        reap(self.proc, timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class Workers:
    """``n`` worker processes; ``map`` runs jobs on them, one batch at a time.

    ``nice`` lowers their CPU priority (as ``nice(1)``): work that may wait for the
    calling process when both want the cores.
    """

    def __init__(self, n: int, nice: int = 0) -> None:
        self.n = n
        self.nice = nice
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()

    def map(
        self,
        fn: Callable[..., Any],
        jobs: Sequence[tuple[Any, ...]],
        setup: tuple[object, Callable[..., Any], tuple[Any, ...]] | None = None,
    ) -> list[Any]:
        """``[fn(*job) for job in jobs]`` on the workers, in order.

        ``setup`` is ``(key, function, args)``: run once on each worker that does not hold
        ``key`` yet, for state its jobs share (sent once, not with every job).
        """
        with self._lock:
            self._start()
            todo: queue.SimpleQueue[int] = queue.SimpleQueue()
            for i in range(len(jobs)):
                todo.put(i)
            results: list[Any] = [None] * len(jobs)
            errors: list[BaseException] = []

            def drive(worker: _Worker) -> None:
                try:
                    if setup is not None and setup[0] not in worker.state:
                        worker.call(setup[1], *setup[2])
                        worker.state = {setup[0]}
                    while not errors:
                        try:
                            i = todo.get_nowait()
                        except queue.Empty:
                            return
                        results[i] = worker.call(fn, *jobs[i])
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=drive, args=(w,)) for w in self._workers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if errors:
                self._stop()
                raise errors[0]
            return results

    def _start(self) -> None:
        if any(w.proc.poll() is not None for w in self._workers):
            self._stop()
        while len(self._workers) < self.n:
            self._workers.append(_Worker(self.nice))

    def _stop(self) -> None:
        workers, self._workers = self._workers, []
        for w in workers:  # all at once, then wait for each
            w.hang_up()
        for w in workers:
            w.stop()

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._stop()


def apart(fn: Callable[..., T], *args: Any) -> Future[T]:
    """``fn(*args)`` in a worker process of its own (one ``prepare`` started, or one started
    now) while the caller goes on; the process ends with the call. ``fn`` is pickled by
    reference: the caller imports its module, the worker whatever ``fn`` imports when it
    runs."""
    done: Future[T] = Future()

    def run() -> None:
        worker = _take_spare()
        try:
            done.set_result(worker.call(fn, *args))
        except BaseException as exc:
            done.set_exception(exc)
        finally:
            worker.stop()

    threading.Thread(target=run, name="apart", daemon=True).start()
    return done


_SPARES: list[tuple[_Worker, Future[None]]] = []  # started by ``prepare``: (worker, imports)
_SPARES_LOCK = threading.Lock()


def prepare(modules: Sequence[str]) -> None:
    """Start the worker of the next ``apart`` call now, importing ``modules`` while the
    caller goes on, so that the call does not wait for them (python-docx for the draft:
    ~0.3 s); nothing when one is already waiting. Stopped at exit if never used."""
    with _SPARES_LOCK:
        if _SPARES:
            return
        worker = _Worker()
        imported: Future[None] = Future()
        _SPARES.append((worker, imported))

    def load() -> None:
        try:
            worker.call(_import_all, tuple(modules))
            imported.set_result(None)
        except BaseException as exc:  # the call made apart then starts a worker of its own
            imported.set_exception(exc)

    threading.Thread(target=load, name="prepare", daemon=True).start()


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(name)


def _take_spare() -> _Worker:
    """The worker ``prepare`` started, once its imports are done; else a new one."""
    with _SPARES_LOCK:
        if not _SPARES:
            return _Worker()
        worker, imported = _SPARES.pop()
    if imported.exception() is None and worker.proc.poll() is None:
        return worker
    worker.stop()
    return _Worker()


_SHARED: dict[tuple[int, int], Workers] = {}
_SHARED_LOCK = threading.Lock()


def shared_workers(n: int, nice: int = 0) -> Workers:
    """The process's pool of ``n`` workers at ``nice`` (started on first use, stopped at
    exit)."""
    with _SHARED_LOCK:
        if (n, nice) not in _SHARED:
            _SHARED[n, nice] = Workers(n, nice)
        return _SHARED[n, nice]


@atexit.register
def _close_shared() -> None:
    for pool in list(_SHARED.values()):
        pool.close()
    with _SPARES_LOCK:
        spares, _SPARES[:] = list(_SPARES), []
    for worker, _ in spares:
        worker.stop()


def _serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """A worker's loop: run each received call, send back its result or traceback. A caller
    that is gone meanwhile (stopped or killed: its end of the pipe closed) ends the loop
    quietly; there is nobody left to answer."""
    while True:
        try:
            fn, args = _receive(source)
        except EOFError:
            return
        try:
            _answer(sink, fn, args)
        except BrokenPipeError:
            return


def _answer(sink: IO[bytes], fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = fn(*args)
    except BaseException as exc:
        _failed(sink, exc)
        return
    try:
        _send(sink, (True, result))
    except BrokenPipeError:
        raise
    except BaseException as exc:  # the result does not pickle (pickling precedes any write)
        _failed(sink, exc)


def _failed(sink: IO[bytes], exc: BaseException) -> None:
    trace = "".join(traceback.format_exception(exc))
    kept = exc if isinstance(exc, OSError | MemoryError) else None
    try:
        _send(sink, (False, (trace, kept)))
    except BrokenPipeError:
        raise
    except Exception:  # not picklable after all
        _send(sink, (False, (trace, None)))


def main() -> None:
    """Serve calls on stdin/stdout; anything the work prints goes to stderr instead.

    ``--nice N`` (the only argument) first lowers the process's CPU priority by N.
    """
    if sys.argv[1:2] == ["--nice"]:
        os.nice(int(sys.argv[2]))
    heap.for_large_heaps()
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _serve(sys.stdin.buffer, sink)
    with contextlib.suppress(BrokenPipeError):  # the caller gone: an answer half sent
        sink.close()
    sys.stderr.flush()
    os._exit(0)  # every result is sent; tearing down the interpreter would only free memory


if __name__ == "__main__":
    main()
