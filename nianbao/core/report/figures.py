"""Reading the figures a sentence states, with their cell references, from the draft's
input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from nianbao.core.report.data import ReportData
from nianbao.core.report.types import Figure, Ref
from nianbao.core.report.wording import TRAILING_NOTE
from nianbao.core.spec import FormatSpec


def cells_figure(cells: Iterable[str], values: Mapping[str, Decimal]) -> Figure:
    """The sum of totals cells (missing cells count as 0)."""
    ids = tuple(cells)
    return Figure(
        tuple(Ref(c) for c in ids), sum((values.get(c, Decimal(0)) for c in ids), Decimal(0))
    )


class Figures:
    """Reads figures with their references from the draft's input."""

    def __init__(self, spec: FormatSpec, data: ReportData) -> None:
        self.spec = spec
        self.data = data

    def has(self, *ids: str) -> bool:
        """Whether the format has all these cells."""
        return all(i in self.spec.cell for i in ids)

    def get(self, *ids: str) -> Figure:
        """The sum of totals cells as one figure (missing cells count as 0)."""
        return cells_figure(ids, self.data.totals)

    def unit(self, code: str, values: Mapping[str, Decimal], cell: str) -> Figure:
        """One unit's own figure."""
        return Figure((Ref(cell, unit=code),), values.get(cell, Decimal(0)))

    def change(self, now: Figure) -> Figure | None:
        """This year's figure minus last year's same cells; None without last year's."""
        last = self.data.last_totals
        if last is None or any(r.last_year or r.text or r.unit for r in now.refs):
            return None
        if not all(r.cell in last for r in now.refs):
            return None
        before = sum((r.sign * last[r.cell] for r in now.refs), Decimal(0))
        refs = (*now.refs, *(r._replace(last_year=True, sign=-r.sign) for r in now.refs))
        return Figure(refs, now.value - before)

    @property
    def incomplete(self) -> bool:
        """Whether roster units are missing from the totals."""
        return not self.data.complete

    def nil(self, phrase: str) -> str:
        """A categorical zero (``未发生…``), qualified while units are missing from the totals:
        the totals then cannot show that nothing happened, only that no included unit had it."""
        return f"已汇总的单位均{phrase}" if self.incomplete else phrase

    def label(self, cell_id: str) -> str:
        """The row label of a cell, e.g. ``规范性文件``."""
        return self.spec.cell[cell_id].row_path[-1]

    def column(self, cell_id: str) -> str:
        """The column label of a cell without a trailing note: ``本年收费金额``."""
        return TRAILING_NOTE.sub("", self.spec.cell[cell_id].column_path[-1])
