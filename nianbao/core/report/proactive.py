"""一（一）主动公开: the sentences stating table 二's figures.

Sentences are chosen by which cells the format has (no format ids in code): a sentence
applies when its cells exist, so the 2019 format's 一（一） speaks of 新制作/新公开 and 采购
while the 2021 format's speaks of 制发/废止/现行有效 and 收费金额. Zero items are left out of
enumerations and stated in words (``未新制作规章``).
"""

from __future__ import annotations

from collections.abc import Callable

from nianbao.core.report.figures import Figures
from nianbao.core.report.formatting import count_text
from nianbao.core.report.sentence import (
    Implied,
    Part,
    Shown,
    as_count,
    as_money,
    sentence,
    year_on_year,
)
from nianbao.core.report.types import Figure, Paragraph, Sentence

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


def _items(items: list[tuple[str, Figure]], unit: str, sep: str = "、") -> list[Part]:
    """``规章2件、规范性文件11件`` for labelled figures."""
    parts: list[Part] = []
    for i, (label, f) in enumerate(items):
        parts += [f"{sep if i else ''}{label}", as_count(f), unit]
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
            done += ["，" if done else "", verb, *_items(items, "件")]
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
            parts += [f"作出{names}处理决定共", as_count(both), "件"]
            parts += [*year_on_year(fig, both, "件"), "，其中", *_items(made, "件", "，")]
        else:
            for i, (label, f) in enumerate(made):
                parts += [f"{'，' if i else '作出'}{label}处理决定", as_count(f), "件"]
                parts += year_on_year(fig, f, "件")
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
        head = [f"{label}项目", as_count(now), "项"]
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
    change = year_on_year(fig, amount, unit, money=True)
    return sentence(f"本年收取{fig.label(cid)}", as_money(amount), unit, *change, "。")


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
        as_count(items),
        f"项，{fig.column('s2_procurement_amount')}",
        as_money(amount),
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
