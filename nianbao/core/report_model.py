"""The consolidated report draft as plain data, built from a cycle's totals.

Pure: no Word, no files. ``nianbao.io.docx_report`` renders the result. Every figure the
draft states keeps the reference of the cells it comes from (see ``Figure``), so a checker
can compare a draft against the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from nianbao.core.layout import FIRST_BLOCK_ROW, Role, SheetLayout, sheet_layout
from nianbao.core.model import CycleResult, Submission
from nianbao.core.spec import CellType, FormatSpec, Table

STATUTE = "中华人民共和国政府信息公开条例"
PLACEHOLDER_PREFIX = "【待填写："
NONE_TEXT = "无。"

_CN_DIGITS = "零一二三四五六七八九"
_LEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")
_EMPTY_TEXTS = frozenset({"无", "暂无", "没有", "无其他需要报告的事项"})


# ---------------------------------------------------------------- data


class Figure(NamedTuple):
    """A number stated in the draft and where it comes from.

    ``ref`` is one or more terms joined by ``+`` (the value is their sum); a term is a
    cell id of the totals (``s3_new_total``) or ``unit_code:cell_id`` for one unit's
    own figure (``shibenji:s3_new_total``).
    """

    ref: str
    value: Decimal

    @property
    def terms(self) -> tuple[tuple[str | None, str], ...]:
        """(unit code or None for the totals, cell id) of each term of ``ref``."""
        out: list[tuple[str | None, str]] = []
        for term in self.ref.split("+"):
            unit, sep, cell = term.rpartition(":")
            out.append((unit if sep else None, cell))
        return tuple(out)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the draft with the figures it states."""

    text: str
    figures: tuple[Figure, ...] = ()


