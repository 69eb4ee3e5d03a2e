"""Adapters at the edges: workbooks, database, Word. The pure core lives in ``nianbao.core``."""
