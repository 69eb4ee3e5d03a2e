"""The draft's model: figures and where sentences write them, paragraphs, tables, sections
and the whole report. Plain frozen values; ``nianbao.core.report.build`` makes them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from nianbao.core.report.data import UnitGap
from nianbao.core.report.formatting import date_text
from nianbao.core.spec import CellType

# ---------------------------------------------------------------- figures


class Ref(NamedTuple):
    """One signed term of a figure.

    ``cell`` is a cell id of the totals, of one unit's figures (``unit``) or of last year's
    totals (``last_year``); with ``text`` it is the key of a numeric text field the units
    return (summed over ``unit`` or all accepted units), which the database does not hold.
    """

    cell: str
    unit: str | None = None
    last_year: bool = False
    sign: int = 1
    text: bool = False

    def __str__(self) -> str:
        name = f"#{self.cell}" if self.text else self.cell
        unit = f"{self.unit}:" if self.unit else ""
        year = "@last" if self.last_year else ""
        return f"{'-' if self.sign < 0 else ''}{unit}{name}{year}"


@dataclass(frozen=True)
class Figure:
    """A number stated in the draft: the signed sum of its ``refs``."""

    refs: tuple[Ref, ...]
    value: Decimal

    @property
    def ref(self) -> str:
        """The references as text, e.g. ``s2_penalty_decisions+s2_enforcement_decisions``."""
        return "+".join(str(r) for r in self.refs).replace("+-", "-")

    @property
    def from_database(self) -> bool:
        """Whether every term is a stored cell (not a unit's text field)."""
        return not any(r.text for r in self.refs)


class Slot(NamedTuple):
    """Where a sentence writes a figure: ``text[start:end]`` (digits only, e.g. ``11``)."""

    start: int
    end: int
    figure: Figure


@dataclass(frozen=True)
class Sentence:
    """One sentence of the draft with the figures it states.

    ``slots`` place the figures written as digits; the other figures are implied by the
    wording (``未发生…行政复议`` states a 0 without a digit).
    """

    text: str
    figures: tuple[Figure, ...] = ()
    slots: tuple[Slot, ...] = ()


class ParagraphKind(StrEnum):
    """Who writes a paragraph."""

    TEXT = "text"  # generated, final wording
    PLACEHOLDER = "placeholder"  # 【待填写：…】 for text only a person can write
    DRAFT = "draft"  # a unit's own words, to be edited into the report


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph made of sentences; ``key`` names its fixed wording
    (``nianbao.core.report.wording.WORDING``)."""

    sentences: tuple[Sentence, ...]
    kind: ParagraphKind = ParagraphKind.TEXT
    key: str | None = None

    @property
    def text(self) -> str:
        """The paragraph's text."""
        return "".join(s.text for s in self.sentences)

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Figures of all sentences, in order."""
        return tuple(f for s in self.sentences for f in s.figures)


# ---------------------------------------------------------------- tables


class CellRole(StrEnum):
    """What a table cell holds."""

    CAPTION = "caption"
    CORNER = "corner"
    COLUMN = "column"
    ROW = "row"
    VALUE = "value"


@dataclass(frozen=True)
class TableCell:
    """A table cell at 0-based ``row``/``col`` spanning ``row_span`` × ``col_span``."""

    text: str
    role: CellRole
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    cell_id: str | None = None
    value: Decimal | None = None
    type: CellType | None = None

    @property
    def row_end(self) -> int:
        """Last row covered (inclusive)."""
        return self.row + self.row_span - 1

    @property
    def col_end(self) -> int:
        """Last column covered (inclusive)."""
        return self.col + self.col_span - 1


@dataclass(frozen=True)
class TableModel:
    """One statistical table, positioned as the workbook layout (``nianbao.core.layout``).

    Table row 0 is layout row ``FIRST_BLOCK_ROW`` and table column 0 is layout column 1
    (the layout's title row is the section heading instead). ``label_cols`` leading
    columns hold row labels.
    """

    key: str
    rows: int
    cols: int
    label_cols: int
    cells: tuple[TableCell, ...]
    title: str = ""

    def at(self, row: int, col: int) -> TableCell | None:
        """The cell covering a grid position (None for an empty grid position)."""
        for c in self.cells:
            if c.row <= row <= c.row_end and c.col <= col <= c.col_end:
                return c
        return None

    def value_cell(self, cell_id: str) -> TableCell:
        """The value cell of a cell id."""
        return next(c for c in self.cells if c.cell_id == cell_id)

    @property
    def value_cells(self) -> tuple[TableCell, ...]:
        """Cells holding a figure, in table order."""
        return tuple(c for c in self.cells if c.cell_id is not None and c.value is not None)

    @property
    def figures(self) -> tuple[Figure, ...]:
        """One figure per value cell."""
        return tuple(
            Figure((Ref(c.cell_id),), c.value)
            for c in self.value_cells
            if c.cell_id is not None and c.value is not None
        )


# ---------------------------------------------------------------- sections and report


@dataclass(frozen=True)
class Section:
    """A numbered heading and what follows it; ``level`` 1 is 一、, 2 is （一）, 3 is 1."""

    level: int
    number: str
    title: str
    content: tuple[Paragraph | TableModel | Section, ...] = ()

    @property
    def heading(self) -> str:
        """Heading text with its number, e.g. ``（一）主动公开``."""
        return f"{self.number}{self.title}"

    @property
    def subsections(self) -> tuple[Section, ...]:
        """Direct subsections, in order."""
        return tuple(c for c in self.content if isinstance(c, Section))


@dataclass(frozen=True)
class Signature:
    """Issuing body and date at the end of the report."""

    issuer: str
    date: date

    @property
    def date_text(self) -> str:
        """The date as written in official documents, e.g. ``2021年1月25日``."""
        return date_text(self.date)


@dataclass(frozen=True)
class Report:
    """The whole draft; ``fields`` fill the ``{…}`` of the fixed wording; ``notice`` is the
    highlighted paragraph above the intro while roster units (``not_included``) are left out
    of the totals."""

    region: str
    year: int
    format: str
    title: str
    intro: Paragraph
    sections: tuple[Section, ...]
    signature: Signature
    fields: Mapping[str, str] = field(default_factory=dict)
    not_included: tuple[UnitGap, ...] = ()
    notice: Paragraph | None = None

    def walk(self) -> Iterator[Paragraph | TableModel | Section]:
        """Notice, intro, then every section, paragraph and table in document order."""
        if self.notice is not None:
            yield self.notice
        yield self.intro
        yield from _walk(self.sections)

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """All body paragraphs in order."""
        return tuple(x for x in self.walk() if isinstance(x, Paragraph))

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        """All sentences of the body paragraphs, in order."""
        return tuple(s for p in self.paragraphs for s in p.sentences)

    @property
    def tables(self) -> tuple[TableModel, ...]:
        """All tables in order."""
        return tuple(x for x in self.walk() if isinstance(x, TableModel))

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Every figure stated in the draft (sentences and table cells) in order."""
        out: list[Figure] = []
        for x in self.walk():
            if isinstance(x, Paragraph | TableModel):
                out += x.figures
        return tuple(out)


def _walk(
    items: Iterable[Paragraph | TableModel | Section],
) -> Iterator[Paragraph | TableModel | Section]:
    for item in items:
        yield item
        if isinstance(item, Section):
            yield from _walk(item.content)
