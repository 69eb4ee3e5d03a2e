"""One centre, three counties, on a real Prefect server with a process work pool and two
workers: deployments/prefect.yaml as the README deploys it, one county's folder broken on
purpose, then fixed and retried alone.

The server is PostgreSQL-backed when NIANBAO_TEST_PREFECT_PG_URL is set (CI), else SQLite.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from nianbao.core.formats import FORMAT_2019
from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from nianbao.io.db.migrate import make_engine
from nianbao.io.db.read import StoredTotals, read_totals
from nianbao.io.levels import LOWER, REPORT
from tests.conftest import REPO
from tests.e2e.prefect_server import (
    Proc,
    Server,
    deployment_id,
    flow_runs,
    prefect_server,
    run_logs,
    start,
    wait_finished,
)
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e

YEAR = 2020
COUNTIES = (
    Unit("anxian", "安县", "government"),
    Unit("baoxian", "宝县", "government"),
    Unit("chengxian", "城县", "government"),
)
BROKEN = "baoxian"


def _prefect(server: Server, home: Path, *args: str) -> None:
    prefect = str(Path(sys.executable).with_name("prefect"))
    proc = subprocess.run(
        [prefect, *args],
        cwd=REPO,
        env=server.client_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"prefect {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fanout")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[Server]:
    with prefect_server(workdir) as running:
        yield running


@pytest.fixture(scope="module")
def workers(server: Server, workdir: Path) -> Iterator[list[Proc]]:
    """The pool and deployments as the README makes them, and two workers (two machines'
    worth: each its own Prefect home and state folder, the same shared folders)."""
    home = workdir / "deploy-home"
    _prefect(server, home, "work-pool", "create", "nianbao", "--type", "process")
    _prefect(
        server, home, "--no-prompt", "deploy", "--prefect-file", "deployments/prefect.yaml", "--all"
    )
    procs = []
    try:
        for name in ("worker-a", "worker-b"):
            env = server.client_env(workdir / f"{name}-home")
            env.update(
                PREFECT_WORKER_QUERY_SECONDS="2", NIANBAO_STATE_DIR=str(workdir / f"{name}-state")
            )
            argv = [str(Path(sys.executable).with_name("prefect")), "worker", "start"]
            argv += ["--pool", "nianbao", "--name", name, "--limit", "2"]  # as the README
            procs.append(start(name, argv, env, server.logs))
        yield procs
    finally:
        for proc in procs:
            proc.stop(timeout=15)  # before the server (fixture order)


def _county(centre: Path, unit: Unit, seed: int) -> list[dict[str, Decimal]]:
    """A county's shared folder: two units, each with a valid return."""
    root = centre / LOWER / unit.code
    units = (Unit(f"{unit.code}-a", f"{unit.name}甲局"), Unit(f"{unit.code}-b", f"{unit.name}乙镇"))
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(roster_csv(units), encoding="utf-8")
    figures = [unit_figures(seed), unit_figures(seed + 1)]
    for u, f in zip(units, figures, strict=True):
        make_workbook(root / "inbox" / u.code / "报表.xlsx", u, f)
    return figures


def _stored(url: str) -> StoredTotals:
    engine = make_engine(url)
    try:
        stored = read_totals(engine, YEAR)
    finally:
        engine.dispose()
    assert stored is not None
    return stored


def _fan_out(client: httpx.Client, params: dict[str, Any]) -> dict[str, Any]:
    dep = deployment_id(client, "nianbao-fan-out", "nianbao-fan-out")
    r = client.post(f"/deployments/{dep}/create_flow_run", json={"parameters": {"params": params}})
    assert r.status_code == 201, r.text
    return wait_finished(client, r.json()["id"], timeout=600)


def _worker_of(client: httpx.Client, run_id: str) -> str:
    """The worker that started a flow run (Prefect logs it on the run)."""
    found = re.search(r"Worker '([^']+)' submitting flow run", run_logs(client, run_id))
    assert found, run_logs(client, run_id)
    return found.group(1)


