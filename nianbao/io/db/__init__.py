"""Database storage of cycle results (SQLAlchemy 2.x + Alembic; SQLite or PostgreSQL)."""

from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.store import read_totals, store_cycle, table_counts

__all__ = ["make_engine", "read_totals", "store_cycle", "table_counts", "upgrade"]
