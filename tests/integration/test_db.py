"""Database storage: migrations, exact round trips, idempotent reruns, atomic writes.

Runs on SQLite and, when ``NIANBAO_TEST_PG_URL`` is set, on PostgreSQL (each test in a
fresh schema). Under ``CI`` a missing PostgreSQL URL fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from nianbao.core.findings import Finding
from nianbao.core.formats import FORMAT_2019
from nianbao.core.model import CycleResult, Status, Submission, Unit
from nianbao.core.numbers import PRECISION
from nianbao.core.spec import CellType
from nianbao.io.db import write
from nianbao.io.db.migrate import head_revision, make_engine, upgrade
from nianbao.io.db.read import (
    RosterUnit,
    StoredTotals,
    read_accepted_shas,
    read_cycle,
    read_stored_totals,
    read_totals,
    table_counts,
)
from nianbao.io.db.schema import STEP, Base
from nianbao.io.db.write import inputs_sha256, store_cycle

pytestmark = pytest.mark.integration

YEAR = 2024
ROSTER = (
    Unit("dept_a", "市发展和改革委员会", "department"),
    Unit("dept_b", "市财政局", "department"),
    Unit("town_c", "城关镇", "township"),
)
T0 = datetime(2025, 1, 10, 8, 30, tzinfo=UTC)
MONEY = "s2_procurement_amount"
SIGNED = "s2_licensing_change"


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (not migrated)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'state' / 'nianbao.sqlite'}")
        yield eng
        eng.dispose()
        return
    url = os.environ.get("NIANBAO_TEST_PG_URL")
    if not url:
        if "CI" in os.environ:
            pytest.fail("NIANBAO_TEST_PG_URL must be set when CI is set")
        pytest.skip("NIANBAO_TEST_PG_URL not set")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(engine: Engine) -> Engine:
    """A database migrated to head."""
    upgrade(engine)
    return engine


# --- building results ----------------------------------------------------------------


def figures(seed: int, money: str) -> dict[str, Decimal]:
    """Every cell of the 2019 format, with values of the cell's type."""
    out = {}
    for i, cell in enumerate(FORMAT_2019.cells):
        if cell.type is CellType.SIGNED:
            out[cell.id] = Decimal(-((i + seed) % 4))
        elif cell.type is CellType.MONEY:
            out[cell.id] = Decimal(money)
        else:
            out[cell.id] = Decimal((i * seed) % 9)
    return out


def sub(
    unit: str,
    sha: str,
    status: Status,
    values: dict[str, Decimal] | None = None,
    findings: tuple[Finding, ...] = (),
    received: datetime = T0,
) -> Submission:
    return Submission(
        unit=unit,
        file=f"{unit}-{sha}.xlsx",
        sha256=sha * 64 if len(sha) == 1 else sha,
        received_at=received,
        format="2019",
        status=status,
        values=values or {},
        texts={},
        findings=findings,
    )


def result(*subs: Submission, findings: tuple[Finding, ...] = ()) -> CycleResult:
    """A cycle result whose totals are the sums over accepted submissions."""
    totals: dict[str, Decimal] = {}
    for s in subs:
        if s.status.accepted:
            for cid, v in s.values.items():
                totals[cid] = totals.get(cid, Decimal(0)) + v
    return CycleResult(YEAR, "2019", ROSTER, subs, totals, findings)


BLANK = Finding(
    "blank-cell",
    unit="dept_b",
    file="dept_b-b.xlsx",
    sheet="二、主动公开",
    cell="C5",
    row_path=("规章",),
    column_path=("本年新制作数量",),
)
NAN = Finding("not-a-number", unit="town_c", sheet="三、依申请", cell="D9", actual="十二")
UNKNOWN = Finding("unknown-unit", unit="xyz", actual="xyz")
DUP = Finding("duplicate-file", unit="dept_a", expected="dept_a-a.xlsx", actual="dept_a-0.xlsx")


