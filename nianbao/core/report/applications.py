"""一（二）依申请公开: applications received (per unit), their outcomes (table 三), and
administrative review and litigation (table 四)."""

from __future__ import annotations

from decimal import Decimal

from nianbao.core.report.figures import Figures
from nianbao.core.report.sentence import Implied, Part, as_count, sentence, year_on_year
from nianbao.core.report.types import Figure, Paragraph, Sentence
from nianbao.core.report.wording import TRAILING_NOTE, strip_number
from nianbao.core.spec import Node, Table

# The row of table 三 that adds up its outcome categories (（七）总计 of 三、本年度办理结果).
_HANDLED_TOTAL = "handled_total"

_S4_PARTS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)


def _outcome_rows(table: Table) -> Node:
    """The row group 三、本年度办理结果: the one whose leaves include （七）总计."""
    return next(
        row
        for block in table.blocks
        for row in block.rows
        if row.children and any(path[-1].key == _HANDLED_TOTAL for path in row.leaves())
    )


def _outcome_groups(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    """(short label, 总计-column cell ids) of each outcome category of table 三."""
    out = []
    for child in _outcome_rows(table).children:
        keys = tuple(p[-1].key for p in child.leaves() if p[-1].key)
        if keys == (_HANDLED_TOTAL,):
            continue
        name = TRAILING_NOTE.sub("", strip_number(child.label))
        out.append((name, tuple(f"{table.key}_{k}_total" for k in keys)))
    return out


def _received(fig: Figures) -> Sentence:
    year, new = fig.data.year, fig.get("s3_new_total")
    if not new.value:
        return sentence(f"{year}年", fig.nil("未收到政府信息公开申请"), "。", Implied(new))
    parts: list[Part] = []
    for name, f in _per_part(fig, "s3_new_total"):
        if f.value:
            parts += ["，" if parts else "，其中", name, as_count(f), "项"]
    change = year_on_year(fig, new, "项")
    return sentence(f"{year}年共收到政府信息公开申请", as_count(new), "项", *change, *parts, "。")


def _per_part(fig: Figures, cell: str) -> list[tuple[str, Figure]]:
    """(name, figure) of each accepted unit, or of each part of the office's chosen level of
    the roster's tree (a group's figure adds up its accepted units')."""
    if not fig.data.parts:
        return [(u.name, fig.unit(u.code, u.values, cell)) for u in fig.data.units]
    values = {u.code: u.values for u in fig.data.units}
    out = []
    for part in fig.data.parts:
        taken = [fig.unit(code, values[code], cell) for code in part.units if code in values]
        if taken:
            refs = tuple(r for f in taken for r in f.refs)
            out.append((part.name, Figure(refs, sum((f.value for f in taken), Decimal(0)))))
    return out


def applications(fig: Figures) -> Paragraph:
    """一（二）: applications received, per unit, outcomes, review and litigation."""
    out = [_received(fig)]
    carried_in = fig.get("s3_carried_in_total")
    if carried_in.value:
        out.append(sentence("上年结转政府信息公开申请", as_count(carried_in), "件。"))
    handled = fig.get("s3_handled_total_total")
    if handled.value:
        groups = [(name, fig.get(*ids)) for name, ids in _outcome_groups(fig.spec.table("s3"))]
        nonzero = [(name, f) for name, f in groups if f.value]
        if len(nonzero) == 1 and nonzero[0][1].value == handled.value:
            name, only = nonzero[0]
            out.append(sentence("本年度办理", as_count(handled), f"件，均{name}。", Implied(only)))
        else:
            parts: list[Part] = ["本年度办理", as_count(handled), "件，其中"]
            for i, (name, f) in enumerate(nonzero):
                parts += [f"{'，' if i else ''}{name}", as_count(f), "件"]
            out.append(sentence(*parts, "。"))
    carried_out = fig.get("s3_carried_out_total")
    if carried_out.value:
        out.append(sentence("结转下年度继续办理", as_count(carried_out), "件。"))
    out += _reviews(fig)
    return Paragraph(tuple(out))


def _outcomes(fig: Figures, group: str) -> list[Part]:
    """``结果维持1件，结果纠正2件`` for the non-zero parts of a table 四 group."""
    parts: list[Part] = []
    for key, label in _S4_PARTS:
        f = fig.get(f"s4_{group}_{key}")
        if f.value:
            parts += [f"{'，' if parts else ''}{label}", as_count(f), "件"]
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
                as_count(review),
                "件",
                *year_on_year(fig, review, "件"),
                "，其中",
                *_outcomes(fig, "review"),
                "。",
            )
        )
    else:
        out.append(sentence(fig.nil("未发生政府信息公开行政复议案件"), "。", Implied(review)))
    if suits.value:
        parts: list[Part] = ["发生政府信息公开行政诉讼", as_count(suits), "件"]
        parts += [*year_on_year(fig, suits, "件"), "，其中"]
        first = True
        for group, total, label in (
            ("suit_direct", direct, "未经复议直接起诉"),
            ("suit_after_review", after, "复议后起诉"),
        ):
            if total.value:
                parts += [f"{'' if first else '，'}{label}", as_count(total), "件（"]
                parts += [*_outcomes(fig, group), "）"]
                first = False
        out.append(sentence(*parts, "。"))
    else:
        nil = fig.nil("未发生政府信息公开行政诉讼案件")
        out.append(sentence(nil, "。", Implied(direct), Implied(after)))
    return out
