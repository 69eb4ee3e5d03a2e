"""Times as people read them: every time shown to a person is in the office's time zone
(Beijing time by default, the ``timezone`` setting); the database keeps UTC.

JSON carries ISO 8601 with the offset (``2021-01-10T10:00:00+08:00``); text shows
``2021-01-10 10:00:00（北京时间）``; xlsx cells hold a real date (``excel_local``).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "PRC": "北京时间"}


@cache
def zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA time zone name."""
    return ZoneInfo(name)


def local(moment: datetime, tz: str = DEFAULT_TIMEZONE) -> datetime:
    """An aware ``moment`` in the office's time zone."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime (timezone required): {moment.isoformat()}")
    return moment.astimezone(zone(tz))


def zone_label(tz: str = DEFAULT_TIMEZONE) -> str:
    """What a reader is told the times are in: 北京时间, or the zone's name."""
    return _NAMES.get(tz, tz)


def iso_local(moment: datetime, tz: str = DEFAULT_TIMEZONE) -> str:
    """ISO 8601 with the offset, for JSON: ``2021-01-10T10:00:00+08:00``."""
    return local(moment, tz).isoformat()


def shown(moment: datetime, tz: str = DEFAULT_TIMEZONE, label: bool = True) -> str:
    """``2021-01-10 10:00:00（北京时间）`` (without the parenthesis when ``label`` is false)."""
    text = local(moment, tz).strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}（{zone_label(tz)}）" if label else text


def excel_local(moment: datetime, tz: str = DEFAULT_TIMEZONE) -> datetime:
    """A naive local datetime for an Excel date cell (Excel dates carry no zone)."""
    return local(moment, tz).replace(tzinfo=None)