def first() -> CycleResult:
    """A superseded and a current file for A, warnings for B, an error for C."""
    return result(
        sub("dept_a", "0", Status.SUPERSEDED, figures(7, "5"), received=T0 - timedelta(days=1)),
        sub("dept_a", "a", Status.ACCEPTED, figures(1, "1000.07"), (DUP,)),
        sub(
            "dept_b",
            "b",
            Status.ACCEPTED_WITH_WARNINGS,
            figures(2, "1911.07"),
            (BLANK,),
            received=datetime(2025, 1, 11, 9, 0, tzinfo=timezone(timedelta(hours=8))),
        ),
        sub("town_c", "c", Status.REJECTED, {}, (NAN,)),
        findings=(UNKNOWN,),
    )


def second() -> CycleResult:
    """B resubmits (new file, new figures), C's corrected file is accepted."""
    return result(
        sub("dept_a", "0", Status.SUPERSEDED, figures(7, "5"), received=T0 - timedelta(days=1)),
        sub("dept_a", "a", Status.ACCEPTED, figures(1, "1000.07"), (DUP,)),
        sub("dept_b", "b", Status.SUPERSEDED, figures(2, "1911.07")),
        sub("dept_b", "d", Status.ACCEPTED, figures(3, "0.5"), received=T0 + timedelta(days=2)),
        sub("town_c", "e", Status.ACCEPTED, figures(4, "12.3456"), received=T0 + timedelta(days=3)),
    )


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ids included, in id order."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]
            for t in Base.metadata.sorted_tables
        }


def statuses(engine: Engine) -> dict[str, dict[str, str]]:
    """Roster status per unit and status per submission file."""
    with engine.connect() as conn:
        roster = conn.execute(
            text(
                "SELECT u.code, r.status FROM cycle_units r JOIN units u ON u.id = r.unit_id "
                "ORDER BY r.position"
            )
        )
        files = conn.execute(text("SELECT file, status FROM submissions ORDER BY id"))
        return {"roster": dict(roster.tuples().all()), "files": dict(files.tuples().all())}


def expected_read(res: CycleResult) -> StoredTotals:
    return StoredTotals(res.year, res.format, res.totals, res.breakdown)


# --- migrations ----------------------------------------------------------------------


def test_migration_creates_every_table_and_matches_models(db: Engine) -> None:
    tables = set(inspect(db).get_table_names())
    assert tables == {*Base.metadata.tables, "alembic_version"}
    with db.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []


def test_model_drift_would_be_detected(db: Engine) -> None:
    """Guards the check above: compare_metadata does see a difference."""
    drifted = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    sa.Table("extra", drifted, sa.Column("id", sa.Integer, primary_key=True))
    drifted.tables["units"].append_column(sa.Column("note", sa.Text))
    with db.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), drifted)
    kinds = {d[0] for d in diffs}
    assert {"add_table", "add_column"} <= kinds


def test_upgrade_twice_is_a_no_op(db: Engine) -> None:
    store_cycle(db, first())
    before = dump(db)
    upgrade(db)
    assert dump(db) == before


# --- round trip and idempotence ------------------------------------------------------


def test_round_trip_is_exact(db: Engine) -> None:
    res = first()
    assert res.totals[MONEY] == Decimal("2911.14")
    store_cycle(db, res)
    back = read_totals(db, YEAR)
    assert back == expected_read(res)
    assert back is not None
    assert str(back.totals[MONEY]) == "2911.14"
    assert str(back.units["dept_b"][MONEY]) == "1911.07"
    assert back.totals[SIGNED] < 0
    assert all(v == v.to_integral_value() for k, v in back.totals.items() if k != MONEY)
    assert list(back.units) == ["dept_a", "dept_b"]  # roster order, accepted only
    assert read_totals(db, YEAR + 1) is None


def test_tricky_decimals_round_trip(db: Engine) -> None:
    tricky = [
        "0",
        "-0",
        "0.0001",
        "-0.0001",
        "2911.14",
        "2911.1400",
        "1E+3",
        "-7",
        "99999999999.9999",
        "-12345678901.2345",
    ]
    totals = {f"c{i}": Decimal(v) for i, v in enumerate(tricky)}
    store_cycle(db, CycleResult(YEAR, "2019", ROSTER, (), totals))
    back = read_totals(db, YEAR)
    assert back is not None
    assert back.totals == totals
    assert [str(v) for v in back.totals.values()] == [
        "0",
        "0",
        "0.0001",
        "-0.0001",
        "2911.14",
        "2911.14",
        "1000",
        "-7",
        "99999999999.9999",
        "-12345678901.2345",
    ]


