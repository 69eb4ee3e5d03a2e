"""A lower level's stored totals handed up as a return of the centre's cycle (real files and
databases): which lower levels a fan-out runs, the return the centre's validation accepts
with the lower level's totals, and a rerun that hands nothing new."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.core.levels import LevelOutcome, LevelState, summary
from nianbao.core.model import Status, Unit
from nianbao.core.process import process_workbook
from nianbao.core.roster import roster_csv
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.write import store_cycle
from nianbao.io.levels import (
    LOWER,
    HandUpError,
    Lower,
    deliver,
    plan_lower,
    return_path,
    write_report,
)
from nianbao.io.xlsx_read import read_workbook
from nianbao.settings import Settings, load_settings
from tests.integration.real_cycle import SPEC, YEAR, build_real_cycle

COUNTIES = (Unit("xian1", "甲县", "government"), Unit("xian2", "乙县", "government"))


def _root(path: Path, units: tuple[Unit, ...]) -> Settings:
    (path / "inbox").mkdir(parents=True)
    (path / "roster.csv").write_text(roster_csv(units), encoding="utf-8")
    return load_settings(root=path)


@pytest.fixture
def centre(tmp_path: Path) -> Settings:
    return _root(tmp_path / "city", COUNTIES)


def _stored_county(centre: Settings, code: str) -> tuple[Lower, dict[str, Decimal]]:
    """A lower level whose cycle (real workbooks) is stored in its own SQLite database."""
    settings = _root(centre.root / LOWER / code, ())
    cycle = build_real_cycle(settings.inbox)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        store_cycle(engine, cycle.result)
    finally:
        engine.dispose()
    unit = next(u for u in COUNTIES if u.code == code)
    return Lower(unit, settings), dict(cycle.result.totals)


def test_the_handed_up_return_is_accepted_by_the_centre_with_the_lower_levels_totals(
    centre: Settings,
) -> None:
    lower, totals = _stored_county(centre, "xian1")
    outcome = deliver(centre, SPEC, YEAR, lower, {}, "run-1")
    assert (outcome.state, outcome.run_id) == (LevelState.HANDED_UP, "run-1")
    path = return_path(centre, "xian1", YEAR)
    raw = read_workbook(path, "xian1", path.relative_to(centre.inbox).as_posix())
    sub = process_workbook(raw, SPEC, YEAR, {u.code: u for u in COUNTIES})
    assert sub.status is Status.ACCEPTED, [f.code for f in sub.findings]
    assert all(sub.values[c] == totals[c] for c in SPEC.inputs)
    assert any(totals[c] for c in SPEC.inputs)  # not a return of zeros

    # the centre already holds these figures: nothing is written again
    before = path.stat().st_mtime_ns
    held = {"xian1": {c: sub.values[c] for c in SPEC.inputs}}
    again = deliver(centre, SPEC, YEAR, lower, held, "run-2")
    assert again.state is LevelState.UNCHANGED
    assert path.stat().st_mtime_ns == before
    # other figures held (the lower level changed since): handed up again
    changed = {"xian1": {**held["xian1"], SPEC.inputs[0]: Decimal(10**6)}}
    assert deliver(centre, SPEC, YEAR, lower, changed, "run-3").state is LevelState.HANDED_UP


def test_a_lower_level_without_a_stored_year_or_in_another_format_is_reported(
    centre: Settings,
) -> None:
    lower, _ = _stored_county(centre, "xian1")
    missing = deliver(centre, SPEC, YEAR + 1, lower, {}, None)
    assert missing.state is LevelState.FAILED and str(YEAR + 1) in missing.message
    assert not return_path(centre, "xian1", YEAR + 1).exists()
    empty = Lower(COUNTIES[1], _root(centre.root / LOWER / "xian2", ()))
    assert deliver(centre, SPEC, YEAR, empty, {}, None).state is LevelState.FAILED


def test_plan_runs_the_selected_lower_levels_with_their_own_folders_and_databases(
    centre: Settings, tmp_path: Path
) -> None:
    elsewhere = _root(tmp_path / "mounted" / "yixian", ())
    run, refused = plan_lower(centre, COUNTIES, YEAR, {"xian2": str(elsewhere.root)}, None)
    assert refused == [
        LevelOutcome(
            "xian1",
            "甲县",
            str((centre.root / LOWER / "xian1").resolve()),
            LevelState.FAILED,
            message=refused[0].message,
        )
    ]
    assert [(x.unit.code, x.root) for x in run] == [("xian2", elsewhere.root.resolve())]

    _root(centre.root / LOWER / "xian1", ())
    run, refused = plan_lower(centre, COUNTIES, YEAR, None, ["xian1"])
    assert [x.unit.code for x in run] == ["xian1"]
    assert [(o.code, o.state) for o in refused] == [("xian2", LevelState.NOT_RUN)]
    return_path(centre, "xian2", YEAR).parent.mkdir(parents=True)
    return_path(centre, "xian2", YEAR).write_bytes(b"")
    _, refused = plan_lower(centre, COUNTIES, YEAR, None, ["xian1"])
    assert [(o.code, o.state) for o in refused] == [("xian2", LevelState.KEPT)]

    with pytest.raises(HandUpError, match="xian9"):
        plan_lower(centre, COUNTIES, YEAR, None, ["xian9"])


def test_two_lower_levels_sharing_one_database_are_refused(centre: Settings) -> None:
    for code in ("xian1", "xian2"):
        folder = centre.root / LOWER / code
        folder.mkdir(parents=True)
        (folder / "nianbao.toml").write_text(
            f'db_url = "sqlite:///{centre.root / "shared.db"}"\n', encoding="utf-8"
        )
    run, refused = plan_lower(centre, COUNTIES, YEAR, None, None)
    assert [x.unit.code for x in run] == ["xian1"]
    assert [(o.code, o.state) for o in refused] == [("xian2", LevelState.FAILED)]
    assert "甲县" in refused[0].message


def test_report_lists_every_lower_level_and_the_summary_names_the_failed_one(
    centre: Settings,
) -> None:
    outcomes = [
        LevelOutcome("xian1", "甲县", "/a", LevelState.HANDED_UP, "r1"),
        LevelOutcome("xian2", "乙县", "/b", LevelState.FAILED, "r2", "乙县的汇总运行未成功"),
    ]
    path = write_report(centre, YEAR, outcomes)

    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [(x["code"], x["state"], x["run_id"]) for x in doc["lower"]] == [
        ("xian1", "handed_up", "r1"),
        ("xian2", "failed", "r2"),
    ]
    line = summary(YEAR, outcomes)
    assert "乙县（xian2）" in line and "甲县" not in line
    assert "乙县" not in summary(YEAR, outcomes[:1])


def test_a_lower_levels_database_is_its_own_whatever_the_centres_environment(
    centre: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_DB_URL", "postgresql+psycopg://u:p@db/centre")
    for code in ("xian1", "xian2"):
        (centre.root / LOWER / code).mkdir(parents=True)
    named = f"sqlite:///{centre.root / 'xian2.db'}"
    (centre.root / LOWER / "xian2" / "nianbao.toml").write_text(
        f'db_url = "{named}"\n', encoding="utf-8"
    )
    run, refused = plan_lower(centre, COUNTIES, YEAR, None, None)
    assert refused == []
    root1 = (centre.root / LOWER / "xian1").resolve()
    assert [x.settings.database_url for x in run] == [f"sqlite:///{root1 / 'nianbao.db'}", named]
