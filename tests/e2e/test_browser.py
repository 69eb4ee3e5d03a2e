"""Headless Chromium (Debian's package) opens the deployment in the Prefect UI and its
"Custom run" form, which must show the Chinese parameter form; the screenshot is the README's
(copied into docs/img with ``NIANBAO_UPDATE_DOCS_IMG=1``).

Runs in CI (``CI`` set; .ci/setup.d/30-chromium.sh installs chromium); elsewhere it skips
only when chromium is absent.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.deployment import NAME, REVIEW_NAME
from tests.conftest import update_docs_image
from tests.e2e.prefect_server import Server, deployment_id, nianbao_process, prefect_server

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
SHOWN_ROOT = "/srv/nianbao"  # the shared folder shown in the screenshot (need not exist)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",
)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("chromium is missing in CI: .ci/setup.d/30-chromium.sh installs it")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def ui(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server with the deployment served; yields it and the deployment id."""
    workdir = tmp_path_factory.mktemp("prefect-ui")
    # SQLite is enough for one browser (and keeps the form's fields in the model's order)
    with prefect_server(workdir, postgres=False) as server:
        proc = nianbao_process(server, "serve", ["serve", "--root", SHOWN_ROOT], workdir)
        try:
            with server.client() as client:
                yield server, deployment_id(client, NAME, NAME, proc)
        finally:
            proc.stop()


def _chromium(chromium: Path, profile: Path, *args: str) -> str:
    profile.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(chromium), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _text(dom: str) -> str:
    """Visible text of a dumped DOM (tags, scripts and styles dropped)."""
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom)))


def test_deployment_page_shows_schedule_trigger_and_limit(
    ui: tuple[Server, str], chromium: Path, tmp_path: Path
) -> None:
    server, dep = ui
    url = f"{server.url}/v2/deployments/deployment/{dep}"  # Deployments → nianbao-annual-cycle
    text = _text(_chromium(chromium, tmp_path / "p", "--dump-dom", url))
    assert "Unable to connect" not in text
    assert NAME in text
    assert "At 08:00 AM, only in January" in text
    assert "收件箱有新文件" in text  # the inbox trigger
    assert "Concurrency Limit 1" in text


def test_custom_run_form_shows_the_chinese_parameters_and_is_screenshotted(
    ui: tuple[Server, str], chromium: Path, tmp_path: Path
) -> None:
    server, dep = ui
    url = f"{server.url}/v2/deployments/deployment/{dep}/run"  # Run → Custom run
    text = _text(_chromium(chromium, tmp_path / "p1", "--dump-dom", url))
    assert "Unable to connect" not in text
    for label in ("报告年度", "共享文件夹", "数据库地址", "报告格式", "试运行"):
        assert label in text, label
    assert "要汇总的报告年度；留空则为上一个自然年" in text
    assert SHOWN_ROOT in text  # the served default is filled in
    assert "Submit" in text

    # the classic UI ("Switch to V1 UI") renders the same form
    v1 = f"{server.url}/deployments/deployment/{dep}/run"
    classic = _text(_chromium(chromium, tmp_path / "p3", "--dump-dom", v1))
    assert "报告年度" in classic and "试运行" in classic

    shot = tmp_path / "custom-run.png"
    _chromium(chromium, tmp_path / "p2", "--window-size=1280,1100", f"--screenshot={shot}", url)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000  # a rendered form, not a blank page
    update_docs_image(shot)


def test_the_review_form_shows_its_chinese_fields_and_is_screenshotted(
    ui: tuple[Server, str], chromium: Path, tmp_path: Path
) -> None:
    server, _ = ui
    with server.client() as client:
        dep = deployment_id(client, REVIEW_NAME, REVIEW_NAME)
    url = f"{server.url}/v2/deployments/deployment/{dep}/run"
    text = _text(_chromium(chromium, tmp_path / "p1", "--dump-dom", url))
    for label in ("报告年度", "审核操作", "单位代码", "理由或审核意见", "提示规则代码", "审核人"):
        assert label in text, label
    shot = tmp_path / "review-form.png"
    _chromium(chromium, tmp_path / "p2", "--window-size=1280,1300", f"--screenshot={shot}", url)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000
    update_docs_image(shot)