def _report(centre: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((centre / "output" / str(YEAR) / REPORT).read_text(encoding="utf-8"))
    return {x["code"]: x for x in doc["lower"]}


def test_three_counties_one_broken_then_retried_alone(
    server: Server, workers: list[Proc], workdir: Path
) -> None:
    centre = workdir / "city"
    (centre / "inbox").mkdir(parents=True)
    (centre / "roster.csv").write_text(roster_csv(COUNTIES), encoding="utf-8")
    figures = {u.code: _county(centre, u, 10 * i) for i, u in enumerate(COUNTIES, 1)}
    roster = centre / LOWER / BROKEN / "roster.csv"
    good_roster = roster.read_bytes()
    roster.unlink()
    (roster.parent / "roster.xlsx").write_bytes(b"not a workbook at all")  # unreadable

    with server.client() as client:
        run = _fan_out(client, {"year": YEAR, "root": str(centre)})
        logs = run_logs(client, run["id"])
        assert run["state"]["type"] == "FAILED", logs
        report = _report(centre)
        assert {c: x["state"] for c, x in report.items()} == {
            "anxian": "handed_up",
            BROKEN: "failed",
            "chengxian": "handed_up",
        }, logs
        # the counties' runs were spread over both workers (each takes 2 runs at a time,
        # one of them holds the fan-out's own run: three counties need both)
        took = {code: _worker_of(client, x["run_id"]) for code, x in report.items()}
        assert set(took.values()) == {"worker-a", "worker-b"}, took
        broken_run = client.get(f"/flow_runs/{report[BROKEN]['run_id']}").json()
        assert broken_run["state"]["type"] == "FAILED"
        assert "roster.xlsx" in report[BROKEN]["message"]  # the county's own reason
        assert BROKEN in run["state"]["message"]
        # the other two are consolidated in the centre's ordinary cycle
        status = json.loads((centre / "output" / str(YEAR) / "status.json").read_text("utf-8"))
        assert {u["code"]: u["status"] for u in status["units"]} == {
            "anxian": "accepted",
            BROKEN: "missing",
            "chengxian": "accepted",
        }
        first = _stored(f"sqlite:///{centre / 'nianbao.db'}")
        for code in ("anxian", "chengxian"):
            county = _stored(f"sqlite:///{centre / LOWER / code / 'nianbao.db'}")
            assert first.units[code] == county.totals
        assert first.totals == {
            c: first.units["anxian"][c] + first.units["chengxian"][c] for c in first.totals
        }

        # fixed, and retried alone: only its run is started; the centre includes it
        (roster.parent / "roster.xlsx").unlink()
        roster.write_bytes(good_roster)
        retry = _fan_out(client, {"year": YEAR, "root": str(centre), "only": [BROKEN]})
        assert retry["state"]["type"] == "COMPLETED", run_logs(client, retry["id"])
        report = _report(centre)
        assert {c: x["state"] for c, x in report.items()} == {
            "anxian": "kept",
            BROKEN: "handed_up",
            "chengxian": "kept",
        }
        lower_dep = deployment_id(client, "nianbao-annual-cycle", "nianbao-lower-cycle")
        started = [r["name"] for r in flow_runs(client, lower_dep)]
        assert sorted(started) == sorted(
            [f"{u.code}-{YEAR}" for u in COUNTIES] + [f"{BROKEN}-{YEAR}"]
        )

    final = _stored(f"sqlite:///{centre / 'nianbao.db'}")
    assert set(final.units) == {u.code for u in COUNTIES}
    every_unit = [f for county in figures.values() for f in county]
    for cell in FORMAT_2019.inputs:  # the province's figure is the sum of all six units'
        assert final.totals[cell] == sum((f[cell] for f in every_unit), Decimal(0)), cell
