"""Cutting work into consecutive pieces: batches of workbooks per task, chunks per worker,
rows per statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` in order, cut into lists of ``size`` (the last one may be shorter)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
