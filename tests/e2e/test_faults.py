"""Faults of a whole run, through the real CLI and a real Prefect server: a kill (SIGKILL of
the run and its workers) at intake, during the database write and while the outputs are
written; a service stop (SIGTERM); the database going away in the middle; a full disk; an
unknown schema revision. After each, before any rerun, every file in ``output/`` and
``feedback/`` opens and none claims a state the database lacks; the rerun gives exactly the
database rows, totals and files of a clean run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from nianbao.io.db.migrate import make_engine
from nianbao.io.db.read import read_totals
from tests.conftest import REPO
from tests.databases import fresh_pg_schema, pg_url
from tests.e2e.faults_support import (
    YEAR,
    Pool,
    Proxy,
    advance_to_b,
    copy_root,
    db_rows,
    described,
    files,
    invalid,
    make_pool,
    prepare_a,
    published,
    run_cycle,
    temporaries,
)
from tests.e2e.prefect_server import Server, prefect_server

pytestmark = pytest.mark.e2e

NO_TRACEBACK = ("Traceback", "--- Logging error ---")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[Server]:
    with prefect_server(workdir) as running:
        yield running


@pytest.fixture(scope="module")
def pool(workdir: Path) -> Pool:
    return make_pool(workdir / "pool")


@dataclass(frozen=True)
class Reference:
    """A clean history: state A run, then state B run (SQLite in the root)."""

    a_root: Path  # a copy of the shared folder right after the A run
    a: dict[str, Any]
    a_rows: dict[str, Any]
    b: dict[str, Any]
    b_rows: dict[str, Any]


def sqlite_url(root: Path) -> str:
    return f"sqlite:///{root / 'nianbao.db'}"


def ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, described(proc)


@pytest.fixture(scope="module")
def reference(server: Server, pool: Pool, workdir: Path) -> Reference:
    root = prepare_a(pool, workdir / "reference")
    ok(run_cycle(server, workdir, root))
    a_root = copy_root(root, workdir / "after-a")
    a, a_rows = published(root), db_rows(sqlite_url(root))
    advance_to_b(pool, root)
    ok(run_cycle(server, workdir, root))
    return Reference(a_root, a, a_rows, published(root), db_rows(sqlite_url(root)))


@pytest.fixture(scope="module")
def pg_b_rows(server: Server, pool: Pool, workdir: Path) -> dict[str, Any]:
    """The database rows of the clean history on PostgreSQL."""
    root = prepare_a(pool, workdir / "pg-reference")
    with fresh_pg_schema(pg_url()) as url:
        ok(run_cycle(server, workdir, root, url))
        advance_to_b(pool, root)
        ok(run_cycle(server, workdir, root, url))
        return db_rows(url)


def claims_match_database(root: Path, url: str) -> None:
    """totals.json, status.json and every feedback file state only what the database holds."""
    engine = make_engine(url)
    try:
        stored = read_totals(engine, YEAR)
        with engine.connect() as conn:
            statuses = dict(
                conn.execute(
                    text(
                        "SELECT u.code, r.status FROM cycle_units r "
                        "JOIN units u ON u.id = r.unit_id"
                    )
                )
                .tuples()
                .all()
            )
            subs = {
                (code, sha[:12]): status
                for code, sha, status in conn.execute(
                    text(
                        "SELECT u.code, s.sha256, s.status FROM submissions s "
                        "JOIN units u ON u.id = s.unit_id"
                    )
                )
                .tuples()
                .all()
            }
    finally:
        engine.dispose()
    out = root / "output" / str(YEAR)
    assert stored is not None
    totals = json.loads((out / "totals.json").read_text(encoding="utf-8"))
    assert {k: Decimal(str(v)) for k, v in totals["totals"].items()} == {
        k: v for k, v in stored.totals.items() if k in totals["totals"]
    }
    status = json.loads((out / "status.json").read_text(encoding="utf-8"))
    assert {u["code"]: u["status"] for u in status["units"]} == statuses
    for path in files(root / "feedback"):  # feedback/<code>/… and feedback/<code>/历史/…
        _year, sha, kind = path.stem.split("-")
        held = subs.get((path.relative_to(root / "feedback").parts[0], sha))
        allowed = {"回执": {"accepted", "accepted_with_warnings"}, "退回修改": {"rejected"}}[kind]
        assert held in allowed | {"superseded"}, f"{path} claims what the database lacks: {held}"


def unchanged(root: Path, url: str, ref: Reference, rows: dict[str, Any] | None = None) -> None:
    """After a failed run: every file opens; outputs, feedback and database are state A's."""
    now = published(root)
    assert invalid(now) == []
    assert now == ref.a
    assert db_rows(url) == (rows if rows is not None else ref.a_rows)
    claims_match_database(root, url)


