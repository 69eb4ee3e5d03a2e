"""Run faults (database, disk) come back from a task as a value, not as an exception: a task
that raises is logged by Prefect with a traceback, and a fault is one clear message that the
flow reports once (see ``flows/annual_cycle.py``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from nianbao.io.faults import RunFault, as_fault

P = ParamSpec("P")
R = TypeVar("R")


def faults_returned(fn: Callable[P, R]) -> Callable[P, R | RunFault]:
    """``fn``, returning a ``RunFault`` instead of raising one (or a disk-full ``OSError``)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | RunFault:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            fault = as_fault(exc)
            if fault is None:
                raise
            return fault

    return wrapper


def checked(value: R | RunFault) -> R:
    """``value``, or its fault raised (in the flow)."""
    if isinstance(value, RunFault):
        raise value
    return value
