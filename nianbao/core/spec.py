"""Declarative model of a report format: tables, header trees, cells and identities.

A format version is pure data (see ``nianbao.core.formats``); everything else (template
writer, reader, validator, merger, database, report) derives what it needs from it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from itertools import product
from typing import Any


class CellType(StrEnum):
    """Value type of a cell."""

    COUNT = "count"  # integer >= 0
    SIGNED = "signed"  # signed integer (本年增/减)
    MONEY = "money"  # decimal >= 0 in the column's declared unit


class CellKind(StrEnum):
    """Whether a unit types the value or it follows from other cells."""

    INPUT = "input"
    DERIVED = "derived"


class Severity(StrEnum):
    """An error blocks acceptance of a submission; a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Node:
    """One label of a row or column header tree.

    ``key`` contributes to cell ids; a group with ``key=None`` is transparent.
    Leaf columns carry the value type (and unit for money).
    """

    label: str
    key: str | None = None
    children: tuple[Node, ...] = ()
    type: CellType = CellType.COUNT
    unit: str | None = None

    @property
    def height(self) -> int:
        """Levels below this node (0 for a leaf)."""
        return 1 + max(c.height for c in self.children) if self.children else 0

    def leaves(self, path: tuple[Node, ...] = ()) -> list[tuple[Node, ...]]:
        """Paths from this node down to each leaf, in order."""
        here = (*path, self)
        if not self.children:
            return [here]
        return [leaf for child in self.children for leaf in child.leaves(here)]


def leaf_paths(roots: tuple[Node, ...]) -> list[tuple[Node, ...]]:
    """All root-to-leaf paths of a forest, in order."""
    return [leaf for root in roots for leaf in root.leaves()]


def tree_depth(roots: tuple[Node, ...]) -> int:
    """Number of header levels a forest needs."""
    return 1 + max(r.height for r in roots) if roots else 0


def path_key(path: tuple[Node, ...]) -> str:
    """Key of a leaf path: the non-empty keys joined with ``_``."""
    return "_".join(n.key for n in path if n.key)


@dataclass(frozen=True)
class Block:
    """A rectangular part of a table: optional caption row, column header, rows.

    ``rows`` empty means one unlabeled data row (section 四).
    """

    columns: tuple[Node, ...]
    rows: tuple[Node, ...] = ()
    caption: str | None = None
    corner: str | None = None

    @property
    def row_paths(self) -> list[tuple[Node, ...]]:
        """Leaf row paths; one empty path when the block has no row labels."""
        return leaf_paths(self.rows) if self.rows else [()]


@dataclass(frozen=True)
class Table:
    """One of the report's statistical tables (sections 二, 三, 四)."""

    key: str
    title: str
    sheet: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class CellSpec:
    """One value cell, addressed by a stable id."""

    id: str
    table: str
    block: int
    row: int  # index of the leaf row within its block
    column: int  # index of the leaf column within its block
    row_path: tuple[str, ...]
    column_path: tuple[str, ...]
    type: CellType
    unit: str | None
    kind: CellKind

    @property
    def label(self) -> str:
        """Official labels of the cell joined for messages, e.g. ``一、本年新收… / 自然人``."""
        return " / ".join((*self.row_path, *self.column_path))


@dataclass(frozen=True)
class Rule:
    """An identity ``sum(lhs) = sum(rhs)`` repeated over the values of ``each``.

    Cell references are ``str.format`` templates filled from ``each`` (never evaluated
    as code). With ``defines`` the single lhs cell is derived from the rhs cells.
    ``anchor`` names the cell where a violation is reported.
    """

    id: str
    code: str
    title: str
    severity: Severity
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    anchor: str
    each: tuple[tuple[str, tuple[str, ...]], ...] = ()
    defines: bool = False

    def equations(self) -> list[Equation]:
        """Expand the rule into concrete equations."""
        return [
            Equation(
                rule=self.id,
                code=self.code,
                lhs=tuple(_fill(t, env) for t in self.lhs),
                rhs=tuple(_fill(t, env) for t in self.rhs),
                anchor=_fill(self.anchor, env),
            )
            for env in _bindings(self.each)
        ]


def _bindings(each: tuple[tuple[str, tuple[str, ...]], ...]) -> list[dict[str, str]]:
    """Every combination of the placeholder values (one empty binding when there are none)."""
    names = [name for name, _ in each]
    return [dict(zip(names, vals, strict=True)) for vals in product(*(v for _, v in each))]


def _fill(template: str, env: dict[str, str]) -> str:
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format(**{f: env[f] for f in fields})


@dataclass(frozen=True)
class Equation:
    """A concrete identity between cell ids."""

    rule: str
    code: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    anchor: str


@dataclass(frozen=True)
class Term:
    """One signed cell reference of a cross-year rule, this year's or last year's."""

    cell: str
    last_year: bool = False
    sign: int = 1


@dataclass(frozen=True)
class CarryRule:
    """A cross-year identity ``lhs = Σ sign·rhs`` for the same unit (A6, C1, C3).

    Templates as in ``Rule``. When every rhs term is last year's, the lhs can be pre-filled
    in next year's template; a submission that breaks the rule gets a finding.
    """

    id: str
    code: str
    title: str
    severity: Severity
    lhs: str
    rhs: tuple[Term, ...]
    each: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def equations(self) -> list[CarryEquation]:
        """Expand the rule into concrete equations."""
        return [
            CarryEquation(
                rule=self.id,
                code=self.code,
                lhs=_fill(self.lhs, env),
                rhs=tuple(Term(_fill(t.cell, env), t.last_year, t.sign) for t in self.rhs),
            )
            for env in _bindings(self.each)
        ]


