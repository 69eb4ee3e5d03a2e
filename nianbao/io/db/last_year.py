"""What a cycle takes from the previous year's stored cycle, read once before it starts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from nianbao.io.db.read import read_accepted_shas, read_stored_totals


@dataclass(frozen=True)
class LastYear:
    """The previous year's accepted figures by unit code (for the cross-year checks), its
    totals (for 同比 sentences; None when it was never stored) and the sha256 of each of its
    accepted returns (a copy of one in this year's inbox is last year's file, whatever its
    modification time says)."""

    figures: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    totals: dict[str, Decimal] | None = None
    accepted_files: frozenset[str] = frozenset()


def read_last_year(url: str, year: int, cells: Collection[str] | None = None) -> LastYear:
    """What the cycle of ``year`` takes from ``year - 1``'s (units' figures only for
    ``cells``, when given); empty when that year, the database or its schema is absent.

    Reads only: a missing database stays missing (a dry run writes nothing).
    """
    stored = read_stored_totals(url, year - 1, cells)
    if stored is None:
        return LastYear()
    shas = read_accepted_shas(url, year - 1)
    files = frozenset(sha for unit in shas.values() for sha in unit)
    return LastYear(stored.units, stored.totals, files)
