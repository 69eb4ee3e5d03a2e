"""The database as a run meets it: checked before use, a lost or unknown database one clear
message, a write that commits only when the caller says so, and one writer at a time.

SQLite and, with ``NIANBAO_TEST_PG_URL``, PostgreSQL (each test in a fresh schema).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from nianbao.core.model import CycleResult, Group
from nianbao.io import offload
from nianbao.io.db.errors import DatabaseFault, DatabaseUnavailable, UnknownSchema
from nianbao.io.db.migrate import (
    check_database,
    head_revision,
    known_revisions,
    make_engine,
    upgrade,
    writing,
)
from nianbao.io.db.read import read_accepted_shas, read_stored_totals, table_counts
from nianbao.io.db.write import StoredChanged, store_cycle
from nianbao.io.offload import Gate, store_gated, store_job
from tests.databases import fresh_pg_schema, pg_url
from tests.integration.test_db import dump, engine, first, second  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


def url_of(database: Engine) -> str:
    return database.url.render_as_string(hide_password=False)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens once the socket is closed


def test_known_revisions_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from nianbao.io.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert known_revisions() == sorted(s.revision for s in script.walk_revisions())
    # ``upgrade`` takes the last of them for the head without importing Alembic
    assert known_revisions()[-1] == script.get_current_head() == head_revision()


def test_checking_a_missing_sqlite_database_creates_nothing(tmp_path: Path) -> None:
    assert check_database(f"sqlite:///{tmp_path / 'db' / 'nianbao.db'}") is None
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_schema_revision_is_refused_and_left_untouched(engine: Engine) -> None:  # noqa: F811
    upgrade(engine)
    store_cycle(engine, first())
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = dump(engine)
    with pytest.raises(UnknownSchema) as checked:
        check_database(url_of(engine))
    with pytest.raises(UnknownSchema):
        upgrade(engine)
    gate = Gate()
    with pytest.raises(UnknownSchema):
        store_gated(store_job(url_of(engine), second()), gate)
    assert gate.wait_ready() is False  # the flow learns it without waiting for a commit
    assert dump(engine) == before
    message = str(checked.value)
    assert "9999" in message and str(head_revision()) in message


@pytest.mark.postgres
def test_an_unreachable_postgresql_is_one_message_without_the_password() -> None:
    url = f"postgresql+psycopg://nianbao:s3cret-pw@127.0.0.1:{closed_port()}/nianbao"
    for attempt in (
        lambda: check_database(url),
        lambda: read_stored_totals(url, 2020),
        lambda: read_accepted_shas(url, 2020),
        lambda: offload.store(url, first()),
    ):
        with pytest.raises(DatabaseUnavailable) as caught:
            attempt()
        message = str(caught.value)
        assert "nianbao:***@127.0.0.1" in message
        assert "s3cret-pw" not in message
        assert "\n" not in message


@pytest.mark.postgres
def test_a_connection_lost_before_the_commit_rolls_back() -> None:
    with fresh_pg_schema(pg_url()) as url:
        engine = make_engine(url)
        upgrade(engine)
        store_cycle(engine, first())
        before = dump(engine)
        tagged = make_url(url).update_query_dict({"application_name": "nianbao-lost"})
        lost = tagged.render_as_string(hide_password=False)

        def server_goes_away() -> None:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'nianbao-lost'"
                    )
                )

        try:
            with pytest.raises(DatabaseUnavailable):
                offload.store(lost, second(), server_goes_away)
            assert dump(engine) == before
        finally:
            engine.dispose()


def test_a_closed_gate_rolls_back_and_an_open_one_commits(
    engine: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upgrade(engine)
    store_cycle(engine, first())
    before = dump(engine)
    for apart in (False, True):  # in this process, and in a store process of its own
        monkeypatch.setattr(offload, "APART_FROM", 1 if apart else 10**9)
        gate = Gate()
        gate.close()
        job = store_job(url_of(engine), second())
        assert (job.payload is not None) is apart
        assert store_gated(job, gate) is False
        assert gate.wait_ready() is True  # it got as far as the commit
        assert dump(engine) == before
    gate = Gate()
    threading.Timer(0.3, gate.open).start()
    assert store_gated(store_job(url_of(engine), second()), gate) is True
    assert dump(engine) != before
    assert read_stored_totals(url_of(engine), second().year) is not None


def test_the_store_process_started_ahead_stores_the_cycle(
    engine: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``standby`` starts the store process before the cycle is ready; the store uses it
    (one started ahead that has died is replaced); one never used ends at exit."""
    upgrade(engine)
    monkeypatch.setattr(offload, "APART_FROM", 1)
    offload.standby()
    offload.standby()  # one is waiting: nothing more
    (ahead,) = offload._STANDBY
    gate = Gate()
    gate.open()
    assert store_gated(store_job(url_of(engine), first()), gate) is True
    assert ahead.returncode == 0 and offload._STANDBY == []  # it stored the cycle and ended
    assert read_stored_totals(url_of(engine), first().year) is not None
    before = dump(engine)
    offload.standby()
    (dead,) = offload._STANDBY
    dead.kill()
    dead.wait()
    gate = Gate()
    gate.close()
    assert store_gated(store_job(url_of(engine), second()), gate) is False  # a new one
    assert dump(engine) == before
    offload.standby()
    (unused,) = offload._STANDBY
    offload._stop_standby()  # what the interpreter's exit runs
    assert unused.returncode == 0