@dataclass(frozen=True)
class CarryEquation:
    """A concrete cross-year identity."""

    rule: str
    code: str
    lhs: str
    rhs: tuple[Term, ...]

    @property
    def from_last_year_only(self) -> bool:
        """Whether the lhs follows from last year's figures alone (so it can be pre-filled)."""
        return all(t.last_year for t in self.rhs)


@dataclass(frozen=True)
class TextField:
    """An item a unit returns outside the tables (narrative, contact, a stated amount).

    ``type`` is None for free text, or the value type of a number the reader must parse.
    """

    key: str
    label: str
    multiline: bool = False
    type: CellType | None = None
    unit: str | None = None


@dataclass(frozen=True)
class KindRule:
    """Cells a unit of the roster kinds ``kinds`` (``UnitKind`` values) has no power to fill:
    a figure in any of them is a plausibility warning; ``reason`` (Chinese) says why."""

    kinds: frozenset[str]
    cells: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class FormatSpec:
    """One national format version."""

    id: str
    title: str
    notice: str
    tables: tuple[Table, ...]
    rules: tuple[Rule, ...]
    texts: tuple[TextField, ...]
    carry_rules: tuple[CarryRule, ...] = ()
    template_version: str = "2"
    # Plausibility: the figures compared with the unit's last year and with its peers (of
    # the same roster kind), and the cells some kinds of unit cannot fill.
    key_figures: tuple[str, ...] = ()
    kind_rules: tuple[KindRule, ...] = ()

    @property
    def label(self) -> str:
        """How messages name the format, e.g. ``2021年版（国办公开办函〔2021〕30号）``."""
        return f"{self.id}年版（{self.notice}）"

    @cached_property
    def carry_equations(self) -> tuple[CarryEquation, ...]:
        """All cross-year identities, expanded."""
        return tuple(eq for rule in self.carry_rules for eq in rule.equations())

    @cached_property
    def equations(self) -> tuple[Equation, ...]:
        """All identities, expanded."""
        return tuple(eq for rule in self.rules for eq in rule.equations())

    @cached_property
    def definitions(self) -> dict[str, Equation]:
        """Derived cell id -> the equation that defines it (first defining rule wins)."""
        out: dict[str, Equation] = {}
        for rule in self.rules:
            if rule.defines:
                for eq in rule.equations():
                    out.setdefault(eq.lhs[0], eq)
        return out

    @cached_property
    def cells(self) -> tuple[CellSpec, ...]:
        """Every value cell in table order (blocks, rows, columns)."""
        out = []
        for table in self.tables:
            for b, block in enumerate(table.blocks):
                cols = leaf_paths(block.columns)
                for r, rpath in enumerate(block.row_paths):
                    for c, cpath in enumerate(cols):
                        cid = "_".join(
                            k for k in (table.key, path_key(rpath), path_key(cpath)) if k
                        )
                        leaf = cpath[-1]
                        out.append(
                            CellSpec(
                                id=cid,
                                table=table.key,
                                block=b,
                                row=r,
                                column=c,
                                row_path=tuple(n.label for n in rpath),
                                column_path=tuple(n.label for n in cpath),
                                type=leaf.type,
                                unit=leaf.unit,
                                kind=CellKind.DERIVED
                                if cid in self.definitions
                                else CellKind.INPUT,
                            )
                        )
        return tuple(out)

    @cached_property
    def cell(self) -> dict[str, CellSpec]:
        """Cell id -> cell."""
        return {c.id: c for c in self.cells}

    @cached_property
    def inputs(self) -> tuple[str, ...]:
        """Ids of input cells, in table order."""
        return tuple(c.id for c in self.cells if c.kind is CellKind.INPUT)

    def table(self, key: str) -> Table:
        """The table with this key."""
        return next(t for t in self.tables if t.key == key)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON interface of ``nianbao spec --json``."""
        return {
            "format": {
                "id": self.id,
                "title": self.title,
                "notice": self.notice,
                "template_version": self.template_version,
            },
            "tables": [{"key": t.key, "title": t.title, "sheet": t.sheet} for t in self.tables],
            "cells": [
                {
                    "id": c.id,
                    "table": c.table,
                    "row_path": list(c.row_path),
                    "column_path": list(c.column_path),
                    "type": c.type.value,
                    "unit": c.unit,
                    "kind": c.kind.value,
                }
                for c in self.cells
            ],
            "identities": [
                {
                    "id": r.id,
                    "code": r.code,
                    "title": r.title,
                    "severity": r.severity.value,
                    "defines_derived": r.defines,
                    "equations": [
                        {"lhs": list(e.lhs), "rhs": list(e.rhs), "anchor": e.anchor}
                        for e in r.equations()
                    ],
                }
                for r in self.rules
            ],
            "cross_year": [
                {
                    "id": r.id,
                    "code": r.code,
                    "title": r.title,
                    "severity": r.severity.value,
                    "equations": [
                        {
                            "lhs": e.lhs,
                            "rhs": [
                                {"cell": t.cell, "last_year": t.last_year, "sign": t.sign}
                                for t in e.rhs
                            ],
                        }
                        for e in r.equations()
                    ],
                }
                for r in self.carry_rules
            ],
            "texts": [
                {"key": t.key, "label": t.label, "type": t.type.value if t.type else "text"}
                for t in self.texts
            ],
        }
