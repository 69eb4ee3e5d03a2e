"""Diff-sync: bring the rows of a table, keyed by a natural key, in line with a desired
state, touching only the rows that differ (so that storing the same state again writes
nothing, not even row ids)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nianbao.io.db.bulk import chunks, insert_rows
from nianbao.io.db.schema import Base, table_of

Row = dict[str, Any]
K = TypeVar("K", bound=Hashable)
_UNLOADED = object()  # a column ``load`` left out: never equal to a value


def load(
    session: Session,
    model: type[Base],
    *where: ColumnElement[bool],
    without: Sequence[str] = (),
) -> list[Row]:
    """The columns (all but ``without``) of the matching rows, in id order."""
    table = table_of(model)
    columns = [c for c in table.c if c.name not in without]
    rows = session.connection().execute(select(*columns).where(*where).order_by(table.c.id))
    keys = list(rows.keys())
    return [dict(zip(keys, row, strict=True)) for row in rows]


def update_rows(session: Session, model: type[Base], rows: list[Row]) -> None:
    """Bulk UPDATE by primary key (each dict holds ``id`` and the changed columns)."""
    if rows:
        session.execute(update(model), rows)


def delete_ids(session: Session, model: type[Base], ids: Sequence[int]) -> None:
    """DELETE the rows of these ids."""
    for chunk in chunks(ids):
        session.execute(
            delete(model).where(table_of(model).c.id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )


def insert_missing(session: Session, model: type[Base], rows: list[Row]) -> None:
    """INSERT .. ON CONFLICT DO NOTHING (natural key clashes from concurrent writers)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(model).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        session.execute(sqlite.insert(model).on_conflict_do_nothing(), rows)
    else:
        session.execute(insert(model), rows)


def sync(
    session: Session,
    model: type[Base],
    existing: Mapping[K, Row],
    desired: Mapping[K, Row],
    *,
    delete_missing: bool = True,
) -> None:
    """Make rows keyed by a natural key match ``desired``.

    ``existing`` maps key -> current row (with ``id``); ``desired`` maps key -> full
    column values. Unchanged rows are left alone; a column a current row was loaded
    without counts as changed when a desired row names it.
    """
    inserts, updates = [], []
    for key, row in desired.items():
        old = existing.get(key)
        if old is None:
            inserts.append(row)
            continue
        changed = {col: val for col, val in row.items() if old.get(col, _UNLOADED) != val}
        if changed:
            updates.append({"id": old["id"], **changed})
    update_rows(session, model, updates)
    if delete_missing:
        gone = [old["id"] for key, old in existing.items() if key not in desired]
        delete_ids(session, model, gone)
    insert_rows(session.connection(), table_of(model), inserts)
