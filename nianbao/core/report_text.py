"""The draft's generated text: every sentence that states a figure, and the sections.

Sentences are chosen by which cells the format has (no format ids in code): a definition
applies when its cells exist, so the 2019 format's 一（一） speaks of 新制作/新公开 and 采购
while the 2021 format's speaks of 制发/废止/现行有效 and 收费金额. Each figure written as
digits is recorded as a ``Slot`` of its sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from nianbao.core.numbers import to_decimal
from nianbao.core.report_model import (
    TRAILING_NOTE,
    Draft,
    Figure,
    Paragraph,
    ParagraphKind,
    Ref,
    Report,
    ReportData,
    Sentence,
    Signature,
    Slot,
    build_table,
    cells_figure,
    count_text,
    money_text,
    number_sections,
    placeholder,
    strip_number,
    wording,
)
from nianbao.core.spec import FormatSpec, Table

_EMPTY_TEXTS = frozenset({"无", "暂无", "没有", "无其他需要报告的事项"})


# ---------------------------------------------------------------- sentence building


class Shown(NamedTuple):
    """A figure written as digits (``text``) in a sentence."""

    figure: Figure
    text: str


class Implied(NamedTuple):
    """A figure a sentence states by its wording only (``未发生…`` states 0)."""

    figure: Figure


Part = str | Shown | Implied


def sentence(*parts: Part) -> Sentence:
    """A sentence from literal text and figures, recording where each figure is written."""
    text = ""
    figures: list[Figure] = []
    slots: list[Slot] = []
    for part in parts:
        if isinstance(part, Shown):
            slots.append(Slot(len(text), len(text) + len(part.text), part.figure))
            figures.append(part.figure)
            text += part.text
        elif isinstance(part, Implied):
            figures.append(part.figure)
        else:
            text += part
    return Sentence(text, tuple(figures), tuple(slots))


def n(f: Figure) -> Shown:
    """A count as digits."""
    return Shown(f, count_text(f.value))


def m(f: Figure) -> Shown:
    """An amount of money as digits (the unit is literal text after it)."""
    return Shown(f, money_text(f.value))


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


def yoy(fig: Figures, now: Figure, measure: str, money: bool = False) -> list[Part]:
    """``，比上年增加3件`` / ``，与上年持平`` after a figure; nothing without last year."""
    delta = fig.change(now)
    if delta is None:
        return []
    if delta.value == 0:
        return ["，与上年持平", Implied(delta)]
    word = "增加" if delta.value > 0 else "减少"
    amount = abs(delta.value)
    shown = money_text(amount) if money else count_text(amount)
    return [f"，比上年{word}", Shown(delta, shown), measure]


# ---------------------------------------------------------------- 一（一）主动公开

# Columns of block 第二十条第（一）项: how a sentence names them (either format's) and whether
# they count a stock (``无现行有效的规章``) rather than this year's acts (``未制发规章``).
_DOC_ROWS = ("regulations", "normative_docs")
_DOC_COLUMNS = (
    ("made", "新制作", False),
    ("published", "新公开", False),
    ("total", "对外公开", True),
    ("issued", "制发", False),
    ("repealed", "废止", False),
    ("in_force", "现行有效", True),
)
# Rows whose 处理决定 counts are stated together; ``combined`` states their sum first.
_DECISION_GROUPS = ((("licensing", "other_services"), False), (("penalty", "enforcement"), True))


def _items(fig: Figures, items: list[tuple[str, Figure]], unit: str, sep: str = "、") -> list[Part]:
    """``规章2件、规范性文件11件`` for labelled figures."""
    parts: list[Part] = []
    for i, (label, f) in enumerate(items):
        parts += [f"{sep if i else ''}{label}", n(f), unit]
    return parts


def _documents(fig: Figures) -> Sentence | None:
    """Documents made, published, in force…: non-zero counts, then what was not done
    (``未制发规章``, ``无现行有效的规章``); every zero is stated by the wording."""
    columns = [
        (col, verb, stock)
        for col, verb, stock in _DOC_COLUMNS
        if fig.has(*(f"s2_{row}_{col}" for row in _DOC_ROWS))
    ]
    if not columns:
        return None
    done: list[Part] = []
    zeros: dict[str, list[str]] = {}  # column -> row labels with a zero there
    implied: list[Part] = []
    for col, verb, _ in columns:
        items = []
        for row in _DOC_ROWS:
            cid = f"s2_{row}_{col}"
            f = fig.get(cid)
            if f.value:
                items.append((fig.label(cid), f))
            else:
                zeros.setdefault(col, []).append(fig.label(cid))
                implied.append(Implied(f))
        if items:
            done += ["，" if done else "", verb, *_items(fig, items, "件")]
    # columns with zeros in the same rows share a clause: 未制发、废止规章 / 无现行有效的规章
    groups: dict[tuple[str, ...], list[tuple[str, bool]]] = {}
    for col, verb, stock in columns:
        if col in zeros:
            groups.setdefault(tuple(zeros[col]), []).append((verb, stock))
    nothing: list[str] = []
    for labels, verbs in groups.items():
        what = "和".join(labels)
        acts = [verb for verb, stock in verbs if not stock]
        stocks = [verb for verb, stock in verbs if stock]
        if acts:
            nothing.append(f"未{'、'.join(acts)}{what}")
        if stocks:
            nothing.append(f"无{'、'.join(stocks)}的{what}")
    tail = fig.nil("，".join(nothing)) if nothing else ""
    joint = "；" if done and tail else ""
    return sentence(f"{fig.data.year}年，", *done, joint, tail, "。", *implied)


def _decisions(rows: tuple[str, ...], combined: bool) -> Callable[[Figures], Sentence | None]:
    def build(fig: Figures) -> Sentence | None:
        ids = [f"s2_{r}_decisions" for r in rows if fig.has(f"s2_{r}_decisions")]
        if not ids:
            return None
        figures = [(fig.label(cid), fig.get(cid)) for cid in ids]
        made = [(label, f) for label, f in figures if f.value]
        none = [(label, f) for label, f in figures if not f.value]
        parts: list[Part] = []
        if combined and len(made) > 1:
            both = fig.get(*ids)
            names = "和".join(label for label, _ in made)
            parts += [f"作出{names}处理决定共", n(both), "件", *yoy(fig, both, "件"), "，其中"]
            parts += _items(fig, made, "件", "，")
        else:
            for i, (label, f) in enumerate(made):
                parts += [f"{'，' if i else '作出'}{label}处理决定", n(f), "件", *yoy(fig, f, "件")]
        if none:
            names = "、".join(label for label, _ in none)
            parts += ["，" if parts else "", fig.nil(f"未作出{names}处理决定")]
            parts += [Implied(f) for _, f in none]
        return sentence(*parts, "。")

    return build


def _fee_items(fig: Figures) -> Sentence | None:
    if not fig.has("s2_fees_prev_items", "s2_fees_change"):
        return None
    now, change = fig.get("s2_fees_prev_items", "s2_fees_change"), fig.get("s2_fees_change")
    label = fig.label("s2_fees_change")
    if now.value == 0:
        head: list[Part] = [fig.nil(f"无{label}项目"), Implied(now)]
    else:
        head = [f"{label}项目", n(now), "项"]
    if change.value == 0:
        return sentence(*head, "，与上一年持平。", Implied(change))
    word = "增加" if change.value > 0 else "减少"
    shown = Shown(change, count_text(abs(change.value)))
    return sentence(*head, f"，较上一年{word}", shown, "项。")


def _fee_amount(fig: Figures) -> Sentence | None:
    cid = "s2_fees_amount"
    if not fig.has(cid):
        return None
    amount, unit = fig.get(cid), fig.spec.cell[cid].unit or ""
    if not amount.value:
        return sentence("本年", fig.nil(f"未收取{fig.label(cid)}"), "。", Implied(amount))
    return sentence(
        f"本年收取{fig.label(cid)}", m(amount), unit, *yoy(fig, amount, unit, money=True), "。"
    )


def _procurement(fig: Figures) -> Sentence | None:
    if not fig.has("s2_procurement_items", "s2_procurement_amount"):
        return None
    items, amount = fig.get("s2_procurement_items"), fig.get("s2_procurement_amount")
    label = fig.label("s2_procurement_items")
    if not items.value and not amount.value:
        return sentence(fig.nil(f"未开展{label}"), "。", Implied(items), Implied(amount))
    unit = fig.spec.cell["s2_procurement_amount"].unit or ""
    return sentence(
        f"{label}项目",
        n(items),
        f"项，{fig.column('s2_procurement_amount')}",
        m(amount),
        f"{unit}。",
    )


# Every sentence 一（一） may state; each applies when the format has its cells.
PROACTIVE: tuple[Callable[[Figures], Sentence | None], ...] = (
    _documents,
    *(_decisions(rows, combined) for rows, combined in _DECISION_GROUPS),
    _fee_items,
    _fee_amount,
    _procurement,
)


def proactive(fig: Figures) -> Paragraph:
    """一（一）: the sentences stating table 二's figures."""
    return Paragraph(tuple(s for build in PROACTIVE if (s := build(fig)) is not None))


