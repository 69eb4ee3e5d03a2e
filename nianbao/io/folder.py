"""The shared folder: find submitted files and write published outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nianbao.core.findings import Finding
from nianbao.core.model import Unit
from nianbao.io.atomic import atomic_path
from nianbao.io.json_out import dump_chunks
from nianbao.io.xlsx_read import is_candidate

FOLDERS = ("inbox", "feedback", "archive", "quarantine", "output")


def ensure_layout(root: Path, roster: tuple[Unit, ...]) -> None:
    """Create the shared-folder skeleton, with one inbox and feedback folder per unit."""
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)
    for unit in roster:
        (root / "inbox" / unit.code).mkdir(exist_ok=True)
        (root / "feedback" / unit.code).mkdir(exist_ok=True)


def discover(inbox: Path, roster: tuple[Unit, ...]) -> tuple[list[tuple[str, Path]], list[Finding]]:
    """(unit code, file) pairs to process, sorted; findings for files that cannot be attributed."""
    codes = {u.code for u in roster}
    found: list[tuple[str, Path]] = []
    findings: list[Finding] = []
    if not inbox.is_dir():
        return found, findings
    for entry in sorted(inbox.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            if is_candidate(entry):
                findings.append(Finding("misplaced-file", file=entry.name))
            continue
        files = sorted(p for p in entry.iterdir() if is_candidate(p))
        if entry.name not in codes:
            if files:
                findings.append(Finding("unknown-unit", actual=entry.name, file=files[0].name))
            continue
        found += [(entry.name, p) for p in files]
    return found, findings


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as f:
        for chunk in dump_chunks(doc):  # json.dumps(doc, ensure_ascii=False, indent=2)
            f.write(chunk)
        f.write("\n")
