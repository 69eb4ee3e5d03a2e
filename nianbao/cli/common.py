"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

SubParsers = Any  # argparse's _SubParsersAction is private


class CliError(Exception):
    """An error to show the user as-is (Chinese) with exit status 2."""


def command(
    sub: SubParsers, name: str, help_text: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """Add a sub-command whose handler is ``func``."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(func=func)
    return p
