"""Heading numbers: sections are drafted without numbers and numbered once, so no number
repeats under a parent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nianbao.core.report.types import Paragraph, Section, TableModel

_CN_DIGITS = "零一二三四五六七八九"


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