def keyed(result: CycleResult, prefix: str = "k") -> CycleResult:
    """``result`` with a check key on every submission (as a cycle's are)."""
    subs = tuple(
        replace(s, check_key=hashlib.sha256(f"{prefix}/{s.unit}/{s.sha256}".encode()).hexdigest())
        for s in result.submissions
    )
    return replace(result, submissions=subs)


def grouped(result: CycleResult) -> CycleResult:
    """``result`` with its roster under two groups."""
    roster = tuple(replace(u, parent="g2" if i % 2 else "g1") for i, u in enumerate(result.roster))
    groups = (Group("g1", "一组", ""), Group("g2", "二组", "g1"))
    return replace(result, roster=roster, groups=groups)


@pytest.mark.parametrize("shape", [keyed, lambda r: keyed(grouped(r))])
def test_restored_checks_go_to_the_store_process_without_their_figures(
    engine: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    shape: Callable[[CycleResult], CycleResult],
) -> None:
    """A rerun's submissions rebuilt from stored checks are sent without figures and
    texts; the database keeps them, and the groups' totals are those of the full figures."""
    upgrade(engine)
    cycle = shape(second())
    store_cycle(engine, cycle)
    before = dump(engine)
    monkeypatch.setattr(offload, "APART_FROM", 1)
    restored = {(s.unit, s.sha256) for s in cycle.submissions}
    slim = store_job(url_of(engine), cycle, restored=restored)
    assert slim.payload is not None
    _, sent, _, slimmed = pickle.loads(slim.payload)
    assert not any(s.values or s.texts for s in sent.submissions)
    assert slimmed.omitted == restored
    gate = Gate()
    gate.open()
    assert store_gated(slim, gate) is True
    assert dump(engine) == before


def test_a_restored_check_the_database_no_longer_holds_is_not_stored_over(
    engine: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another run stored another check of a file after this run restored it: the store
    refuses (its figures were not sent) and changes nothing."""
    upgrade(engine)
    cycle = keyed(second())
    store_cycle(engine, keyed(second(), prefix="other"))
    before = dump(engine)
    monkeypatch.setattr(offload, "APART_FROM", 1)
    restored = {(s.unit, s.sha256) for s in cycle.submissions}
    gate = Gate()
    gate.open()
    with pytest.raises(StoredChanged, match="请重新运行"):
        store_gated(store_job(url_of(engine), cycle, restored=restored), gate)
    assert dump(engine) == before


def test_the_store_process_rolls_back_when_its_caller_dies(engine: Engine) -> None:  # noqa: F811
    upgrade(engine)
    store_cycle(engine, first())
    before = dump(engine)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao.io.offload"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    pickle.dump((url_of(engine), second(), None, None), proc.stdin)
    proc.stdin.flush()
    assert pickle.load(proc.stdout) == ("ready", None)
    proc.stdin.close()  # what the kernel does when the caller is killed
    assert proc.wait(timeout=60) == 0
    proc.stdout.close()
    assert dump(engine) == before


def test_writers_wait_for_each_other(engine: Engine) -> None:  # noqa: F811
    upgrade(engine)
    events: list[str] = []

    def second_writer() -> None:
        with writing(engine).begin() as conn:
            events.append("second began")
            conn.execute(text("SELECT 1"))

    with writing(engine).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
        other = threading.Thread(target=second_writer)
        other.start()
        time.sleep(0.5)
        events.append("first commits")
    other.join(timeout=30)
    assert events == ["first commits", "second began"]


def test_a_full_disk_under_sqlite_is_one_message_and_the_database_stays_consistent(
    tmp_path: Path,
) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        if "CI" in os.environ:
            pytest.fail(f"cannot mount a tmpfs under CI: {done.stderr!r}")
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        url = f"sqlite:///{mount / 'nianbao.db'}"
        engine = make_engine(url)
        upgrade(engine)
        store_cycle(engine, first())
        before = dump(engine)
        free = os.statvfs(mount)
        with (mount / "filler").open("wb") as f:  # leave a few pages
            f.write(b"\0" * max(free.f_bavail * free.f_frsize - 8192, 0))
        with pytest.raises(DatabaseFault) as caught:
            offload.store(url, second())
        assert "磁盘空间不足" in str(caught.value)
        assert dump(engine) == before
        assert table_counts(engine)["cycles"] == 1
        engine.dispose()
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
