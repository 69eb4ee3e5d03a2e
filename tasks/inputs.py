"""What every task of a run reads, as one object the flow hands over quoted (``as_is``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar, cast

from prefect.utilities.annotations import quote

from nianbao.core.formats import FORMATS
from nianbao.core.model import Group, Unit
from nianbao.core.review import Ledger
from nianbao.core.spec import FormatSpec
from nianbao.io.db.last_year import LastYear
from nianbao.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class CycleInputs:
    """One run's report year, format (by id), roster (reporting units), settings, last year's
    figures, the roster's groups (none for a flat roster) and the office's review of the year."""

    year: int
    format_id: str
    roster: tuple[Unit, ...]
    settings: Settings
    last: LastYear
    groups: tuple[Group, ...] = ()
    review: Ledger | None = None  # the office's review of the year (None: none read)

    @property
    def ledger(self) -> Ledger:
        """The year's review state (empty when none was read)."""
        return self.review or Ledger.of(self.year)

    @property
    def spec(self) -> FormatSpec:
        """The format, from the registry."""
        return FORMATS[self.format_id]

    @cached_property
    def units(self) -> dict[str, Unit]:
        """Roster units by code."""
        return {u.code: u for u in self.roster}


def as_is(value: T) -> T:
    """``value`` wrapped in Prefect's ``quote``: the task gets it without Prefect visiting its
    contents (every cell of every unit, on each task call) or tracking them as upstream
    results."""
    return cast(T, quote(value))
