"""Times shown to people are in the office's zone; JSON keeps the offset."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nianbao.core.clock import excel_local, iso_local, shown

MOMENT = datetime(2021, 1, 10, 2, 0, 0, tzinfo=UTC)


def test_beijing_time_is_utc_plus_eight_and_labelled() -> None:
    assert shown(MOMENT) == "2021-01-10 10:00:00（北京时间）"
    assert iso_local(MOMENT) == "2021-01-10T10:00:00+08:00"
    assert excel_local(MOMENT) == datetime(2021, 1, 10, 10, 0, 0)


def test_other_zone_is_named() -> None:
    assert shown(MOMENT, "Asia/Urumqi") == "2021-01-10 08:00:00（Asia/Urumqi）"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        shown(datetime(2021, 1, 10))
