"""Operations on a real Prefect server: the January schedule, a rerun the way the UI makes it,
a refused year, a run started by a file arriving in the inbox, and the work-pool deployment.

The server is PostgreSQL-backed when NIANBAO_TEST_PREFECT_PG_URL is set (CI), else SQLite.
"""

from __future__ import annotations

import itertools
import json
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook

from flows.deployment import NAME, REVIEW_NAME
from flows.review import ReviewAction
from nianbao.demo.build import build_demo_root
from nianbao.io.db.migrate import make_engine
from nianbao.io.db.read import read_totals
from tests.conftest import REPO
from tests.e2e.conftest import dump_sqlite
from tests.e2e.prefect_server import (
    Proc,
    Server,
    deployment_id,
    flow_runs,
    nianbao_process,
    prefect_server,
    run_logs,
    start,
    wait_finished,
    wait_for,
)

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_APPLICATIONS = {"shibenji": 5, "kouanwei": 2, "zrzyj": 3, "funingzhen": 1}


@dataclass
class Served:
    """``nianbao serve`` running for a demo shared folder."""

    root: Path
    deployment: str
    proc: Proc


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-server")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[Server]:
    with prefect_server(workdir) as running:
        yield running


@pytest.fixture(scope="module")
def served(server: Server, workdir: Path) -> Iterator[Served]:
    root = workdir / "root"
    build_demo_root(root, story=False)
    proc = nianbao_process(server, "serve", ["serve", "--root", str(root)], workdir)
    try:
        with server.client() as client:
            dep = deployment_id(client, NAME, NAME, proc)
        yield Served(root, dep, proc)
    finally:
        proc.stop()  # before the server (fixture order)


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def _manual_runs(client: httpx.Client, deployment: str) -> list[dict[str, Any]]:
    return [r for r in flow_runs(client, deployment) if not r["auto_scheduled"]]


def _run_to_completion(
    client: httpx.Client, deployment: str, params: dict[str, Any]
) -> dict[str, Any]:
    """Create a run as the UI's "Custom run" does and wait for it to finish."""
    r = client.post(
        f"/deployments/{deployment}/create_flow_run", json={"parameters": {"params": params}}
    )
    assert r.status_code == 201, r.text
    run = wait_finished(client, r.json()["id"])
    assert run["state"]["type"] == "COMPLETED", run_logs(client, run["id"])
    return run


def test_schedule_runs_at_eight_in_the_morning_shanghai_time_through_january(
    served: Served, client: httpx.Client
) -> None:
    dep = client.get(f"/deployments/{served.deployment}").json()
    (schedule,) = dep["schedules"]
    assert schedule["active"]
    assert schedule["schedule"]["cron"] == "0 8 * 1 *"
    assert schedule["schedule"]["timezone"] == "Asia/Shanghai"
    assert dep["global_concurrency_limit"]["limit"] == 1
    assert dep["enforce_parameter_schema"] is True
    assert "08:00" in dep["description"]

    def scheduled() -> list[dict[str, Any]] | None:
        runs = [r for r in flow_runs(client, served.deployment) if r["auto_scheduled"]]
        return runs if len(runs) >= 3 else None

    runs = wait_for(scheduled, 90, "the scheduler to create the January runs", every=1)
    starts = [datetime.fromisoformat(r["expected_start_time"]).astimezone(SHANGHAI) for r in runs]
    assert starts == sorted(starts) and starts[0] > datetime.now(UTC)
    for when in starts:
        assert (when.month, when.hour, when.minute) == (1, 8, 0), when
        assert when.astimezone(UTC).hour == 0
    for a, b in itertools.pairwise(starts):  # every day of January, then next January
        next_january = (a.month, a.day, b.month, b.day, b.year) == (1, 31, 1, 1, a.year + 1)
        assert b.date() - a.date() == timedelta(days=1) or next_january, (a, b)


