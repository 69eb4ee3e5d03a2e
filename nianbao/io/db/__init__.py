"""Database storage of cycle results (SQLAlchemy 2.x + Alembic; SQLite or PostgreSQL).

``schema`` holds the tables, ``write`` stores a cycle (the desired rows, diff-synced by
``sync``), ``bulk`` moves rows and figures through the driver, ``read`` and ``lineage``
read them back, ``migrate`` makes engines and migrates.
"""

from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.read import read_totals, table_counts
from nianbao.io.db.write import store_cycle

__all__ = ["make_engine", "read_totals", "store_cycle", "table_counts", "upgrade"]
