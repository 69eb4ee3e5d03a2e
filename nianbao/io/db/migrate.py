"""Engines, schema migrations (Alembic, configured in code; no alembic.ini) and the checks
a run makes before it uses a database.

Every engine made here turns "cannot connect" and "connection lost" into
``DatabaseUnavailable`` and a full disk into a ``DatabaseFault``, each one clear message
naming the database without its password. Writing transactions (``writing``) are
serialised by the database itself: ``BEGIN IMMEDIATE`` on SQLite, a transaction-level
advisory lock on PostgreSQL (released when the transaction ends or its connection dies).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, ExceptionContext, make_url

from nianbao.io.db.errors import database_full, unavailable, unknown_schema

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION_FILE = re.compile(r"^([0-9a-z]+)_\w+\.py$")  # versions/<revision>_<slug>.py
WRITE = "nianbao_write"  # execution option of writing transactions
_PG_WRITE_LOCK = 0x6E69616E62616F  # pg_advisory_xact_lock key of nianbao's writes ("nianbao")
SQLITE_TIMEOUT = 300.0  # seconds a SQLite connection waits for another writer
PG_CONNECT_TIMEOUT = 10  # seconds to wait for a PostgreSQL server that does not answer


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for ``url``; ``kwargs`` go to ``create_engine``.

    SQLite: the database file's folder is created, foreign keys are enforced, and
    SQLAlchemy (not the sqlite3 driver) emits BEGIN so that reads, writes and DDL
    share one real transaction.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", SQLITE_TIMEOUT)
    elif backend == "postgresql" and "connect_timeout" not in parsed.query:
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", PG_CONNECT_TIMEOUT)
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "handle_error", _fault_of(parsed))
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    elif backend == "postgresql":
        event.listen(engine, "begin", _pg_begin)
    return engine


def writing(engine: Engine) -> Engine:
    """``engine`` for a writing transaction: one writer at a time, waiting for the other."""
    return engine.execution_options(**{WRITE: True})


def _fault_of(url: URL) -> Any:
    def handle(context: ExceptionContext) -> None:
        original = context.original_exception
        if _is_full(original):
            raise database_full(url, str(original)) from original
        if context.connection is None or context.is_disconnect:
            lost = context.connection is not None
            raise unavailable(url, str(original), lost) from original

    return handle


def _is_full(exc: BaseException) -> bool:
    return (
        getattr(exc, "sqlite_errorname", None) == "SQLITE_FULL"
        or getattr(exc, "sqlstate", None) == "53100"  # PostgreSQL disk_full
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver must not emit BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _pg_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(WRITE):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config  # imported when needed: ~0.5 s the flow need not pay

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest migration revision."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> list[str]:
    """Every revision this version ships, oldest first, from the migration file names
    (``<revision>_<slug>.py``; a test keeps them in step with Alembic's own list)."""
    names = (p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    return sorted(m.group(1) for m in map(_REVISION_FILE.match, names) if m)


def current_revision(connection: Connection) -> str | None:
    """The schema revision stored in the database (None when it has no schema yet)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _check_known(url: str | URL, revision: str | None) -> None:
    known = known_revisions()
    if revision is not None and revision not in known:
        raise unknown_schema(url, revision, known)


def check_database(url: str) -> str | None:
    """Before a run: connect and read the schema revision, changing nothing (a missing
    SQLite file is not created); returns the revision, None for an empty database.

    Raises ``DatabaseUnavailable`` when the database cannot be reached and
    ``UnknownSchema`` when its revision is not one this version knows.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).expanduser().exists():
            return None
    engine = make_engine(parsed)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
    finally:
        engine.dispose()
    _check_known(parsed, revision)
    return revision


def upgrade(engine_or_url: Engine | str) -> str | None:
    """Migrate the database to the newest revision, in one writing transaction; a database
    of an unknown revision is left untouched (``UnknownSchema``). Returns the revision it
    had before (None: it had no schema)."""
    owned = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        with writing(engine).begin() as connection:
            before = current_revision(connection)
            _check_known(engine.url, before)
            if before == known_revisions()[-1]:  # at head (the usual run): Alembic not
                return before  # imported (~0.25 s, each run's store and its audit rows)
            from alembic import command

            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if owned:
            engine.dispose()
    return before
