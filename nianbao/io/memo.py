"""``Memo``: a function's value per distinct argument, made once, for writers that turn
the same figures into text millions of times (汇总表, totals.json)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(dict[K, V]):
    """``memo[key]`` is ``fn(key)``, computed on the first lookup of ``key`` only. Equal
    keys share one value (``Decimal("5")`` and ``Decimal("5.0000")``): ``fn`` must give
    equal keys the same value. Lookups are the dict's own (C), so ``map(memo.__getitem__,
    values)`` stays in C for the values seen before."""

    def __init__(self, fn: Callable[[K], V]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, key: K) -> V:
        value = self[key] = self._fn(key)
        return value