# ---------------------------------------------------------------- 一（二）依申请公开


def _s3_groups(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    """(short label, 总计-column cell ids) of each outcome category of table 三."""
    results = table.blocks[0].rows[2]
    out = []
    for child in results.children:
        keys = tuple(p[-1].key for p in child.leaves() if p[-1].key)
        if keys == ("handled_total",):
            continue
        name = TRAILING_NOTE.sub("", strip_number(child.label))
        out.append((name, tuple(f"{table.key}_{k}_total" for k in keys)))
    return out


def _received(fig: Figures) -> Sentence:
    year, new = fig.data.year, fig.get("s3_new_total")
    if not new.value:
        return sentence(f"{year}年", fig.nil("未收到政府信息公开申请"), "。", Implied(new))
    parts: list[Part] = []
    for unit in fig.data.units:
        f = fig.unit(unit.code, unit.values, "s3_new_total")
        if f.value:
            parts += ["，" if parts else "，其中", unit.name, n(f), "项"]
    return sentence(
        f"{year}年共收到政府信息公开申请", n(new), "项", *yoy(fig, new, "项"), *parts, "。"
    )


def applications(fig: Figures) -> Paragraph:
    """一（二）: applications received, per unit, outcomes, review and litigation."""
    out = [_received(fig)]
    carried_in = fig.get("s3_carried_in_total")
    if carried_in.value:
        out.append(sentence("上年结转政府信息公开申请", n(carried_in), "件。"))
    handled = fig.get("s3_handled_total_total")
    if handled.value:
        groups = [(name, fig.get(*ids)) for name, ids in _s3_groups(fig.spec.table("s3"))]
        nonzero = [(name, f) for name, f in groups if f.value]
        if len(nonzero) == 1 and nonzero[0][1].value == handled.value:
            name, only = nonzero[0]
            out.append(sentence("本年度办理", n(handled), f"件，均{name}。", Implied(only)))
        else:
            parts: list[Part] = ["本年度办理", n(handled), "件，其中"]
            for i, (name, f) in enumerate(nonzero):
                parts += [f"{'，' if i else ''}{name}", n(f), "件"]
            out.append(sentence(*parts, "。"))
    carried_out = fig.get("s3_carried_out_total")
    if carried_out.value:
        out.append(sentence("结转下年度继续办理", n(carried_out), "件。"))
    out += _reviews(fig)
    return Paragraph(tuple(out))


_S4_PARTS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)


