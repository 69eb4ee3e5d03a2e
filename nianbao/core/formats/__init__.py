"""Registry of national format versions and which report years use them."""

from __future__ import annotations

from nianbao.core.formats.f2019 import FORMAT_2019
from nianbao.core.formats.f2021 import FORMAT_2021
from nianbao.core.spec import FormatSpec

FORMATS: dict[str, FormatSpec] = {f.id: f for f in (FORMAT_2019, FORMAT_2021)}

# (first report year, format id), ascending; a year uses the last entry it reaches.
YEAR_FORMATS: tuple[tuple[int, str], ...] = ((2019, "2019"), (2021, "2021"))

FIRST_YEAR = YEAR_FORMATS[0][0]


class UnknownFormatError(ValueError):
    """No format version is registered for the requested year or id."""


def format_for_year(year: int, override: str | None = None) -> FormatSpec:
    """The format a report year uses, or the explicitly chosen one."""
    if override is not None:
        if override not in FORMATS:
            raise UnknownFormatError(f"未知的报告格式：{override}（可用：{'、'.join(FORMATS)}）")
        return FORMATS[override]
    chosen = None
    for first, fid in YEAR_FORMATS:
        if year >= first:
            chosen = fid
    if chosen is None:
        raise UnknownFormatError(f"{year}年早于《条例》修订后的年度报告格式（{FIRST_YEAR}年起）")
    return FORMATS[chosen]


__all__ = [
    "FIRST_YEAR",
    "FORMATS",
    "FORMAT_2019",
    "FORMAT_2021",
    "YEAR_FORMATS",
    "UnknownFormatError",
    "format_for_year",
]
