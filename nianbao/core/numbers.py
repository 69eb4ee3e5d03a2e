"""Numeric policy: how a raw cell value becomes a Decimal of the cell's type."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from nianbao.core.spec import CellType

# Values are compared after rounding to this step; it absorbs Excel's binary float
# artifacts (274.65999999999997) and is finer than any unit the formats use.
PRECISION = Decimal("0.0001")


@dataclass(frozen=True)
class Parsed:
    """Outcome of parsing one cell: a value, or the finding code that explains why not."""

    value: Decimal | None
    problem: str | None = None  # a findings catalogue code
    shown: str = ""  # the raw value as the clerk typed it


# Below this magnitude an int or integral float converts exactly and quantises like its repr.
EXACT = 10**15
_CACHE_RANGE = range(-1024, 65536)  # shared Decimal objects for common counts (immutable)
_WHOLE: dict[int, Decimal] = {}


def whole_number(raw: Any) -> int | None:
    """The value of an int or integral float cell of moderate size (not bool), else None.

    The fast path of ``to_decimal``/``parse_cell`` for the cells most returns consist of.
    """
    kind = type(raw)
    if kind is float:
        if raw.is_integer() and -EXACT < raw < EXACT:
            return int(raw)
    elif kind is int and -EXACT < raw < EXACT:
        return int(raw)
    return None


def whole_decimal(n: int) -> Decimal:
    """``Decimal(n)``; small values share one object, which keeps large batches small."""
    value = _WHOLE.get(n)
    if value is None:
        value = Decimal(n)
        if n in _CACHE_RANGE:
            _WHOLE[n] = value
    return value


def is_blank(raw: Any) -> bool:
    """Empty cell (calamine gives '' for blanks and for formulas without a cached value)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def to_decimal(raw: Any) -> Decimal | None:
    """A number from a cell value, or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        try:
            return Decimal(repr(raw)).quantize(PRECISION)
        except InvalidOperation:
            return None
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace(" ", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return value.quantize(PRECISION) if value.is_finite() else None
    return None


def parse_cell(raw: Any, ctype: CellType) -> Parsed:
    """Parse a raw input cell according to its declared type."""
    shown = "" if raw is None else str(raw)
    whole = whole_number(raw)
    if whole is not None:
        if whole < 0 and ctype is not CellType.SIGNED:
            return Parsed(None, "negative-value", str(whole))
        return Parsed(whole_decimal(whole), None, shown)
    if is_blank(raw):
        return Parsed(Decimal(0), "blank-cell", shown)
    value = to_decimal(raw)
    if value is None:
        return Parsed(None, "not-a-number", shown)
    if ctype is not CellType.MONEY and value != value.to_integral_value():
        return Parsed(None, "not-an-integer", fmt(value))
    if ctype is not CellType.SIGNED and value < 0:
        return Parsed(None, "negative-value", fmt(value))
    return Parsed(normal(value), None, shown)


def normal(value: Decimal) -> Decimal:
    """Canonical form: integers without exponent or trailing zeros, decimals trimmed."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.quantize(PRECISION).normalize()


def fmt(value: Decimal) -> str:
    """Plain text of a value for messages (no exponent)."""
    return format(normal(value), "f")
