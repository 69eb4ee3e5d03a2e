"""The consolidated report draft as plain data, built from a cycle's figures.

Pure: no Word, no files. ``nianbao.io.docx_report`` renders the result. Every figure the
draft states keeps the references of the cells it comes from (see ``Figure``) and, in a
sentence, the place where it is written (see ``Slot``), so ``nianbao.core.draft_check`` can
compare an edited draft against the database. The sentences themselves are written by
``nianbao.core.report_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from nianbao.core.layout import FIRST_BLOCK_ROW, Role, SheetLayout, sheet_layout
from nianbao.core.model import CycleResult, Status, Submission
from nianbao.core.spec import CellType, FormatSpec

PLACEHOLDER_PREFIX = "【待填写："
PLACEHOLDER_SUFFIX = "】"
# The words that mark the notice of an incomplete draft (``incomplete_notice``); check-draft
# looks for them.
INCOMPLETE_MARK = "本初稿数据不完整"

_CN_DIGITS = "零一二三四五六七八九"
_LEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
TRAILING_NOTE = re.compile(r"（[^（）]*）$")

# Fixed wording of the draft, by key. ``{…}`` fields are filled from ``Report.fields``. The
# Word template (templates/report-template.docx) may override any entry; sentences that state
# figures are not here: they are generated (``nianbao.core.report_text``).
WORDING: dict[str, str] = {
    "intro": (
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《{格式名称}》（{文号}）要求，"
        "现公布{地区}{年度}年政府信息公开工作年度报告。本报告由{组成部分}{部分数}个部分组成。"
        "本报告中所列数据的统计时限为{年度}年1月1日至{年度}年12月31日。"
    ),
    "overview": "本年度政府信息公开工作总体情况，如贯彻落实上级部署、制定工作方案、组织推进等。",
    "proactive": "主动公开工作举措及成效，如重点领域信息公开、政策解读、回应关切等。",
    "management": "政府信息管理情况，如公开发布审查、保密审查、公开目录动态调整等。",
    "platform": "政府信息公开平台建设情况，如政府网站、政务新媒体、信息查阅点等。",
    "supervision": "监督保障情况，如工作考核、社会评议、责任追究、业务培训等。",
    "problems": "存在的主要问题及改进情况。",
    "problems_units": (
        "综合各单位报送的材料，归纳存在的主要问题及改进情况。以下为各单位报送原文，定稿前删除。"
    ),
    "other_units": (
        "综合各单位报送的材料，填写其他需要报告的事项。以下为各单位报送原文，定稿前删除。"
    ),
    "nothing": "无。",
}

# What each wording entry is for (shown beside it in the Word template).
WORDING_USES: dict[str, str] = {
    "intro": "标题后的引言",
    "overview": "一、总体情况：待填写提示",
    "proactive": "（一）主动公开：待填写提示",
    "management": "（三）政府信息管理：待填写提示",
    "platform": "（四）政府信息公开平台建设：待填写提示",
    "supervision": "（五）监督保障：待填写提示",
    "problems": "五、存在的主要问题及改进情况：无单位材料时的待填写提示",
    "problems_units": "五、存在的主要问题及改进情况：单位材料前的待填写提示",
    "other_units": "六、其他需要报告的事项：单位材料前的待填写提示",
    "nothing": "六、其他需要报告的事项：没有内容时",
}


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


def cells_figure(cells: Iterable[str], values: Mapping[str, Decimal]) -> Figure:
    """The sum of totals cells (missing cells count as 0)."""
    ids = tuple(cells)
    return Figure(
        tuple(Ref(c) for c in ids), sum((values.get(c, Decimal(0)) for c in ids), Decimal(0))
    )


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
    """A body paragraph made of sentences; ``key`` names its fixed wording (``WORDING``)."""

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
    """The whole draft; ``fields`` fill the ``{…}`` of the fixed wording."""

    region: str
    year: int
    format: str
    title: str
    intro: Paragraph
    sections: tuple[Section, ...]
    signature: Signature
    fields: Mapping[str, str] = field(default_factory=dict)
    not_included: tuple[UnitGap, ...] = ()  # roster units the totals leave out

    @property
    def notice(self) -> Paragraph | None:
        """The highlighted notice above the intro while units are not included."""
        return incomplete_notice(self.not_included)

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


# ---------------------------------------------------------------- formatting


def chinese_number(n: int) -> str:
    """Chinese numeral for 1..99, e.g. 11 -> 十一, 21 -> 二十一."""
    if not 0 < n < 100:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def heading_number(level: int, index: int) -> str:
    """Number of the ``index``-th (1-based) heading at a level: 一、 （一） 1. （1）."""
    if level == 1:
        return f"{chinese_number(index)}、"
    if level == 2:
        return f"（{chinese_number(index)}）"
    if level == 3:
        return f"{index}."
    if level == 4:
        return f"（{index}）"
    raise ValueError(f"heading level out of range: {level}")


def date_text(d: date) -> str:
    """``2021年1月25日``."""
    return f"{d.year}年{d.month}月{d.day}日"


def count_text(value: Decimal) -> str:
    """An integer without decimals (``Decimal('11.0000')`` -> ``11``)."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.normalize():f}"


