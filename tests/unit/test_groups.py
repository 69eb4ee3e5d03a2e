"""The roster's tree: subtotals at every level equal the sum of the units below, tree order,
the parts a sentence names, and the roster's checks on parents."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.core.formats import FORMATS
from nianbao.core.groups import Tree, subtotals
from nianbao.core.model import Group, Unit
from nianbao.core.roster import RosterError, parse_csv

SPEC = FORMATS["2021"]


@st.composite
def trees(draw: st.DrawFn) -> tuple[Tree, dict[str, dict[str, Decimal]]]:
    """A three-level tree (top groups, their subgroups, theirs) with units hung anywhere,
    some units without accepted figures."""
    groups: list[Group] = []
    level: list[str] = [""]
    for depth in range(3):
        nxt = []
        for parent in level:
            for i in range(draw(st.integers(1 if depth == 0 else 0, 3))):
                code = f"{parent or 'g'}{depth}{i}"
                groups.append(Group(code, f"组{code}", parent))
                nxt.append(code)
        level = nxt or level
    codes = [g.code for g in groups]
    draw(st.randoms()).shuffle(groups)  # roster order need not be tree order
    n = draw(st.integers(1, 14))
    units = tuple(
        Unit(f"u{i}", f"单位{i}", parent=draw(st.sampled_from(["", *codes]))) for i in range(n)
    )
    seed = draw(st.integers(0, 2**32))
    rnd = random.Random(seed)
    figures = {
        u.code: {c.id: Decimal(rnd.randint(-5, 10**6)) / (100 if c.unit else 1) for c in SPEC.cells}
        for u in units
        if rnd.random() < 0.8
    }
    return Tree(units, tuple(groups)), figures


def _above(tree: Tree, unit: Unit) -> list[str]:
    parents = {g.code: g.parent for g in tree.groups}
    out, up = [], unit.parent
    while up:
        out.append(up)
        up = parents[up]
    return out


@settings(max_examples=60, deadline=None)
@given(trees())
def test_every_subtotal_is_the_sum_of_its_units_at_every_cell(
    case: tuple[Tree, dict[str, dict[str, Decimal]]],
) -> None:
    tree, figures = case
    got = subtotals(SPEC, tree, figures)
    expected = {g.code: dict.fromkeys((c.id for c in SPEC.cells), Decimal(0)) for g in tree.groups}
    for unit in tree.units:
        for group in _above(tree, unit):
            for cid, value in figures.get(unit.code, {}).items():
                expected[group][cid] += value
    assert got == expected
    assert set(got) == {g.code for g in tree.groups}


@settings(max_examples=60, deadline=None)
@given(trees())
def test_tree_order_lists_each_group_before_its_members_once(
    case: tuple[Tree, dict[str, dict[str, Decimal]]],
) -> None:
    tree, _ = case
    order = tree.order
    assert sorted(n.code for n in order) == sorted(
        [*(u.code for u in tree.units), *(g.code for g in tree.groups)]
    )
    place = {n.code: i for i, n in enumerate(order)}
    depth = {n.code: n.depth for n in order}
    for entry in (*tree.units, *tree.groups):
        if entry.parent:
            assert place[entry.parent] < place[entry.code]
            assert depth[entry.code] == depth[entry.parent] + 1
            # everything between a group and its member is below the group
            between = order[place[entry.parent] + 1 : place[entry.code]]
            assert all(n.depth > depth[entry.parent] for n in between)
        else:
            assert depth[entry.code] == 0


def test_tree_order_follows_the_units_order_and_parts_at_each_level() -> None:
    tree = Tree(
        (
            Unit("shibenji", "市本级"),
            Unit("a", "甲局", parent="depts"),
            Unit("t1", "一镇", parent="towns"),
            Unit("b", "乙局", parent="depts"),
            Unit("t2", "二镇", parent="east"),
        ),
        (Group("towns", "乡镇街道"), Group("depts", "市直部门"), Group("east", "东片", "towns")),
    )
    assert [(n.code, n.depth) for n in tree.order] == [
        ("shibenji", 0),
        ("depts", 0),
        ("a", 1),
        ("b", 1),
        ("towns", 0),
        ("t1", 1),
        ("east", 1),
        ("t2", 2),
    ]
    assert [p[0] for p in tree.parts(0)] == ["shibenji", "a", "b", "t1", "t2"]
    assert tree.parts(1) == [
        ("shibenji", "市本级", ("shibenji",)),
        ("depts", "市直部门", ("a", "b")),
        ("towns", "乡镇街道", ("t1", "t2")),
    ]
    assert [p[0] for p in tree.parts(2)] == ["shibenji", "a", "b", "t1", "east"]


def test_a_roster_with_groups_splits_units_and_groups() -> None:
    roster = parse_csv(
        "单位代码,单位名称,单位类型,上级单位\n"
        "depts,市直部门,分组,\n"
        "a,甲局,部门,depts\n"
        "towns,乡镇街道,分组,county\n"
        "county,某县,分组,\n"
        "t,一镇,乡镇,towns\n"
    )
    assert [u.code for u in roster.units] == ["a", "t"]
    assert roster.units[0].parent == "depts"
    assert roster.groups == (
        Group("depts", "市直部门"),
        Group("towns", "乡镇街道", "county"),
        Group("county", "某县"),
    )


@pytest.mark.parametrize(
    ("rows", "row", "words"),
    [
        ("a,甲,,nowhere\n", 2, "nowhere"),
        ("a,甲,,b\nb,乙,,\n", 2, "不是分组"),
        ("g,组,分组,h\nh,组二,分组,g\na,甲,,g\n", 2, "循环"),
        ("g,组,分组,g\na,甲,,g\n", 2, "循环"),
        ("a,甲,,A B\n", 2, "上级单位"),
    ],
)
def test_bad_parents_are_one_error_naming_the_row(rows: str, row: int, words: str) -> None:
    with pytest.raises(RosterError) as caught:
        parse_csv("code,name,kind,parent\n" + rows)
    assert caught.value.row == row
    assert words in caught.value.message


def test_a_roster_of_groups_only_has_no_units() -> None:
    with pytest.raises(RosterError):
        parse_csv("code,name,kind\ng,组,分组\n")
