"""Feedback first, as operations set it up: a real ``prefect server``, ``nianbao serve`` and
``nianbao watch`` with its defaults. One unit saves twice, 10 s apart (inside the trigger's
60 s debounce window), each save written outside the inbox and moved in as Excel saves: each
save gets its own feedback before the consolidation it is announced for, each answer is a
``nianbao.unit.feedback`` event on the server, and the runs that follow agree with it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.deployment import NAME
from nianbao.demo.build import build_demo_root
from nianbao.demo.seed import ROSTER
from nianbao.io.returns import HISTORY
from nianbao.io.watch import FEEDBACK_EVENT
from tests.e2e.prefect_server import (
    Server,
    deployment_id,
    flow_runs,
    nianbao_process,
    prefect_server,
    run_logs,
    wait_finished,
    wait_for,
)
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.e2e

YEAR = 2020
UNIT = next(u for u in ROSTER if u.code == "kouanwei")
NAME_IN_INBOX = "口岸委2020年报表.xlsx"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback-first")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[Server]:
    with prefect_server(workdir) as running:
        yield running


def save(workdir: Path, root: Path, figures: dict[str, Decimal], n: int) -> Path:
    """Write the unit's workbook outside the inbox, then move it over its file (a rename)."""
    outside = workdir / "excel-temp" / f"save{n}.xlsx"
    make_workbook(outside, UNIT, figures, year=YEAR)
    now = time.time()
    os.utime(outside, (now, now))  # saved just now
    target = root / "inbox" / UNIT.code / NAME_IN_INBOX
    os.replace(outside, target)
    return target


def answered(proc_output: str) -> list[str]:
    return [line for line in proc_output.splitlines() if line.startswith(f"已反馈 {UNIT.name}")]


def notified(proc_output: str) -> list[str]:
    return [line for line in proc_output.splitlines() if line.startswith("已通知 Prefect：")]


def top(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def triggered(client: httpx.Client, deployment: str) -> list[dict[str, Any]]:
    """The deployment's runs started by its inbox trigger (not the January schedule's)."""
    return [r for r in flow_runs(client, deployment) if not r["auto_scheduled"]]


def feedback_events(client: httpx.Client, since: str) -> list[dict[str, Any]]:
    body = {
        "filter": {"event": {"name": [FEEDBACK_EVENT]}, "occurred": {"since": since}},
        "limit": 50,
    }
    events: list[dict[str, Any]] = client.post("/events/filter", json=body).json()["events"]
    return sorted(events, key=lambda e: e["occurred"])


def test_two_saves_inside_the_debounce_window_each_get_their_own_feedback_first(
    server: Server, workdir: Path
) -> None:
    root = workdir / "root"
    build_demo_root(root, story=False)
    folder = root / "feedback" / UNIT.code
    serve = nianbao_process(server, "serve", ["serve", "--root", str(root)], workdir)
    watcher = nianbao_process(
        server, "watch", ["watch", "--root", str(root), "--year", str(YEAR)], workdir
    )
    try:
        with server.client() as client:
            dep = deployment_id(client, NAME, NAME, serve)
            wait_for(lambda: "开始监视" in watcher.output(), 60, "the watcher to start")
            since = datetime.now(UTC).isoformat()
            broken = dict(unit_figures(5))
            broken["s3_new_natural"] += 1  # the request identities fail

            save(workdir, root, broken, 1)
            wait_for(lambda: answered(watcher.output()), 30, "feedback on the first save")
            time.sleep(10)  # well inside the 60 s the trigger ignores further events for
            save(workdir, root, unit_figures(5), 2)
            wait_for(lambda: len(answered(watcher.output())) >= 2, 30, "the second feedback")
            # answered before being announced: one announcement so far, the second is held
            assert len(notified(watcher.output())) == 1, watcher.output()
            first, second = answered(watcher.output())
            assert "已退回" in first and "退回修改.xlsx" in first
            assert "已接收" in second and "回执.xlsx" in second
            quick_top = top(folder)
            assert len(quick_top) == 1 and quick_top[0].endswith("回执.xlsx")
            assert quick_top[0] in second

            events = wait_for(
                lambda: (e := feedback_events(client, since)) and len(e) >= 2 and e,
                30,
                "two feedback events",
            )
            assert [e["payload"]["unit"] for e in events] == [UNIT.code, UNIT.code]
            assert events[0]["payload"]["verdict"] == "rejected"
            assert events[1]["payload"]["verdict"] in {"accepted", "accepted_with_warnings"}
            assert events[1]["payload"]["feedback"] == f"feedback/{UNIT.code}/{quick_top[0]}"
            assert all(e["resource"]["prefect.resource.name"] == UNIT.name for e in events)

            # the consolidation: one run for the first announcement, the held one after
            wait_for(lambda: len(notified(watcher.output())) >= 2, 120, "the second announcement")
            runs = wait_for(lambda: len(r := triggered(client, dep)) >= 2 and r, 90, "two runs")
            for run in runs:
                done = wait_finished(client, run["id"])
                assert done["state"]["type"] == "COMPLETED", run_logs(client, run["id"])

        status = json.loads((root / "output" / str(YEAR) / "status.json").read_text("utf-8"))
        (entry,) = [u for u in status["units"] if u["code"] == UNIT.code]
        assert entry["sha256"] == events[1]["payload"]["sha256"]  # the second save counts
        assert top(folder) == quick_top  # the runs agreed: same file, nothing else on top
        rejection = events[0]["payload"]["feedback"].rsplit("/", 1)[-1]
        assert rejection in top(folder / HISTORY)
        assert not list((root / ".nianbao" / "verdicts" / str(YEAR)).iterdir())  # caught up
    finally:
        watcher.stop()
        serve.stop()