def converged(root: Path, url: str, ref: Reference, rows: dict[str, Any]) -> None:
    """After the rerun: exactly the clean history's outputs, feedback and rows."""
    assert published(root) == ref.b
    assert db_rows(url) == rows
    assert temporaries(root) == []
    claims_match_database(root, url)


# --- kills -------------------------------------------------------------------------------

KILL_ENV = {"NIANBAO_BATCH_SIZE": "200", "NIANBAO_WORKERS": "2"}  # several intake batches


@pytest.mark.parametrize("stage", ["intake", "store", "outputs"])
def test_a_run_killed_publishes_nothing_and_the_rerun_converges(
    stage: str, server: Server, pool: Pool, reference: Reference, tmp_path: Path
) -> None:
    root = copy_root(reference.a_root, tmp_path / "root")
    advance_to_b(pool, root)
    killed = run_cycle(server, tmp_path, root, env={**KILL_ENV, "NIANBAO_FAULT": stage})
    assert killed.returncode == -signal.SIGKILL, described(killed)
    unchanged(root, sqlite_url(root), reference)
    ok(run_cycle(server, tmp_path, root, env=KILL_ENV))
    converged(root, sqlite_url(root), reference, reference.b_rows)


@pytest.mark.postgres
@pytest.mark.parametrize("stage", ["store", "outputs"])
def test_a_run_killed_on_postgresql_publishes_nothing_and_the_rerun_converges(
    stage: str,
    server: Server,
    pool: Pool,
    reference: Reference,
    pg_b_rows: dict[str, Any],
    tmp_path: Path,
) -> None:
    root = prepare_a(pool, tmp_path / "root")
    with fresh_pg_schema(pg_url()) as url:
        ok(run_cycle(server, tmp_path, root, url))
        a_rows = db_rows(url)
        advance_to_b(pool, root)
        killed = run_cycle(server, tmp_path, root, url, {**KILL_ENV, "NIANBAO_FAULT": stage})
        assert killed.returncode == -signal.SIGKILL, described(killed)
        unchanged(root, url, reference, a_rows)
        ok(run_cycle(server, tmp_path, root, url, KILL_ENV))
        converged(root, url, reference, pg_b_rows)


@pytest.mark.parametrize("stage", ["store", "outputs"])
def test_a_service_stop_ends_the_run_cleanly_and_says_so(
    stage: str, server: Server, pool: Pool, reference: Reference, tmp_path: Path
) -> None:
    root = copy_root(reference.a_root, tmp_path / "root")
    advance_to_b(pool, root)
    stopped = run_cycle(server, tmp_path, root, env={"NIANBAO_FAULT": f"{stage}:term"})
    assert stopped.returncode == 128 + signal.SIGTERM, described(stopped)
    assert "被停止" in stopped.stderr
    assert not any(marker in stopped.stderr for marker in NO_TRACEBACK), stopped.stderr
    unchanged(root, sqlite_url(root), reference)
    assert temporaries(root) == []  # cleaned up on the way out
    ok(run_cycle(server, tmp_path, root))
    converged(root, sqlite_url(root), reference, reference.b_rows)


# --- the database goes away --------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_lost_during_the_run_is_one_message_and_the_next_run_converges(
    server: Server,
    pool: Pool,
    reference: Reference,
    pg_b_rows: dict[str, Any],
    tmp_path: Path,
) -> None:
    root = prepare_a(pool, tmp_path / "root")
    with fresh_pg_schema(pg_url()) as direct:
        parsed = make_url(direct)
        proxy = Proxy((parsed.host or "127.0.0.1", parsed.port or 5432))
        proxy.start()
        relayed = parsed.set(host="127.0.0.1", port=proxy.port)
        url = relayed.render_as_string(hide_password=False)
        try:
            ok(run_cycle(server, tmp_path, root, url))
            a_rows = db_rows(direct)
            advance_to_b(pool, root)
            # The server goes away in the middle of the database write (its first
            # statement), while the outputs are being written beside it.
            proxy.stop_on(b"FOR UPDATE")
            lost = run_cycle(server, tmp_path, root, url)
            assert proxy.tripped.is_set()
            assert lost.returncode == 1, described(lost)
            assert "与数据库" in lost.stderr and "连接中断" in lost.stderr
            assert relayed.render_as_string(hide_password=True) in lost.stderr
            assert f":{parsed.password}@" not in lost.stderr
            assert not any(marker in lost.stderr for marker in NO_TRACEBACK), lost.stderr
            unchanged(root, direct, reference, a_rows)
            proxy.start()  # the database is back
            ok(run_cycle(server, tmp_path, root, url))
            converged(root, direct, reference, pg_b_rows)
        finally:
            proxy.stop()


