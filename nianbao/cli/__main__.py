"""``python -m nianbao.cli``."""

from nianbao.cli import entry

entry()