def test_custom_run_through_the_api_stores_totals_and_a_rerun_changes_nothing(
    served: Served, client: httpx.Client
) -> None:
    before = _manual_runs(client, served.deployment)
    refused = client.post(
        f"/deployments/{served.deployment}/create_flow_run",
        json={"parameters": {"params": {"year": 1990, "root": str(served.root)}}},
    )
    assert refused.status_code in (409, 422), refused.text
    assert "2019" in refused.text
    assert _manual_runs(client, served.deployment) == before  # refused before any run starts

    run = _run_to_completion(client, served.deployment, {"year": 2020, "root": str(served.root)})
    assert run["parameters"]["params"]["year"] == 2020
    deadline = time.monotonic() + 30  # logs reach the server shortly after the run ends
    while "开始汇总2020年度报表" not in run_logs(client, run["id"]) and time.monotonic() < deadline:
        time.sleep(1)
    assert "开始汇总2020年度报表" in run_logs(client, run["id"])

    engine = make_engine(f"sqlite:///{served.root / 'nianbao.db'}")
    try:
        doc = read_totals(engine, 2020)
    finally:
        engine.dispose()
    assert doc is not None and doc.format == "2019"
    assert doc.totals["s3_new_total"] == 11
    assert {code: vals["s3_new_total"] for code, vals in doc.units.items()} == NEW_APPLICATIONS
    out = served.root / "output" / "2020"
    totals = json.loads((out / "totals.json").read_text(encoding="utf-8"))
    assert totals["totals"]["s3_new_total"] == 11
    status = json.loads((out / "status.json").read_text(encoding="utf-8"))
    assert {u["code"]: u["status"] for u in status["units"]} == dict.fromkeys(
        NEW_APPLICATIONS, "accepted"
    )
    assert (out / "report.docx").stat().st_size > 10_000

    artifacts = client.post(
        "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}
    ).json()
    by_key = {a["key"]: a for a in artifacts}
    assert set(by_key) >= {
        f"nianbao-2020-{n}" for n in ("board", "findings", "review", "totals", "outputs")
    }
    board = by_key["nianbao-2020-board"]
    rows = json.loads(board["data"]) if isinstance(board["data"], str) else board["data"]
    assert [(r["单位"], r["状态"], r["错误数"]) for r in rows] == [
        ("市本级", "已接收", 0),
        ("口岸委", "已接收", 0),
        ("自然资源局", "已接收", 0),
        ("阜宁镇", "已接收", 0),
    ]
    key = by_key["nianbao-2020-totals"]
    key_rows = json.loads(key["data"]) if isinstance(key["data"], str) else key["data"]
    assert key_rows[-1] == {"单位": "合计", "本年新收申请": 11}
    assert str(out / "report.docx") in by_key["nianbao-2020-outputs"]["data"]

    dump = dump_sqlite(served.root / "nianbao.db")
    outputs = {name: (out / name).read_bytes() for name in ("totals.json", "status.json")}
    _run_to_completion(client, served.deployment, {"year": 2020, "root": str(served.root)})
    assert dump_sqlite(served.root / "nianbao.db") == dump
    assert {name: (out / name).read_bytes() for name in outputs} == outputs