@pytest.mark.postgres
def test_postgresql_down_before_the_run_is_one_chinese_line(
    server: Server, pool: Pool, reference: Reference, tmp_path: Path
) -> None:
    root = copy_root(reference.a_root, tmp_path / "root")
    proxy = Proxy(("127.0.0.1", 9))  # never started: nothing listens on its port
    url = f"postgresql+psycopg://nianbao:s3cret@127.0.0.1:{proxy.port}/nianbao"
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    down = run_cycle(server, tmp_path, root, url)
    assert down.returncode == 1, described(down)
    lines = [line for line in down.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：无法连接数据库"), down.stderr
    assert f"nianbao:***@127.0.0.1:{proxy.port}/nianbao" in lines[0]
    assert "s3cret" not in down.stderr + down.stdout
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


# --- a schema this version does not know -------------------------------------------------


FLOW_ONLY = """
import sys
from prefect.exceptions import FailedRun
from flows.annual_cycle import annual_cycle
from flows.params import CycleParams
try:
    annual_cycle(CycleParams(year=int(sys.argv[1]), root=sys.argv[2], db_url=sys.argv[3]))
except FailedRun as exc:
    print("FAILED:", exc)
    sys.exit(1)
"""


def test_an_unknown_schema_revision_publishes_nothing_and_writes_no_receipt(
    server: Server, pool: Pool, reference: Reference, tmp_path: Path
) -> None:
    root = copy_root(reference.a_root, tmp_path / "root")
    url = sqlite_url(root)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    rows = db_rows(url)
    advance_to_b(pool, root)  # new files that would get receipts

    refused = run_cycle(server, tmp_path, root)  # the CLI checks before starting Prefect
    assert refused.returncode == 1, described(refused)
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "9999" in lines[0] and "不认识" in lines[0], refused.stderr

    env = server.client_env(tmp_path / "prefect-home")  # a deployment run: the flow checks
    env["NIANBAO_STATE_DIR"] = str(tmp_path / "state")
    flow_only = subprocess.run(
        [sys.executable, "-c", FLOW_ONLY, str(YEAR), str(root), url],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert flow_only.returncode == 1, described(flow_only)
    assert "FAILED:" in flow_only.stdout and "9999" in flow_only.stdout
    assert not any(marker in flow_only.stderr for marker in NO_TRACEBACK), flow_only.stderr

    unchanged(root, url, reference, rows)
    assert not (root / "archive").exists() or {
        p.name for p in (root / "archive").rglob("*.xlsx")
    } == {p.name for p in (reference.a_root / "archive").rglob("*.xlsx")}


# --- a full disk -------------------------------------------------------------------------


def mount_tmpfs(target: Path, size: int) -> None:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True
    )
    if done.returncode != 0:
        if "CI" in os.environ:
            pytest.fail(f"cannot mount a tmpfs under CI: {done.stderr!r}")
        pytest.skip("cannot mount a tmpfs here (not root)")


def test_a_full_disk_keeps_the_last_outputs_and_the_database_as_they_were(
    server: Server, pool: Pool, reference: Reference, tmp_path: Path
) -> None:
    root = copy_root(reference.a_root, tmp_path / "root")
    outputs = root / "output"
    saved = copy_root(outputs, tmp_path / "saved-output")
    used = sum(p.stat().st_size for p in saved.rglob("*") if p.is_file())
    # Room for the last outputs and half of a new set: too small to write the new set
    # beside the old one (the old one stays until the new one is complete).
    mount_tmpfs(outputs, used + used // 2)
    try:
        for path in saved.rglob("*"):
            if path.is_file():
                target = outputs / path.relative_to(saved)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        advance_to_b(pool, root)
        full = run_cycle(server, tmp_path, root)
        assert full.returncode == 1, described(full)
        assert "磁盘空间不足" in full.stderr
        assert not any(marker in full.stderr for marker in NO_TRACEBACK), full.stderr
        unchanged(root, sqlite_url(root), reference)
        assert temporaries(outputs) == []
        subprocess.run(["mount", "-o", f"remount,size={used * 4}", str(outputs)], check=True)
        ok(run_cycle(server, tmp_path, root))
        converged(root, sqlite_url(root), reference, reference.b_rows)
    finally:
        subprocess.run(["umount", "-l", str(outputs)], check=False)
