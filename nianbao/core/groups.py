"""The roster's tree (上级单位): groups of units and of groups, and their totals at every level.

A group returns nothing; its total is, cell by cell, the sum of its members: the accepted
units directly under it and the totals of its subgroups (computed bottom-up, so that every
node's total is also the sum of the units below it). Tree order lists each group just
before its members, the members (units and subgroups) following the roster's order of
units: a group takes the place of its first unit. Pure: no files, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from nianbao.core.model import CycleResult, Group, Unit
from nianbao.core.spec import FormatSpec

Figures = Mapping[str, Decimal]


@dataclass(frozen=True)
class Node:
    """A unit or a group in tree order, with its depth (0 at the top)."""

    code: str
    name: str
    depth: int
    group: bool


@dataclass(frozen=True)
class Tree:
    """The roster's units and groups as a tree; ``order`` is every node in tree order."""

    units: tuple[Unit, ...]
    groups: tuple[Group, ...]

    @cached_property
    def order(self) -> tuple[Node, ...]:
        """Every group and unit, depth first, each group just before its members."""
        out: list[Node] = []
        kids = self._children()
        names = {g.code: g.name for g in self.groups} | {u.code: u.name for u in self.units}

        def visit(parent: str, depth: int) -> None:
            for code, is_group in kids.get(parent, ()):
                if is_group:
                    out.append(Node(code, names[code], depth, True))
                    visit(code, depth + 1)
                else:
                    out.append(Node(code, names[code], depth, False))

        visit("", 0)
        return tuple(out)

    def _children(self) -> dict[str, list[tuple[str, bool]]]:
        """Parent code ("" for the top) -> (code, is group) of its members, in tree order."""
        parents = {g.code: g.parent for g in self.groups}
        first: dict[str, int] = {}  # group -> position of its first unit
        for pos, unit in enumerate(self.units):
            up = unit.parent
            while up and up not in first:
                first[up] = pos
                up = parents[up]
        end = len(self.units)
        keyed: dict[str, list[tuple[tuple[int, int], str, bool]]] = {}
        for pos, unit in enumerate(self.units):
            keyed.setdefault(unit.parent, []).append(((pos, 1), unit.code, False))
        for pos, group in enumerate(self.groups):
            key = (first.get(group.code, end + pos), 0)  # before its first unit
            keyed.setdefault(group.parent, []).append((key, group.code, True))
        return {p: [(c, g) for _, c, g in sorted(items)] for p, items in keyed.items()}

    def leaves(self) -> dict[str, tuple[str, ...]]:
        """Group code -> the codes of every unit below it (at any depth), in roster order."""
        parents = {g.code: g.parent for g in self.groups}
        out: dict[str, list[str]] = {g.code: [] for g in self.groups}
        for unit in self.units:
            up = unit.parent
            while up:
                out[up].append(unit.code)
                up = parents[up]
        return {code: tuple(codes) for code, codes in out.items()}

    def parts(self, level: int) -> list[tuple[str, str, tuple[str, ...]]]:
        """(code, name, unit codes) of the parts a sentence names at ``level``: the groups of
        depth ``level - 1`` and the units above that depth; ``level`` 0 names every unit."""
        leaves = self.leaves()
        out = []
        for node in self.order:
            if node.group and node.depth == level - 1:
                out.append((node.code, node.name, leaves[node.code]))
            elif not node.group and (level == 0 or node.depth < level):
                out.append((node.code, node.name, (node.code,)))
        return out


def subtotals(
    spec: FormatSpec, tree: Tree, figures: Mapping[str, Figures]
) -> dict[str, dict[str, Decimal]]:
    """Each group's totals over every cell of ``spec``, from the figures of the accepted
    units (``figures``, by unit code; a unit without figures adds nothing), bottom-up."""
    cells = [c.id for c in spec.cells]
    zero = Decimal(0)
    members: dict[str, list[Figures]] = {g.code: [] for g in tree.groups}
    for unit in tree.units:
        if unit.parent and unit.code in figures:
            members[unit.parent].append(figures[unit.code])
    parents = {g.code: g.parent for g in tree.groups}
    out: dict[str, dict[str, Decimal]] = {}
    for node in reversed(tree.order):  # members before their group
        if not node.group:
            continue
        parts = members[node.code]
        out[node.code] = {c: sum((p.get(c, zero) for p in parts), zero) for c in cells}
        if parents[node.code]:
            members[parents[node.code]].append(out[node.code])
    return {g.code: out[g.code] for g in tree.groups}


def result_tree(result: CycleResult) -> Tree:
    """A cycle's roster as a tree."""
    return Tree(result.roster, result.groups)


def group_totals(spec: FormatSpec, result: CycleResult) -> dict[str, dict[str, Decimal]]:
    """Each group's totals in a cycle (empty for a roster without groups)."""
    if not result.groups:
        return {}
    return subtotals(spec, result_tree(result), result.breakdown)


def counts(tree: Tree, accepted: Sequence[str] | set[str]) -> dict[str, tuple[int, int]]:
    """Group code -> (accepted units below it, units below it)."""
    taken = set(accepted)
    return {g: (sum(c in taken for c in codes), len(codes)) for g, codes in tree.leaves().items()}
