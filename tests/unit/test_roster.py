"""Roster parsing: headers in English or Chinese in any order, kinds, and errors naming the row."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.model import Unit
from nianbao.core.roster import (
    COLUMNS,
    RosterError,
    UnitKind,
    parse_roster,
    parse_rows,
    roster_csv,
)


def test_round_trip_with_bom() -> None:
    units = (
        Unit("shibenji", "市本级", UnitKind.GOVERNMENT),
        Unit("funing-zhen_2", "阜宁镇", UnitKind.TOWNSHIP),
    )
    assert parse_roster("\ufeff" + roster_csv(units)) == units


names = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\u3000"),
    min_size=1,
    max_size=12,
).filter(lambda s: s == s.strip() and s != "")
units_strategy = st.lists(
    st.builds(
        Unit,
        code=st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True),
        name=names,
        kind=st.sampled_from(["", *(k for k in UnitKind if k is not UnitKind.GROUP)]),
        contact=names | st.just(""),
        phone=st.from_regex(r"[0-9-]{0,13}", fullmatch=True),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda u: u.code,
)


@given(units_strategy)
def test_any_roster_survives_writing_and_reading(units: list[Unit]) -> None:
    assert parse_roster(roster_csv(units)) == tuple(units)


def test_chinese_headers_in_any_order_with_a_title_and_ignored_columns() -> None:
    rows = [
        ["2021年政务公开年报报送单位名单", None, None],
        [],
        ["序号", "单位名称", "联系电话", "单位代码 ", "单位类型", "联系人", "备注"],
        [1, "阜宁镇", 13800000000.0, "funingzhen", "乡镇", "王强", "新增"],
        [None, None, None, None, None, None, None],
        [2, "口岸委", "0453-1", "kouanwei", "部门", None, None],
        [3, "市本级", None, 101.0, "", None, None],
    ]
    assert parse_rows(rows) == (
        Unit("funingzhen", "阜宁镇", UnitKind.TOWNSHIP, "王强", "13800000000"),
        Unit("kouanwei", "口岸委", UnitKind.DEPARTMENT, phone="0453-1"),
        Unit("101", "市本级", ""),
    )


def test_the_kind_column_is_optional() -> None:
    assert parse_roster("单位代码,单位名称\na,甲\n") == (Unit("a", "甲"),)


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("乡镇", UnitKind.TOWNSHIP),
        ("街道", UnitKind.TOWNSHIP),
        ("乡镇（街道）", UnitKind.TOWNSHIP),
        ("township", UnitKind.TOWNSHIP),
        (" 部门 ", UnitKind.DEPARTMENT),
        ("市本级", UnitKind.GOVERNMENT),
        ("开发区", UnitKind.ZONE),
        ("其它", UnitKind.OTHER),
    ],
)
def test_kind_synonyms(word: str, kind: UnitKind) -> None:
    (unit,) = parse_roster(f"code,name,kind\na,甲,{word}\n")
    assert unit.kind == kind


def test_every_kind_is_accepted_by_its_label_and_value() -> None:
    for kind in UnitKind:
        assert UnitKind.parse(kind.label) is kind
        assert UnitKind.parse(kind.value) is kind
        for word in kind.synonyms:
            assert UnitKind.parse(word) is kind
    assert UnitKind.parse("") is None


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("", None),
        ("code,name,kind\n", None),  # no units
        ("name,kind\n甲,部门\n", None),  # no code column
        ("code,name,kind\nShiBenJi,市本级,本级\n", 2),
        ("code,name,kind\na,甲,\na,乙,\n", 3),
        ("code,name,kind\na,,\n", 2),
        ("code,name,kind\n,甲,\n", 2),
        ("code,name,kind\na,甲,部门\nb,乙,事业单位\n", 3),
        ("code,name,kind,email\na,甲,,x@y\n", 1),  # unknown column
        ("code,单位代码,name\na,a,甲\n", 1),  # the same column twice
        ("code,name\na,甲\x00\n", 2),  # a control character
        ('code,name\na,"甲\n乙"\n', 2),  # a line break in a name
    ],
)
def test_malformed_rosters_are_refused_naming_the_row(text: str, row: int | None) -> None:
    with pytest.raises(RosterError) as caught:
        parse_roster(text)
    assert caught.value.row == row
    assert caught.value.hint


def test_tab_separated_text_is_read() -> None:
    assert parse_roster("单位代码\t单位名称\na\t甲\n") == (Unit("a", "甲"),)


def test_columns_are_data() -> None:
    """Each column fills the Unit field of its name; English header first, Chinese second."""
    fields = set(Unit.__dataclass_fields__)
    for column in COLUMNS:
        assert column.field in fields
        assert column.headers[0].isascii() and not column.headers[1].isascii()
    assert {c.field for c in COLUMNS if c.required} == {"code", "name"}
