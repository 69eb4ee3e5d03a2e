"""Database storage of cycle results (SQLAlchemy 2.x + Alembic; SQLite or PostgreSQL).

``schema`` holds the tables; ``write`` stores a cycle (the desired rows, brought in line by
``sync``); ``bulk`` moves rows and figures through the driver; ``read`` and ``lineage`` read
them back; ``migrate`` makes engines, checks and migrates the schema; ``errors`` words the
faults.
"""
