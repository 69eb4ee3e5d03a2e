"""The pure core imports no framework or file-format library."""

from __future__ import annotations

import ast
from pathlib import Path

import nianbao.core

FORBIDDEN = {"prefect", "sqlalchemy", "openpyxl", "docx", "python_calamine", "pandas", "os"}


def test_core_imports_nothing_forbidden() -> None:
    core = Path(nianbao.core.__file__).parent
    offenders = []
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [(path.name, n) for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_environment_is_read_only_in_settings() -> None:
    repo = Path(nianbao.core.__file__).parents[2]
    users = [
        p.relative_to(repo).as_posix()
        for folder in ("nianbao", "flows", "tasks")
        for p in (repo / folder).rglob("*.py")
        if "os.environ" in p.read_text(encoding="utf-8")
    ]
    assert users == ["nianbao/settings.py"]