def _readme_rest_example() -> str:
    """The README's curl command for a run started through the REST API, as written."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = next(b for b in readme.split("```sh\n")[1:] if "create_flow_run" in b.split("```")[0])
    return block.split("```")[0].strip()


def test_the_readmes_rest_example_runs_as_written_and_uses_the_served_folder(
    served: Served, server: Server, client: httpx.Client
) -> None:
    command = _readme_rest_example()
    assert "root" not in command  # the example leaves the folder to the deployment
    command = command.replace("http://127.0.0.1:4200", server.url)
    command = command.replace("DEPLOYMENT_ID", served.deployment)
    before = {r["id"] for r in _manual_runs(client, served.deployment)}
    if shutil.which("curl"):
        sent = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60)
        assert sent.returncode == 0, sent.stderr
    else:  # the same request, sent the way curl would
        argv = shlex.split(command.replace("\\\n", " "))
        url = next(a for a in argv if a.startswith("http"))
        body = argv[argv.index("-d") + 1]
        client.post(url, content=body, headers={"Content-Type": "application/json"})
    (new,) = [r for r in _manual_runs(client, served.deployment) if r["id"] not in before]
    year = new["parameters"]["params"]["year"]
    assert "root" not in new["parameters"]["params"]  # replaced wholesale by the request
    run = wait_finished(client, new["id"])
    assert run["state"]["type"] == "COMPLETED", run_logs(client, run["id"])
    assert (served.root / "output" / str(year) / "status.json").is_file()


def _notified(proc: Proc) -> list[str]:
    return [line for line in proc.output().splitlines() if line.startswith("已通知 Prefect：")]


def test_files_landing_in_the_inbox_under_watch_start_exactly_one_run(
    served: Served, server: Server, client: httpx.Client, workdir: Path
) -> None:
    inbox = served.root / "inbox"
    args = ["watch", "--root", str(served.root), "--year", "2020", "--settle", "2"]
    watcher = nianbao_process(server, "watch", [*args, "--poll", "0.5"], workdir)
    try:
        wait_for(lambda: "开始监视" in watcher.output(), 60, "the watcher to start")
        known = {r["id"] for r in flow_runs(client, served.deployment)}
        since = datetime.now(UTC).isoformat()
        dropped = []
        for code in ("shibenji", "kouanwei", "zrzyj"):  # three corrected files land together
            (original,) = sorted((inbox / code).glob("*.xlsx"))
            dropped.append(shutil.copy2(original, inbox / code / "更正版.xlsx"))
        (inbox / "shibenji" / "~$更正版.xlsx").write_bytes(b"lock")
        (inbox / "kouanwei" / ".更正版.xlsx").write_bytes(b"hidden")
        (inbox / "zrzyj" / "更正版.xlsx.tmp").write_bytes(b"partial")

        wait_for(lambda: len(_notified(watcher)) >= 3, 60, "three file-stable events")

        def new_runs() -> list[dict[str, Any]]:
            runs = _manual_runs(client, served.deployment)
            return [r for r in runs if r["id"] not in known]

        (first,) = wait_for(new_runs, 90, "the trigger to start a run")
        run = wait_finished(client, first["id"])
        assert run["state"]["type"] == "COMPLETED", run_logs(client, run["id"])
        assert run["created_by"]["type"] == "AUTOMATION"
        assert run["parameters"]["params"]["year"] == 2020
        assert run["parameters"]["params"]["root"] == str(served.root.resolve())
        time.sleep(8)  # a second run would have been created by now
        assert [r["id"] for r in new_runs()] == [first["id"]]

        assert sorted(_notified(watcher)) == sorted(
            f"已通知 Prefect：{p.relative_to(inbox).as_posix()}（2020年度）" for p in dropped
        )
        events = client.post(
            "/events/filter",
            json={
                "filter": {
                    "event": {"name": ["nianbao.inbox.file-stable"]},
                    "occurred": {"since": since},
                },
                "limit": 50,
            },
        ).json()["events"]
        assert sorted(e["payload"]["file"] for e in events) == sorted(
            p.relative_to(inbox).as_posix() for p in dropped
        )
        status = json.loads(
            (served.root / "output" / "2020" / "status.json").read_text(encoding="utf-8")
        )
        current = {u["code"]: u["file"] for u in status["units"]}
        assert current["shibenji"] in {"shibenji/更正版.xlsx", "shibenji/市本级2020年报表.xlsx"}
    finally:
        watcher.stop()
    assert "已停止监视" in watcher.output()


def _prefect(server: Server, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("prefect")), *args],
        cwd=REPO,
        env=server.client_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"prefect {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_prefect_yaml_deploys_to_a_process_pool_that_a_worker_runs(
    server: Server, client: httpx.Client, workdir: Path
) -> None:
    # a copy under another name, so the served deployment is left alone
    name = f"{NAME}-pool"
    text = (REPO / "deployments" / "prefect.yaml").read_text(encoding="utf-8")
    assert text.count(f"- name: {NAME}\n") == 1
    prefect_file = workdir / "prefect.yaml"
    prefect_file.write_text(text.replace(f"- name: {NAME}\n", f"- name: {name}\n"), "utf-8")
    home = workdir / "deploy-home"
    _prefect(server, home, "work-pool", "create", "nianbao", "--type", "process")
    _prefect(server, home, "--no-prompt", "deploy", "--prefect-file", str(prefect_file), "--all")
    dep_id = deployment_id(client, NAME, name)
    worker: Proc | None = None
    try:
        dep = client.get(f"/deployments/{dep_id}").json()
        assert dep["work_pool_name"] == "nianbao"
        assert dep["schedules"][0]["schedule"]["cron"] == "0 8 * 1 *"
        assert dep["schedules"][0]["schedule"]["timezone"] == "Asia/Shanghai"
        assert dep["global_concurrency_limit"]["limit"] == 1
        assert dep["pull_steps"] == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}
        ]
        automations = client.post("/automations/filter", json={}).json()
        (mine,) = [
            a for a in automations if any(x.get("deployment_id") == dep_id for x in a["actions"])
        ]
        assert mine["trigger"]["expect"] == ["nianbao.inbox.file-stable"]
        assert mine["trigger"]["within"] == 60

        env = server.client_env(workdir / "worker-home")
        env.update(PREFECT_WORKER_QUERY_SECONDS="2", NIANBAO_STATE_DIR=str(workdir / "w-state"))
        argv = [str(Path(sys.executable).with_name("prefect")), "worker", "start"]
        worker = start("worker", [*argv, "--pool", "nianbao"], env, server.logs)
        root = workdir / "pool-root"
        build_demo_root(root, story=False)
        _run_to_completion(client, dep_id, {"year": 2020, "root": str(root), "dry_run": True})
        totals = json.loads((root / "output" / "2020" / "totals.json").read_text("utf-8"))
        assert totals["totals"]["s3_new_total"] == 11
        db = root / "nianbao.db"
        if db.exists():  # a dry run stores nothing
            engine = make_engine(f"sqlite:///{db}")
            try:
                assert read_totals(engine, 2020) is None
            finally:
                engine.dispose()
    finally:
        if worker is not None:
            worker.stop(timeout=15)
        client.delete(f"/deployments/{dep_id}")


def test_the_review_form_returns_a_unit_with_a_reason_that_reaches_its_workbook(
    served: Served, client: httpx.Client
) -> None:
    _run_to_completion(client, served.deployment, {"year": 2020, "root": str(served.root)})
    review = deployment_id(client, REVIEW_NAME, REVIEW_NAME, served.proc)
    reason = "本年新收申请数与登记台账不符，请核实后重新报送"
    form = {
        "year": 2020,
        "action": ReviewAction.RETURN.value,
        "unit": "kouanwei",
        "reason": reason,
        "reviewer": "王五",
    }
    nonsense = client.post(
        f"/deployments/{review}/create_flow_run",
        json={"parameters": {"params": {**form, "action": "批准"}}},
    )
    assert nonsense.status_code in (409, 422), nonsense.text  # not an action of the form

    r = client.post(f"/deployments/{review}/create_flow_run", json={"parameters": {"params": form}})
    assert r.status_code == 201, r.text
    run = wait_finished(client, r.json()["id"])
    assert run["state"]["type"] == "COMPLETED", run_logs(client, run["id"])
    (book,) = (served.root / "feedback" / "kouanwei").glob("2020年-*-退回修改.xlsx")
    first = load_workbook(book).worksheets[0]
    assert str(first["A2"].value).startswith(f"审核意见：{reason}（审核人：王五，")

    again = {**form, "action": ReviewAction.APPROVE.value, "reason": ""}
    r = client.post(
        f"/deployments/{review}/create_flow_run", json={"parameters": {"params": again}}
    )
    assert r.status_code == 201, r.text
    refused = wait_finished(client, r.json()["id"])
    assert refused["state"]["type"] == "FAILED"
    assert "已退回" in refused["state"]["message"]  # approving a returned file makes no sense
