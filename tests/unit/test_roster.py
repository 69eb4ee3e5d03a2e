"""Roster CSV parsing."""

from __future__ import annotations

import pytest

from nianbao.core.model import Unit
from nianbao.core.roster import RosterError, parse_roster, roster_csv


def test_round_trip_with_bom() -> None:
    units = (Unit("shibenji", "市本级", "本级"), Unit("funing-zhen_2", "阜宁镇", "乡镇"))
    assert parse_roster("\ufeff" + roster_csv(units)) == units


@pytest.mark.parametrize(
    "text",
    [
        "",
        "name,code,kind\n",
        "code,name,kind\nShiBenJi,市本级,本级\n",
        "code,name,kind\na,甲,\na,乙,\n",
        "code,name,kind\na,,\n",
        "code,name,kind\n",
    ],
)
def test_malformed_rosters_are_refused(text: str) -> None:
    with pytest.raises(RosterError):
        parse_roster(text)


def test_optional_contact_columns() -> None:
    text = "code,name,kind,contact,phone\nkaw,口岸委,部门,王强,0453-1\n"
    (unit,) = parse_roster(text)
    assert (unit.contact, unit.phone) == ("王强", "0453-1")
    assert parse_roster(roster_csv((unit,))) == (unit,)


def test_unknown_extra_column_is_refused() -> None:
    with pytest.raises(RosterError):
        parse_roster("code,name,kind,email\na,甲,,x@y\n")
