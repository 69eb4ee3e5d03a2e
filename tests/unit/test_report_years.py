"""Which report year a workbook belongs to, and when a cycle opens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.process import cycle_opens, format_year
from nianbao.core.spec import FormatSpec


@pytest.mark.parametrize(
    ("spec", "cycle", "year"),
    [
        (FORMAT_2019, 2019, None),
        (FORMAT_2019, 2020, None),
        (FORMAT_2019, 2021, 2020),  # the last year of the 2019 format
        (FORMAT_2019, 2027, 2020),
        (FORMAT_2021, 2020, 2021),  # the first year of the 2021 format
        (FORMAT_2021, 2019, 2021),
        (FORMAT_2021, 2026, None),
    ],
)
def test_a_format_implies_the_nearest_year_that_uses_it(
    spec: FormatSpec, cycle: int, year: int | None
) -> None:
    assert format_year(spec, cycle) == year


def test_a_cycle_opens_on_new_years_day_office_time() -> None:
    assert cycle_opens(2021) == datetime(2021, 12, 31, 16, tzinfo=UTC)
    assert cycle_opens(2021, "UTC") == datetime(2022, 1, 1, tzinfo=UTC)