def test_unit_figures_round_trip_exactly(db: Engine) -> None:
    tricky = ["0.0001", "-0.0001", "2911.14", "1E+3", "99999999999.9999", "-12345678901.2345"]
    values = figures(1, "1000.07")
    values.update({f"x{i}": Decimal(v) for i, v in enumerate(tricky)})
    store_cycle(db, result(sub("dept_a", "a", Status.ACCEPTED, values)))
    back = read_totals(db, YEAR)
    assert back is not None
    assert back.units["dept_a"] == values
    assert [str(back.units["dept_a"][f"x{i}"]) for i in range(len(tricky))] == [
        "0.0001",
        "-0.0001",
        "2911.14",
        "1000",
        "99999999999.9999",
        "-12345678901.2345",
    ]


def test_changed_figures_of_a_stored_submission_are_brought_in_line(db: Engine) -> None:
    """Same file, other figures (say a fixed reader): a changed, a zeroed and a new cell."""
    store_cycle(db, first())
    before = dump(db)
    res = first()
    values = res.submissions[1].values
    changed, zeroed = [cid for cid, v in values.items() if v != 0 and cid != MONEY][:2]
    values[changed] += 1
    values[zeroed] = Decimal(0)
    values[MONEY] = Decimal("1000.0700")  # equal to the stored figure: no write
    values["extra_cell"] = Decimal("-3.5")
    store_cycle(db, res)
    back = read_totals(db, YEAR)
    assert back is not None
    assert back.units["dept_a"] == values
    after = dump(db)
    old_rows = {r[0]: r for r in before["cell_values"]}
    new_rows = {r[0]: r for r in after["cell_values"]}
    rewritten = {i for i in old_rows.keys() & new_rows.keys() if old_rows[i] != new_rows[i]}
    assert [new_rows[i][2] for i in rewritten] == [changed]
    assert [old_rows[i][2] for i in old_rows.keys() - new_rows.keys()] == [zeroed]
    assert [new_rows[i][2] for i in new_rows.keys() - old_rows.keys()] == ["extra_cell"]
    store_cycle(db, res)
    assert dump(db) == after


def test_zeros_are_not_stored_but_read_as_zero(db: Engine) -> None:
    res = first()
    store_cycle(db, res)
    with db.connect() as conn:
        stored = conn.execute(text("SELECT value FROM cell_values")).scalars().all()
    nonzero = sum(v != 0 for s in res.submissions for v in s.values.values())
    assert len(stored) == nonzero
    assert 0 not in stored
    back = read_totals(db, YEAR)
    assert back is not None
    zeros = [cid for cid, v in res.breakdown["dept_a"].items() if v == 0]
    assert zeros
    assert all(back.units["dept_a"][cid] == 0 for cid in zeros)


def test_reading_a_few_cells_of_every_unit(db: Engine) -> None:
    res = first()
    store_cycle(db, res)
    zero = next(cid for cid, v in res.breakdown["dept_a"].items() if v == 0)
    back = read_totals(db, YEAR, cells={MONEY, zero, "not_a_cell"})
    assert back is not None
    assert back.totals == res.totals  # the totals are always whole
    assert back.units == {
        code: {MONEY: values[MONEY], zero: values[zero]} for code, values in res.breakdown.items()
    }


def test_rerun_changes_nothing(db: Engine) -> None:
    store_cycle(db, first())
    counts, rows = table_counts(db), dump(db)
    assert counts["cell_values"] == sum(
        v != 0 for s in first().submissions for v in s.values.values()
    )
    assert counts["findings"] == 4
    assert counts["runs"] == 1
    store_cycle(db, first())  # an equal result built anew
    assert table_counts(db) == counts
    assert dump(db) == rows


