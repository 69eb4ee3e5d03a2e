"""Writing a sentence that states figures: literal text and figures in order, each figure
written as digits recorded as a ``Slot`` of the sentence."""

from __future__ import annotations

from typing import NamedTuple

from nianbao.core.report.figures import Figures
from nianbao.core.report.formatting import count_text, money_text
from nianbao.core.report.types import Figure, Sentence, Slot


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


def as_count(figure: Figure) -> Shown:
    """A count written as digits."""
    return Shown(figure, count_text(figure.value))


def as_money(figure: Figure) -> Shown:
    """An amount of money written as digits (the unit is literal text after it)."""
    return Shown(figure, money_text(figure.value))


def year_on_year(fig: Figures, now: Figure, measure: str, money: bool = False) -> list[Part]:
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