def _outcomes(fig: Figures, group: str) -> list[Part]:
    """``结果维持1件，结果纠正2件`` for the non-zero parts of a table 四 group."""
    parts: list[Part] = []
    for key, label in _S4_PARTS:
        f = fig.get(f"s4_{group}_{key}")
        if f.value:
            parts += [f"{'，' if parts else ''}{label}", n(f), "件"]
    return parts


def _reviews(fig: Figures) -> list[Sentence]:
    """Review and litigation sentences from table 四's totals."""
    review = fig.get("s4_review_total")
    direct, after = fig.get("s4_suit_direct_total"), fig.get("s4_suit_after_review_total")
    suits = fig.get("s4_suit_direct_total", "s4_suit_after_review_total")
    if not review.value and not suits.value:
        return [
            sentence(
                fig.nil("未发生政府信息公开行政复议、行政诉讼案件"),
                "。",
                Implied(review),
                Implied(direct),
                Implied(after),
            )
        ]
    out = []
    if review.value:
        out.append(
            sentence(
                "发生政府信息公开行政复议",
                n(review),
                "件",
                *yoy(fig, review, "件"),
                "，其中",
                *_outcomes(fig, "review"),
                "。",
            )
        )
    else:
        out.append(sentence(fig.nil("未发生政府信息公开行政复议案件"), "。", Implied(review)))
    if suits.value:
        parts: list[Part] = ["发生政府信息公开行政诉讼", n(suits), "件", *yoy(fig, suits, "件")]
        parts.append("，其中")
        first = True
        for group, total, label in (
            ("suit_direct", direct, "未经复议直接起诉"),
            ("suit_after_review", after, "复议后起诉"),
        ):
            if total.value:
                parts += [f"{'' if first else '，'}{label}", n(total), "件（"]
                parts += [*_outcomes(fig, group), "）"]
                first = False
        out.append(sentence(*parts, "。"))
    else:
        nil = fig.nil("未发生政府信息公开行政诉讼案件")
        out.append(sentence(nil, "。", Implied(direct), Implied(after)))
    return out