class ParagraphKind(StrEnum):
    """Who writes a paragraph."""

    TEXT = "text"  # generated, final wording
    PLACEHOLDER = "placeholder"  # 【待填写：…】 for text only a person can write
    DRAFT = "draft"  # a unit's own words, to be edited into the report


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph made of sentences."""

    sentences: tuple[Sentence, ...]
    kind: ParagraphKind = ParagraphKind.TEXT

    @property
    def text(self) -> str:
        """The paragraph's text."""
        return "".join(s.text for s in self.sentences)

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Figures of all sentences, in order."""
        return tuple(f for s in self.sentences for f in s.figures)


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
    def figures(self) -> tuple[Figure, ...]:
        """One figure per value cell."""
        return tuple(
            Figure(c.cell_id, c.value)
            for c in self.cells
            if c.cell_id is not None and c.value is not None
        )


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
    """The whole draft."""

    region: str
    year: int
    format: str
    title: str
    intro: Paragraph
    sections: tuple[Section, ...]
    signature: Signature

    def walk(self) -> Iterator[Paragraph | TableModel | Section]:
        """Intro, then every section, paragraph and table in document order."""
        yield self.intro
        yield from _walk(self.sections)

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """All body paragraphs in order."""
        return tuple(x for x in self.walk() if isinstance(x, Paragraph))

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


def placeholder(what: str) -> Paragraph:
    """A paragraph a person must write: ``【待填写：…】``."""
    return Paragraph((Sentence(f"{PLACEHOLDER_PREFIX}{what}】"),), ParagraphKind.PLACEHOLDER)


def strip_number(label: str) -> str:
    """An official label without its leading number: ``二、主动公开…`` -> ``主动公开…``."""
    return _LEADING_NUMBER.sub("", label, count=1)


# ---------------------------------------------------------------- numbering


@dataclass(frozen=True)
class _Draft:
    """A section before numbering."""

    title: str
    content: tuple[Paragraph | TableModel | _Draft, ...] = ()


def _number(drafts: Sequence[_Draft], level: int = 1) -> tuple[Section, ...]:
    """Number sections and, recursively, their subsections."""
    out = []
    for i, d in enumerate(drafts, start=1):
        subs = [c for c in d.content if isinstance(c, _Draft)]
        numbered = iter(_number(subs, level + 1))
        content = tuple(next(numbered) if isinstance(c, _Draft) else c for c in d.content)
        out.append(Section(level, heading_number(level, i), d.title, content))
    return tuple(out)


# ---------------------------------------------------------------- figures


class _Figures:
    """Reads totals as figures carrying their cell references (missing cells count as 0)."""

    def __init__(self, spec: FormatSpec, totals: dict[str, Decimal]) -> None:
        self.spec = spec
        self.totals = totals

    def has(self, *ids: str) -> bool:
        return all(i in self.spec.cell for i in ids)

    def get(self, *ids: str) -> Figure:
        """The sum of totals cells as one figure."""
        return Figure("+".join(ids), sum((self.totals.get(i, Decimal(0)) for i in ids), Decimal(0)))

    def label(self, cell_id: str) -> str:
        """The row label of a cell, e.g. ``规范性文件``."""
        return self.spec.cell[cell_id].row_path[-1]


def _s(text: str, *figures: Figure) -> Sentence:
    return Sentence(text, figures)


def _n(f: Figure) -> str:
    return count_text(f.value)


# ---------------------------------------------------------------- section 一


def _proactive(fig: _Figures, year: int) -> Paragraph:
    """一（一）: the sentences stating table 二's figures."""
    out: list[Sentence] = []
    docs = ("s2_regulations", "s2_normative_docs")
    if fig.has(*(f"{d}_{c}" for d in docs for c in ("made", "published", "total"))):
        reg, nor = fig.label("s2_regulations_made"), fig.label("s2_normative_docs_made")
        parts = []
        figures: list[Figure] = []
        for col, verb in (("made", "新制作"), ("published", "新公开"), ("total", "对外公开")):
            a, b = fig.get(f"s2_regulations_{col}"), fig.get(f"s2_normative_docs_{col}")
            parts.append(f"{verb}{reg}{_n(a)}件、{nor}{_n(b)}件")
            figures += (a, b)
        out.append(_s(f"{year}年，" + "，".join(parts) + "。", *figures))
    if fig.has("s2_licensing_decisions", "s2_other_services_decisions"):
        a, b = fig.get("s2_licensing_decisions"), fig.get("s2_other_services_decisions")
        out.append(
            _s(
                f"作出{fig.label(a.ref)}处理决定{_n(a)}件，{fig.label(b.ref)}处理决定{_n(b)}件。",
                a,
                b,
            )
        )
    if fig.has("s2_penalty_decisions", "s2_enforcement_decisions"):
        pen, enf = fig.get("s2_penalty_decisions"), fig.get("s2_enforcement_decisions")
        both = fig.get(pen.ref, enf.ref)
        lp, le = fig.label(pen.ref), fig.label(enf.ref)
        out.append(
            _s(
                f"作出{lp}和{le}处理决定共{_n(both)}件，其中{lp}{_n(pen)}件，{le}{_n(enf)}件。",
                both,
                pen,
                enf,
            )
        )
    if fig.has("s2_fees_prev_items", "s2_fees_change"):
        now, change = fig.get("s2_fees_prev_items", "s2_fees_change"), fig.get("s2_fees_change")
        if change.value > 0:
            trend = f"较上一年增加{count_text(change.value)}项"
        elif change.value < 0:
            trend = f"较上一年减少{count_text(-change.value)}项"
        else:
            trend = "与上一年持平"
        out.append(_s(f"{fig.label('s2_fees_change')}项目{_n(now)}项，{trend}。", now, change))
    if fig.has("s2_procurement_items", "s2_procurement_amount"):
        items, amount = fig.get("s2_procurement_items"), fig.get("s2_procurement_amount")
        unit = fig.spec.cell["s2_procurement_amount"].unit
        out.append(
            _s(
                f"{fig.label('s2_procurement_items')}项目{_n(items)}项，"
                f"采购总金额{money_text(amount.value, unit)}。",
                items,
                amount,
            )
        )
    return Paragraph(tuple(out))


def _unit_names(result: CycleResult) -> dict[str, str]:
    return {u.code: u.name for u in result.roster}


def accepted_in_roster_order(result: CycleResult) -> tuple[Submission, ...]:
    """Accepted submissions in roster order; units missing from the roster come last."""
    accepted = {s.unit: s for s in result.accepted}
    order = [u.code for u in result.roster if u.code in accepted]
    order += [code for code in accepted if code not in order]
    return tuple(accepted[code] for code in order)


