"""How the draft writes figures and dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from nianbao.core.spec import CellType


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