def test_received_at_is_stored_in_utc(db: Engine) -> None:
    store_cycle(db, first())
    with db.connect() as conn:
        got = conn.execute(
            text("SELECT received_at FROM submissions WHERE file = 'dept_b-b.xlsx'")
        ).scalar_one()
    assert str(got).startswith("2025-01-11 01:00:00")


def test_the_column_holds_figures_exactly_to_the_precision_of_the_numbers() -> None:
    assert STEP == PRECISION


# --- reads -----------------------------------------------------------------------------


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_read_cycle_gives_figures_names_and_roster(db: Engine) -> None:
    outsider = sub("zz_outside", "f", Status.ACCEPTED, {MONEY: Decimal("4")})
    res = replace(first(), submissions=(*first().submissions, outsider))
    store_cycle(db, res)
    cycle = read_cycle(db, YEAR)
    assert cycle is not None
    assert cycle.figures == read_totals(db, YEAR)
    assert list(cycle.figures.units) == ["dept_a", "dept_b", "zz_outside"]  # outsiders last
    assert cycle.names == {
        "dept_a": "市发展和改革委员会",
        "dept_b": "市财政局",
        "zz_outside": "zz_outside",
    }
    assert cycle.roster == (
        RosterUnit("dept_a", "市发展和改革委员会", Status.ACCEPTED),
        RosterUnit("dept_b", "市财政局", Status.ACCEPTED_WITH_WARNINGS),
        RosterUnit("town_c", "城关镇", Status.REJECTED),
    )
    assert read_cycle(db, YEAR + 1) is None


def test_accepted_shas_per_unit(db: Engine) -> None:
    url = url_of(db)
    assert read_accepted_shas(url, YEAR) == {}
    store_cycle(db, first())
    assert read_accepted_shas(url, YEAR) == {"dept_a": {"a" * 64}, "dept_b": {"b" * 64}}
    store_cycle(db, second())
    older = sub("dept_a", "1", Status.ACCEPTED, {}, received=T0 - timedelta(days=3))
    store_cycle(db, replace(second(), year=YEAR - 1, submissions=(*second().submissions, older)))
    assert read_accepted_shas(url, YEAR) == {
        "dept_a": {"a" * 64},
        "dept_b": {"d" * 64},
        "town_c": {"e" * 64},
    }
    assert read_accepted_shas(url, YEAR - 1)["dept_a"] == {"a" * 64, "1" * 64}
    assert read_accepted_shas(url, YEAR + 1) == {}


def test_reads_by_url_create_nothing(tmp_path: Path, engine: Engine) -> None:
    missing = tmp_path / "none" / "nianbao.db"
    for url in (f"sqlite:///{missing}", url_of(engine)):  # no file; no schema
        assert read_stored_totals(url, YEAR) is None
        assert read_accepted_shas(url, YEAR) == {}
    assert not missing.parent.exists()
    assert inspect(engine).get_table_names() == []


def test_upgrade_tells_the_revision_it_found(engine: Engine) -> None:
    assert upgrade(engine) is None
    assert upgrade(engine) == head_revision()


# --- changes -------------------------------------------------------------------------


def test_resubmission_updates_totals_statuses_and_findings(db: Engine) -> None:
    store_cycle(db, first())
    assert statuses(db)["roster"] == {
        "dept_a": "accepted",
        "dept_b": "accepted_with_warnings",
        "town_c": "rejected",
    }
    res = second()
    store_cycle(db, res)
    assert read_totals(db, YEAR) == expected_read(res)
    st = statuses(db)
    assert st["roster"] == {"dept_a": "accepted", "dept_b": "accepted", "town_c": "accepted"}
    assert st["files"] == {
        "dept_a-0.xlsx": "superseded",
        "dept_a-a.xlsx": "accepted",
        "dept_b-b.xlsx": "superseded",
        "town_c-c.xlsx": "superseded",  # gone from the folder: kept as history
        "dept_b-d.xlsx": "accepted",
        "town_c-e.xlsx": "accepted",
    }
    with db.connect() as conn:
        codes = conn.execute(text("SELECT code FROM findings ORDER BY seq")).scalars().all()
        runs = conn.execute(text("SELECT inputs_sha256, n_accepted FROM runs ORDER BY id")).all()
        current = conn.execute(text("SELECT inputs_sha256 FROM cycles")).scalar_one()
    assert codes == ["duplicate-file"]
    assert [tuple(r) for r in runs] == [(inputs_sha256(first()), 2), (inputs_sha256(res), 3)]
    assert current == inputs_sha256(res)

    rows = dump(db)
    store_cycle(db, second())
    assert dump(db) == rows

    store_cycle(db, first())  # back to the first inputs: same run, figures as then
    assert read_totals(db, YEAR) == expected_read(first())
    assert table_counts(db)["runs"] == 2
    assert statuses(db)["roster"]["town_c"] == "rejected"