def _s3_group_ids(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    """(short label, 总计-column cell ids) of each outcome category of table 三."""
    results = table.blocks[0].rows[2]
    out = []
    for child in results.children:
        keys = tuple(p[-1].key for p in child.leaves() if p[-1].key)
        if keys == ("handled_total",):
            continue
        name = _TRAILING_NOTE.sub("", strip_number(child.label))
        out.append((name, tuple(f"{table.key}_{k}_total" for k in keys)))
    return out


def _applications(fig: _Figures, result: CycleResult) -> Paragraph:
    """一（二）: applications received, per unit, outcomes, review and litigation."""
    year = result.year
    out: list[Sentence] = []
    new = fig.get("s3_new_total")
    if new.value:
        names = _unit_names(result)
        parts, figures = [], [new]
        for sub in accepted_in_roster_order(result):
            value = sub.values.get("s3_new_total", Decimal(0))
            if value:
                parts.append(f"{names.get(sub.unit, sub.unit)}{count_text(value)}项")
                figures.append(Figure(f"{sub.unit}:s3_new_total", value))
        detail = f"，其中{'，'.join(parts)}" if parts else ""
        out.append(_s(f"{year}年共收到政府信息公开申请{_n(new)}项{detail}。", *figures))
    else:
        out.append(_s(f"{year}年未收到政府信息公开申请。", new))
    carried_in = fig.get("s3_carried_in_total")
    if carried_in.value:
        out.append(_s(f"上年结转政府信息公开申请{_n(carried_in)}件。", carried_in))

    handled = fig.get("s3_handled_total_total")
    if handled.value:
        groups = [(name, fig.get(*ids)) for name, ids in _s3_group_ids(fig.spec.table("s3"))]
        nonzero = [(name, f) for name, f in groups if f.value]
        if len(nonzero) == 1 and nonzero[0][1].value == handled.value:
            text = f"本年度办理{_n(handled)}件，均{nonzero[0][0]}。"
        else:
            listed = "，".join(f"{name}{_n(f)}件" for name, f in nonzero)
            text = f"本年度办理{_n(handled)}件，其中{listed}。"
        out.append(_s(text, handled, *(f for _, f in nonzero)))
    carried_out = fig.get("s3_carried_out_total")
    if carried_out.value:
        out.append(_s(f"结转下年度继续办理{_n(carried_out)}件。", carried_out))
    out += _reviews(fig)
    return Paragraph(tuple(out))


_S4_PARTS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)


def _parts(fig: _Figures, group: str) -> tuple[str, list[Figure]]:
    """``结果维持1件，结果纠正2件`` for the non-zero parts of a table 四 group."""
    figures = [(label, fig.get(f"s4_{group}_{key}")) for key, label in _S4_PARTS]
    nonzero = [(label, f) for label, f in figures if f.value]
    return "，".join(f"{label}{_n(f)}件" for label, f in nonzero), [f for _, f in nonzero]


def _reviews(fig: _Figures) -> list[Sentence]:
    """Review and litigation sentences from table 四's totals."""
    review = fig.get("s4_review_total")
    direct, after = fig.get("s4_suit_direct_total"), fig.get("s4_suit_after_review_total")
    suits = fig.get(direct.ref, after.ref)
    if not review.value and not suits.value:
        return [_s("未发生政府信息公开行政复议、行政诉讼案件。", review, direct, after)]
    out = []
    if review.value:
        parts, figures = _parts(fig, "review")
        out.append(_s(f"发生政府信息公开行政复议{_n(review)}件，其中{parts}。", review, *figures))
    else:
        out.append(_s("未发生政府信息公开行政复议案件。", review))
    if suits.value:
        groups = []
        figures = [suits]
        for group, total, label in (
            ("suit_direct", direct, "未经复议直接起诉"),
            ("suit_after_review", after, "复议后起诉"),
        ):
            if total.value:
                parts, pf = _parts(fig, group)
                groups.append(f"{label}{_n(total)}件（{parts}）")
                figures += [total, *pf]
        out.append(
            _s(f"发生政府信息公开行政诉讼{_n(suits)}件，其中{'，'.join(groups)}。", *figures)
        )
    else:
        out.append(_s("未发生政府信息公开行政诉讼案件。", direct, after))
    return out


