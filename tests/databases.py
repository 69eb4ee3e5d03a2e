"""Databases for storage tests: a SQLite file, or a fresh schema on the CI PostgreSQL.

Under ``CI`` a missing ``NIANBAO_TEST_PG_URL`` fails the PostgreSQL tests instead of
skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from nianbao.io.db.migrate import make_engine

PG_ENV = "NIANBAO_TEST_PG_URL"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pg_url() -> str:
    """The test PostgreSQL URL; skips (fails under CI) when it is not set."""
    url = os.environ.get(PG_ENV)
    if not url:
        if "CI" in os.environ:
            pytest.fail(f"{PG_ENV} must be set when CI is set")
        pytest.skip(f"{PG_ENV} not set")
    return url


@contextmanager
def fresh_pg_schema(url: str) -> Iterator[str]:
    """A URL whose connections use a new, empty schema (dropped afterwards)."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """URL of an empty database of ``backend`` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'db' / 'nianbao.db'}"
        return
    with fresh_pg_schema(pg_url()) as url:
        yield url
