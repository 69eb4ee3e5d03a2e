"""``fetch_driver``: the stored figures read through the driver's cursor are the rows
SQLAlchemy returns, on SQLite and PostgreSQL; it renders parameters into SQL, so it refuses
anything but integers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from nianbao.io.db.bulk import fetch_driver, raw
from nianbao.io.db.migrate import upgrade
from nianbao.io.db.read import read_totals
from nianbao.io.db.schema import CellValue, table_of
from nianbao.io.db.write import store_cycle
from tests.integration.test_db import engine, first  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


def test_the_driver_gives_the_rows_sqlalchemy_gives(engine: Engine) -> None:  # noqa: F811
    upgrade(engine)
    store_cycle(engine, first())
    assert read_totals(engine, first().year) is not None
    t = table_of(CellValue)
    query = select(t.c.submission_id, t.c.cell_id, raw(t.c.value)).order_by(t.c.id)
    with engine.connect() as conn:
        ids = [i for (i,) in conn.execute(select(t.c.submission_id).distinct())]
        assert len(ids) > 1
        wanted = query.where(t.c.submission_id.in_(ids[1:]))
        expected = [tuple(row) for row in conn.execute(wanted)]
        assert expected and all(row[0] != ids[0] for row in expected)
        assert [tuple(row) for row in fetch_driver(conn, wanted)] == expected


def test_anything_but_integers_is_refused(engine: Engine) -> None:  # noqa: F811
    upgrade(engine)
    t = table_of(CellValue)
    query = select(t.c.submission_id, t.c.cell_id, raw(t.c.value))
    with engine.connect() as conn:
        for hostile in (query.where(t.c.cell_id == "x' OR '1'='1"),
                        query.where(t.c.submission_id.in_([1, "2"]))):  # fmt: skip
            with pytest.raises(TypeError):
                fetch_driver(conn, hostile)