def test_latest_accepted_submission_wins_on_read(db: Engine) -> None:
    older = sub("dept_a", "1", Status.ACCEPTED, {MONEY: Decimal("1")})
    newer = sub("dept_a", "2", Status.ACCEPTED, {MONEY: Decimal("2")}, received=T0 + timedelta(1))
    store_cycle(db, result(newer, older))
    back = read_totals(db, YEAR)
    assert back is not None
    assert list(back.units) == ["dept_a"]
    figures_read = back.units["dept_a"]
    assert figures_read[MONEY] == Decimal("2")
    assert {v for cid, v in figures_read.items() if cid != MONEY} == {0}  # not stored: 0


def test_same_file_twice_is_held_once(db: Engine) -> None:
    a = sub("dept_a", "a", Status.ACCEPTED, {MONEY: Decimal("3")}, (DUP,))
    copy = replace(a, file="copy.xlsx", status=Status.SUPERSEDED)
    store_cycle(db, result(copy, a))
    assert statuses(db)["files"] == {a.file: "accepted"}
    assert table_counts(db)["findings"] == 2


# --- atomicity and validation --------------------------------------------------------


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("stored_before", [False, True])
def test_failure_midway_rolls_everything_back(
    db: Engine, monkeypatch: pytest.MonkeyPatch, stored_before: bool
) -> None:
    if stored_before:
        store_cycle(db, first())
    before = dump(db)
    real = write._sync_totals

    def sync_totals_then_fail(session: Any, *args: Any) -> None:
        real(session, *args)
        written = session.execute(text("SELECT count(*) FROM cell_values")).scalar_one()
        assert written > (3 if stored_before else 0) * len(FORMAT_2019.cells)
        raise Boom

    monkeypatch.setattr(write, "_sync_totals", sync_totals_then_fail)
    with pytest.raises(Boom):
        store_cycle(db, second())
    assert dump(db) == before


@pytest.mark.parametrize(
    "bad",
    [Decimal("1.23456"), Decimal("NaN"), Decimal("Infinity"), Decimal("1E+20"), 1.5, True],
)
def test_unstorable_value_is_refused_before_writing(db: Engine, bad: Any) -> None:
    store_cycle(db, first())
    before = dump(db)
    res = second()
    res.submissions[3].values[MONEY] = bad
    with pytest.raises(ValueError, match=MONEY):
        store_cycle(db, res)
    assert dump(db) == before


def test_naive_received_at_is_refused(db: Engine) -> None:
    naive = sub("dept_a", "a", Status.ACCEPTED, {}, received=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone"):
        store_cycle(db, result(naive))
    assert set(table_counts(db).values()) == {0}


# --- engines -------------------------------------------------------------------------


def test_sqlite_engine_creates_folder_and_enforces_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "nianbao.sqlite"
    eng = make_engine(f"sqlite:///{path}")
    try:
        upgrade(eng)
        assert path.exists()
        with pytest.raises(IntegrityError), eng.begin() as conn:
            conn.execute(text("INSERT INTO totals (cycle_id, cell_id, value) VALUES (999, 'x', 1)"))
    finally:
        eng.dispose()


def test_upgrade_accepts_a_url(tmp_path: Path) -> None:
    path = tmp_path / "by-url.sqlite"
    upgrade(f"sqlite:///{path}")
    eng = make_engine(f"sqlite:///{path}")
    try:
        assert set(table_counts(eng).values()) == {0}
    finally:
        eng.dispose()
