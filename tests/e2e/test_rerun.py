"""A rerun costs what changed, through the CLI and a real Prefect run (SQLite and
PostgreSQL): with nothing new, every output and feedback file (and the SQLite database)
keeps its bytes and modification time; when one unit corrects its file, the other units'
feedback and the outputs whose content did not change stay as they were."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nianbao.core.roster import roster_csv
from tests.databases import BACKENDS, database_url
from tests.e2e.conftest import Runner
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.e2e
ALPHA, BETA, GAMMA = ROSTER


def snapshot(root: Path, db: Path) -> dict[str, tuple[str, int]]:
    """Every file nianbao writes (outputs, feedback, a SQLite database): sha256 and mtime."""
    files = [p for top in ("output", "feedback") for p in (root / top).rglob("*") if p.is_file()]
    files += [db] if db.exists() else []
    return {
        p.relative_to(db.parent if p == db else root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in files
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rerun_touches_only_what_changed(nianbao: Runner, tmp_path: Path, backend: str) -> None:
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(ROSTER), encoding="utf-8")
    make_workbook(root / "inbox" / "alpha" / "a.xlsx", ALPHA, unit_figures(11))
    figures = unit_figures(12)
    broken = {**figures, "s3_public_natural": figures["s3_public_natural"] + 5}
    make_workbook(root / "inbox" / "beta" / "b.xlsx", BETA, broken)
    make_workbook(root / "inbox" / "gamma" / "g.xlsx", GAMMA, unit_figures(13))
    with database_url(backend, tmp_path) as url:
        run = ("run", "--year", "2020", "--root", str(root), "--db", url)
        nianbao(*run)
        first = snapshot(root, tmp_path / "db" / "nianbao.db")
        assert any(name.endswith("退回修改.xlsx") for name in first)

        nianbao(*run)
        assert snapshot(root, tmp_path / "db" / "nianbao.db") == first

        # beta corrects its file: a new file in its folder (the old one stays, superseded)
        make_workbook(root / "inbox" / "beta" / "b2.xlsx", BETA, unit_figures(14))
        nianbao(*run)
        after = snapshot(root, tmp_path / "db" / "nianbao.db")
    changed = {name for name in first if after.get(name) != first[name]}
    receipts = {name for name in first if "/alpha/" in name or "/gamma/" in name}
    assert receipts and not receipts & changed  # the other units' feedback untouched
    assert {"output/2020/status.json", "output/2020/totals.json"} <= changed
    assert any(name.startswith("feedback/beta/") and name.endswith("回执.xlsx") for name in after)