def _overview(fig: Figures) -> Draft:
    return Draft(
        "总体情况",
        (
            placeholder("overview"),
            Draft("主动公开", (placeholder("proactive"), proactive(fig))),
            Draft("依申请公开", (applications(fig),)),
            Draft("政府信息管理", (placeholder("management"),)),
            Draft("政府信息公开平台建设", (placeholder("platform"),)),
            Draft("监督保障", (placeholder("supervision"),)),
        ),
    )


# ---------------------------------------------------------------- 五 and 六


def _meaningful(text: str | None) -> str:
    text = (text or "").strip()
    return "" if text.rstrip("。.") in _EMPTY_TEXTS else text


def _unit_drafts(data: ReportData, key: str) -> list[Paragraph]:
    """Units' own texts for a text field, one paragraph per line, marked 【单位】."""
    out = []
    for unit in data.units:
        lines = [ln.strip() for ln in _meaningful(unit.texts.get(key)).splitlines() if ln.strip()]
        for i, line in enumerate(lines):
            marked = f"【{unit.name}】{line}" if i == 0 else line
            out.append(Paragraph((Sentence(marked),), ParagraphKind.DRAFT))
    return out


def _text_label(spec: FormatSpec, key: str, default: str) -> str:
    return next((t.label for t in spec.texts if t.key == key), default)


# Numeric text fields the units return, stated in 六 summed: (total, none) wording.
TEXT_SUMS = {"processing_fee": ("本年度共收取信息处理费", "未收取信息处理费")}


def _text_sums(fig: Figures) -> list[Paragraph]:
    """``本年度共收取信息处理费X元，其中…`` for each numeric text field the format has."""
    spec, data = fig.spec, fig.data
    out = []
    for tf in spec.texts:
        if tf.key not in TEXT_SUMS or tf.type is None:
            continue
        lead, none = TEXT_SUMS[tf.key]
        unit = tf.unit or ""
        per_unit = [(u, to_decimal(u.texts.get(tf.key, "")) or Decimal(0)) for u in data.units]
        total = Figure((Ref(tf.key, text=True),), sum((v for _, v in per_unit), Decimal(0)))
        if not total.value:
            out.append(Paragraph((sentence("本年度", fig.nil(none), "。", Implied(total)),)))
            continue
        parts: list[Part] = [lead, Shown(total, count_text(total.value)), unit]
        for u, v in per_unit:
            if v:
                f = Figure((Ref(tf.key, unit=u.code, text=True),), v)
                parts += ["，其中" if len(parts) == 3 else "，", u.name, n(f), unit]
        out.append(Paragraph((sentence(*parts, "。"),)))
    return out


def _problems(spec: FormatSpec, data: ReportData) -> Draft:
    drafts = _unit_drafts(data, "problems")
    title = _text_label(spec, "problems", "存在的主要问题及改进情况")
    if not drafts:
        return Draft(title, (placeholder("problems"),))
    return Draft(title, (placeholder("problems_units"), *drafts))


def _other_matters(fig: Figures) -> Draft:
    spec, data = fig.spec, fig.data
    title = _text_label(spec, "other_matters", "其他需要报告的事项")
    sums = _text_sums(fig)
    drafts = _unit_drafts(data, "other_matters")
    if drafts:
        return Draft(title, (*sums, placeholder("other_units"), *drafts))
    return Draft(title, tuple(sums) or (wording("nothing"),))


# ---------------------------------------------------------------- report


def _fields(spec: FormatSpec, region: str, year: int, parts: Iterable[str]) -> dict[str, str]:
    listed = [p.replace("、", "") for p in parts]
    return {
        "地区": region,
        "年度": str(year),
        "格式名称": spec.title,
        "文号": spec.notice,
        "组成部分": "、".join(listed),
        "部分数": str(len(listed)),
    }


def build_report_from(
    data: ReportData, spec: FormatSpec, region: str, issuer: str, issue_date: date
) -> Report:
    """The consolidated report draft from its input."""
    fig = Figures(spec, data)
    drafts = [
        _overview(fig),
        *(
            Draft(strip_number(t.title), (build_table(spec, t.key, data.totals),))
            for t in spec.tables
        ),
        _problems(spec, data),
        _other_matters(fig),
    ]
    sections = number_sections(drafts)
    fields = _fields(spec, region, data.year, [s.title for s in sections])
    return Report(
        region=region,
        year=data.year,
        format=spec.id,
        title=f"{region}{data.year}年政府信息公开工作年度报告",
        intro=wording("intro", fields),
        sections=sections,
        signature=Signature(issuer, issue_date),
        fields=fields,
        not_included=data.not_included,
    )