def signed_text(value: Decimal) -> str:
    """A signed integer with explicit sign: ``+21``, ``-74``, ``0``."""
    text = count_text(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"-{text}"
    return "0"


def money_text(value: Decimal, unit: str | None = None) -> str:
    """Money with at least two decimals and its unit: ``2911.14万元``."""
    cents = value.quantize(Decimal("0.01"))
    text = f"{cents:f}" if cents == value else f"{value.normalize():f}"
    return text + (unit or "")


def value_text(value: Decimal, ctype: CellType, unit: str | None = None) -> str:
    """A table value as shown in the draft."""
    if ctype is CellType.SIGNED:
        return signed_text(value)
    if ctype is CellType.MONEY:
        return money_text(value, unit)
    return count_text(value)


def strip_number(label: str) -> str:
    """An official label without its leading number: ``二、主动公开…`` -> ``主动公开…``."""
    return _LEADING_NUMBER.sub("", label, count=1)


class _KeepMissing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_wording(template: str, fields: Mapping[str, str]) -> str:
    """A wording entry with its ``{…}`` fields filled; unknown fields are left as written."""
    try:
        return template.format_map(_KeepMissing(fields))
    except (ValueError, IndexError):  # stray braces typed in the template: keep as written
        return template


def wording(key: str, fields: Mapping[str, str] | None = None) -> Paragraph:
    """A generated paragraph of fixed wording."""
    return Paragraph((Sentence(fill_wording(WORDING[key], fields or {})),), key=key)


def placeholder(key: str) -> Paragraph:
    """A paragraph a person must write: ``【待填写：…】`` with the prompt ``WORDING[key]``."""
    text = f"{PLACEHOLDER_PREFIX}{WORDING[key]}{PLACEHOLDER_SUFFIX}"
    return Paragraph((Sentence(text),), ParagraphKind.PLACEHOLDER, key)


# ---------------------------------------------------------------- numbering


@dataclass(frozen=True)
class Draft:
    """A section before numbering."""

    title: str
    content: tuple[Paragraph | TableModel | Draft, ...] = ()


def number_sections(drafts: Sequence[Draft], level: int = 1) -> tuple[Section, ...]:
    """Number sections and, recursively, their subsections (so no number repeats)."""
    out = []
    for i, d in enumerate(drafts, start=1):
        subs = [c for c in d.content if isinstance(c, Draft)]
        numbered = iter(number_sections(subs, level + 1))
        content = tuple(next(numbered) if isinstance(c, Draft) else c for c in d.content)
        out.append(Section(level, heading_number(level, i), d.title, content))
    return tuple(out)


# ---------------------------------------------------------------- tables


def _value_span(lay: SheetLayout, row: int, col: int) -> int:
    """Last layout column of a value cell: that of the leaf column label above it."""
    above = [
        lb for lb in lay.labels if lb.role is Role.COLUMN and lb.col == col and lb.row_end < row
    ]
    return max(above, key=lambda lb: lb.row_end).col_end if above else col


_ROLES = {
    Role.CAPTION: CellRole.CAPTION,
    Role.CORNER: CellRole.CORNER,
    Role.COLUMN: CellRole.COLUMN,
    Role.ROW: CellRole.ROW,
}


def shown_unit(spec: FormatSpec, cell_id: str) -> str | None:
    """The unit a table cell writes after its value: none when its header already names it
    (``本年收费金额（单位：万元）``), else the cell's unit (``采购总金额`` -> ``万元``)."""
    cs = spec.cell[cell_id]
    if cs.unit is None or any(cs.unit in label for label in cs.column_path):
        return None
    return cs.unit


def build_table(spec: FormatSpec, table_key: str, totals: Mapping[str, Decimal]) -> TableModel:
    """A table's labels (with spans) and formatted totals; missing totals count as 0."""
    lay = sheet_layout(spec, table_key)
    cells: list[TableCell] = []
    for lb in lay.labels:
        if lb.role is Role.TITLE:
            continue
        cells.append(
            TableCell(
                lb.text,
                _ROLES[lb.role],
                lb.row - FIRST_BLOCK_ROW,
                lb.col - 1,
                lb.row_end - lb.row + 1,
                lb.col_end - lb.col + 1,
            )
        )
    for cid, (row, col) in lay.cells.items():
        cs = spec.cell[cid]
        value = totals.get(cid, Decimal(0))
        cells.append(
            TableCell(
                value_text(value, cs.type, shown_unit(spec, cid)),
                CellRole.VALUE,
                row - FIRST_BLOCK_ROW,
                col - 1,
                1,
                _value_span(lay, row, col) - col + 1,
                cid,
                value,
                cs.type,
            )
        )
    cells.sort(key=lambda c: (c.row, c.col))
    first_value_col = min(col for _, col in lay.cells.values())
    return TableModel(
        key=table_key,
        rows=lay.height - FIRST_BLOCK_ROW + 1,
        cols=lay.width,
        label_cols=first_value_col - 1,
        cells=tuple(cells),
        title=spec.table(table_key).title,
    )


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class UnitReport:
    """One accepted unit's figures and texts, as the draft uses them."""

    code: str
    name: str
    values: Mapping[str, Decimal]
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitGap:
    """A roster unit whose figures are not in the totals, and why (missing or rejected)."""

    code: str
    name: str
    status: Status


@dataclass(frozen=True)
class ReportData:
    """What the draft is built from: a cycle's totals, its accepted units in roster order,
    the roster units not included and, when stored, last year's totals (for year-on-year
    changes).

    Built from a ``CycleResult`` (``report_data``) or from the database (units' texts are not
    stored there, so a draft rebuilt from it has no unit narrative).
    """

    year: int
    totals: Mapping[str, Decimal]
    units: tuple[UnitReport, ...] = ()
    last_totals: Mapping[str, Decimal] | None = None
    not_included: tuple[UnitGap, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every roster unit's figures are in the totals."""
        return not self.not_included


def accepted_in_roster_order(result: CycleResult) -> tuple[Submission, ...]:
    """Accepted submissions in roster order; units missing from the roster come last."""
    accepted = {s.unit: s for s in result.accepted}
    order = [u.code for u in result.roster if u.code in accepted]
    listed = set(order)  # not `in order`: a list scan per unit is quadratic in the roster
    order += [code for code in accepted if code not in listed]
    return tuple(accepted[code] for code in order)


def report_data(
    result: CycleResult, last_totals: Mapping[str, Decimal] | None = None
) -> ReportData:
    """The draft's input from a cycle's outcome."""
    names = {u.code: u.name for u in result.roster}
    units = tuple(
        UnitReport(s.unit, names.get(s.unit, s.unit), s.values, s.texts)
        for s in accepted_in_roster_order(result)
    )
    gaps = tuple(UnitGap(u.code, u.name, status) for u, status in result.not_included)
    return ReportData(result.year, result.totals, units, last_totals, gaps)


NOTICE_NAMES = 20  # names listed per status in the notice; more are counted


def _names(gaps: Sequence[UnitGap]) -> str:
    names = "、".join(g.name for g in gaps[:NOTICE_NAMES])
    return names if len(gaps) <= NOTICE_NAMES else f"{names}等{len(gaps)}个单位"


def gap_list(gaps: Sequence[UnitGap]) -> str:
    """``民政局（未报送）、卫健局（已退回）`` (the first ``NOTICE_NAMES``, then a count)."""
    listed = "、".join(f"{g.name}（{g.status.label}）" for g in gaps[:NOTICE_NAMES])
    return listed if len(gaps) <= NOTICE_NAMES else f"{listed}等{len(gaps)}个单位"


def incomplete_notice(gaps: Sequence[UnitGap]) -> Paragraph | None:
    """The highlighted notice at the top of a draft whose totals leave units out (None when
    none is left out): which units and why, and that the draft cannot be final as it is."""
    if not gaps:
        return None
    missing = [g for g in gaps if g.status is Status.MISSING]
    rejected = [g for g in gaps if g.status is not Status.MISSING]
    why = [
        *([f"{_names(missing)}未报送"] if missing else []),
        *([f"{_names(rejected)}的报表已退回、尚未改正"] if rejected else []),
    ]
    text = (
        f"{PLACEHOLDER_PREFIX}{INCOMPLETE_MARK}：{'，'.join(why)}，上述单位的数据未计入汇总，"
        "本报告中的数字和“未发生”“未收到”等表述只反映已汇总单位的报表。请督促上述单位报送"
        "或改正后重新汇总、生成初稿；确定不再等待的，在报告中说明情况后删除本段。"
        f"{PLACEHOLDER_SUFFIX}"
    )
    return Paragraph((Sentence(text),), ParagraphKind.PLACEHOLDER)


def build_report(
    result: CycleResult,
    spec: FormatSpec,
    region: str,
    issuer: str,
    issue_date: date,
    last_totals: Mapping[str, Decimal] | None = None,
) -> Report:
    """The consolidated report draft of a cycle (year-on-year changes with ``last_totals``)."""
    from nianbao.core.report_text import build_report_from

    return build_report_from(report_data(result, last_totals), spec, region, issuer, issue_date)


__all__ = [
    "WORDING",
    "CellRole",
    "Figure",
    "Paragraph",
    "ParagraphKind",
    "Ref",
    "Report",
    "ReportData",
    "Section",
    "Sentence",
    "Signature",
    "Slot",
    "TableCell",
    "TableModel",
    "UnitGap",
    "UnitReport",
    "build_report",
    "build_table",
    "gap_list",
    "incomplete_notice",
    "report_data",
]