def _overview(fig: _Figures, result: CycleResult) -> _Draft:
    return _Draft(
        "总体情况",
        (
            placeholder(
                "本年度政府信息公开工作总体情况，如贯彻落实上级部署、制定工作方案、组织推进等。"
            ),
            _Draft(
                "主动公开",
                (
                    placeholder(
                        "主动公开工作举措及成效，如主动公开政府信息总条数、"
                        "重点领域信息公开、政策解读等。"
                    ),
                    _proactive(fig, result.year),
                ),
            ),
            _Draft("依申请公开", (_applications(fig, result),)),
            _Draft(
                "政府信息管理",
                (placeholder("政府信息管理情况，如公开发布审查、保密审查、公开目录动态调整等。"),),
            ),
            _Draft(
                "政府信息公开平台建设",
                (placeholder("政府信息公开平台建设情况，如政府网站、政务新媒体、信息查阅点等。"),),
            ),
            _Draft(
                "监督保障",
                (placeholder("监督保障情况，如工作考核、社会评议、责任追究、业务培训等。"),),
            ),
        ),
    )


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


def build_table(spec: FormatSpec, table_key: str, totals: dict[str, Decimal]) -> TableModel:
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
                value_text(value, cs.type, cs.unit),
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
    )


# ---------------------------------------------------------------- sections 五 and 六


def _meaningful(text: str | None) -> str:
    text = (text or "").strip()
    return "" if text.rstrip("。.") in _EMPTY_TEXTS else text


def _unit_drafts(result: CycleResult, key: str) -> list[Paragraph]:
    """Units' own texts for a text field, one paragraph per line, marked 【单位】."""
    names = _unit_names(result)
    out = []
    for sub in accepted_in_roster_order(result):
        text = _meaningful(sub.texts.get(key))
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            marked = f"【{names.get(sub.unit, sub.unit)}】{line}" if i == 0 else line
            out.append(Paragraph((Sentence(marked),), ParagraphKind.DRAFT))
    return out


def _text_label(spec: FormatSpec, key: str, default: str) -> str:
    return next((t.label for t in spec.texts if t.key == key), default)


def _problems(spec: FormatSpec, result: CycleResult) -> _Draft:
    drafts = _unit_drafts(result, "problems")
    title = _text_label(spec, "problems", "存在的主要问题及改进情况")
    if not drafts:
        return _Draft(title, (placeholder("存在的主要问题及改进情况。"),))
    lead = placeholder(
        "综合各单位报送的材料，归纳存在的主要问题及改进情况。以下为各单位报送原文，定稿前删除。"
    )
    return _Draft(title, (lead, *drafts))


def _other_matters(spec: FormatSpec, result: CycleResult) -> _Draft:
    drafts = _unit_drafts(result, "other_matters")
    title = _text_label(spec, "other_matters", "其他需要报告的事项")
    if not drafts:
        return _Draft(title, (Paragraph((Sentence(NONE_TEXT),)),))
    lead = placeholder(
        "综合各单位报送的材料，填写其他需要报告的事项。以下为各单位报送原文，定稿前删除。"
    )
    return _Draft(title, (lead, *drafts))


# ---------------------------------------------------------------- report


def _intro(spec: FormatSpec, region: str, year: int, parts: Sequence[str]) -> Paragraph:
    listed = "、".join(p.replace("、", "") for p in parts)
    return Paragraph(
        (
            _s(
                f"根据《{STATUTE}》（以下简称《条例》）和《{spec.title}》（{spec.notice}）要求，"
                f"现公布{region}{year}年政府信息公开工作年度报告。"
            ),
            _s(f"本报告由{listed}{len(parts)}个部分组成。"),
            _s(f"本报告中所列数据的统计时限为{year}年1月1日至{year}年12月31日。"),
        )
    )


def build_report(
    result: CycleResult, spec: FormatSpec, region: str, issuer: str, issue_date: date
) -> Report:
    """The consolidated report draft of a cycle."""
    fig = _Figures(spec, result.totals)
    drafts = [
        _overview(fig, result),
        *(
            _Draft(strip_number(t.title), (build_table(spec, t.key, result.totals),))
            for t in spec.tables
        ),
        _problems(spec, result),
        _other_matters(spec, result),
    ]
    sections = _number(drafts)
    return Report(
        region=region,
        year=result.year,
        format=spec.id,
        title=f"{region}{result.year}年政府信息公开工作年度报告",
        intro=_intro(spec, region, result.year, [s.title for s in sections]),
        sections=sections,
        signature=Signature(issuer, issue_date),
    )


__all__ = [
    "CellRole",
    "Figure",
    "Paragraph",
    "ParagraphKind",
    "Report",
    "Section",
    "Sentence",
    "Signature",
    "TableCell",
    "TableModel",
    "build_report",
    "build_table",
]
