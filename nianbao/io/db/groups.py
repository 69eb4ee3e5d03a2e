"""The roster's tree in the database: a cycle's groups and their totals (written with the
cycle, diff-synced), and read back without the roster file (``read_groups``).

A roster without groups writes no row here: its cycles read back an empty tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from nianbao.core.formats import FORMATS
from nianbao.core.groups import Tree, group_totals
from nianbao.core.model import CycleResult, Group, Unit
from nianbao.io.db.schema import Cycle, GroupRow, GroupTotal, RosterEntry, UnitRow
from nianbao.io.db.sync import Row, load, sync


@dataclass(frozen=True)
class StoredGroups:
    """A stored cycle's tree (roster units with their groups, the groups in roster order)
    and each group's totals by code."""

    tree: Tree
    totals: dict[str, dict[str, Decimal]]


def sync_groups(
    session: Session,
    cycle_id: int,
    result: CycleResult,
    sums: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> None:
    """Bring the cycle's groups and their totals (``sums``, else made from ``result``) in
    line with ``result``."""
    existing = {r["code"]: r for r in load(session, GroupRow, GroupRow.cycle_id == cycle_id)}
    desired: dict[str, Row] = {
        g.code: {
            "cycle_id": cycle_id,
            "code": g.code,
            "name": g.name,
            "parent": g.parent,
            "position": pos,
        }
        for pos, g in enumerate(result.groups)
    }
    sync(session, GroupRow, existing, desired)  # a group gone takes its totals (cascade)
    if not desired:
        return
    ids = {r["code"]: r["id"] for r in load(session, GroupRow, GroupRow.cycle_id == cycle_id)}
    if sums is None:
        sums = group_totals(FORMATS[result.format], result)
    for code, values in sums.items():
        group_id = ids[code]
        have = {r["cell_id"]: r for r in load(session, GroupTotal, GroupTotal.group_id == group_id)}
        want = {
            cid: {"group_id": group_id, "cell_id": cid, "value": value}
            for cid, value in values.items()
        }
        sync(session, GroupTotal, have, want)


def read_groups(engine: Engine, year: int) -> StoredGroups | None:
    """A stored cycle's tree and group totals, or None when the year was never stored."""
    with engine.connect() as conn:  # one read transaction
        cycle_id = conn.execute(select(Cycle.id).where(Cycle.year == year)).scalar_one_or_none()
        if cycle_id is None:
            return None
        units = conn.execute(
            select(UnitRow.code, UnitRow.name, UnitRow.kind, RosterEntry.parent)
            .join(RosterEntry, RosterEntry.unit_id == UnitRow.id)
            .where(RosterEntry.cycle_id == cycle_id)
            .order_by(RosterEntry.position)
        ).all()
        groups = conn.execute(
            select(GroupRow.id, GroupRow.code, GroupRow.name, GroupRow.parent)
            .where(GroupRow.cycle_id == cycle_id)
            .order_by(GroupRow.position)
        ).all()
        code_of = {g.id: g.code for g in groups}
        totals: dict[str, dict[str, Decimal]] = {g.code: {} for g in groups}
        if groups:
            rows = conn.execute(
                select(GroupTotal.group_id, GroupTotal.cell_id, GroupTotal.value)
                .join(GroupRow, GroupRow.id == GroupTotal.group_id)
                .where(GroupRow.cycle_id == cycle_id)
                .order_by(GroupTotal.id)
            )
            for group_id, cell_id, value in rows:
                totals[code_of[group_id]][cell_id] = value
    tree = Tree(
        tuple(Unit(u.code, u.name, u.kind, parent=u.parent) for u in units),
        tuple(Group(g.code, g.name, g.parent) for g in groups),
    )
    return StoredGroups(tree, totals)
