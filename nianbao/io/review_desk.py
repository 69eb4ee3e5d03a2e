"""The office's review actions, as the CLI and the review deployment call them: decide on a
unit, finalize (定稿) the year, reopen it, and read its history and versions.

Each action holds the year's run lock (no run publishes meanwhile), migrates the schema,
checks and records its events in one writing transaction (``nianbao.io.db.review``), then
writes what the unit reads at once: a return's 退回修改 workbook with the reason first, a
receipt showing its approval or accepted warnings. Finalizing copies the published outputs
into ``output/<year>/定稿/v<N>/`` and keeps their SHA-256, the version's figures and which
file each unit counted in the database.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from nianbao.core.formats import FORMATS
from nianbao.core.outputs import cells_json
from nianbao.core.process import add_up
from nianbao.core.review import Action, Case, Event, Ledger, Refused, decide, finalize, reopen
from nianbao.io.atomic import atomic_path
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.read import StoredTotals, read_totals
from nianbao.io.db.review import (
    COUNTED,
    EXCUSED,
    StoredVersion,
    events,
    ledger,
    read_version,
    record,
    save_version,
    version_numbers,
)
from nianbao.io.review_feedback import refresh_feedback
from nianbao.io.runlock import RunLock
from nianbao.settings import Settings

FINAL_FOLDER = "定稿"


@contextmanager
def _desk(settings: Settings, year: int) -> Iterator[Engine]:
    """The year's run lock held and an engine on the migrated database."""
    lock = RunLock(settings.root, year, settings.timezone)
    with lock.hold(settings.lock_wait):
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            yield engine
        finally:
            engine.dispose()


def _case(cases: list[Case], year: int, unit: str) -> Case:
    if not cases:
        raise Refused(f"数据库中没有{year}年度的汇总数据，请先运行 nianbao run")
    for case in cases:
        if case.unit == unit:
            return case
    raise Refused(f"{year}年度的单位名单中没有单位代码“{unit}”")


def review_unit(
    settings: Settings,
    year: int,
    unit: str,
    action: Action,
    actor: str,
    reason: str = "",
    finding: str = "",
) -> tuple[Event, Path | None]:
    """Record the office's ``action`` on ``unit``'s current file (``Refused`` when it makes
    no sense) and write what the unit reads; returns the event and the feedback file."""
    at = datetime.now(UTC)
    with _desk(settings, year) as engine:

        def make(led: Ledger, cases: list[Case], conn: Connection) -> list[Event]:
            return [decide(led, _case(cases, year, unit), action, actor, at, reason, finding)]

        (event,) = record(engine, year, make)
        with engine.connect() as conn:
            after = ledger(conn, year)
        written = refresh_feedback(settings, engine, after, event)
    return event, written


@dataclass(frozen=True)
class Finalized:
    """A version made: its number, folder and the events recorded."""

    number: int
    folder: Path
    events: tuple[Event, ...]


def finalize_year(
    settings: Settings,
    year: int,
    actor: str,
    reason: str = "",
    excuse: Mapping[str, str] | None = None,
) -> Finalized:
    """Finalize ``year`` as its next version (see the module docstring); ``excuse`` names
    the units to excuse first (code -> reason). Refused while the published outputs do not
    match the database, or the office's decisions changed what counts since the last run."""
    at = datetime.now(UTC)
    out = settings.output_dir(year)
    with _desk(settings, year) as engine:
        stored = read_totals(engine, year)
        if stored is None:
            raise Refused(f"数据库中没有{year}年度的汇总数据，请先运行 nianbao run")
        _check_published(out, stored)
        folder: list[Path] = []

        def make(led: Ledger, cases: list[Case], conn: Connection) -> list[Event]:
            made = finalize(led, cases, actor, at, reason, excuse, settings.review)
            number = made[-1].version or led.version + 1
            after = Ledger.of(year, (*led.events, *made), led.pins)
            units = _version_units(after, cases, settings.review)
            counted = {c: v for c, v in stored.units.items() if units.get(c, ("",))[-1] == COUNTED}
            _check_counted(stored, counted)
            target = out / FINAL_FOLDER / f"v{number}"
            files = _copy_outputs(out, target)
            folder.append(target)
            figures = StoredTotals(year, stored.format, stored.totals, counted)
            rows = [(c.unit, c.name, *units[c.unit]) for c in cases]
            save_version(conn, figures, number, made[-1], rows, files)
            version = Event(year, Action.VERSION, at, actor.strip(), reason=reason.strip())
            made.append(_with(version, number, files.get("report.docx", "")))
            return made

        try:
            made = record(engine, year, make)
        except BaseException:
            for target in folder:  # the transaction rolled back: no version, no copy
                shutil.rmtree(target, ignore_errors=True)
            raise
    return Finalized(made[-1].version or 0, folder[0], tuple(made))


def _with(event: Event, number: int, sha256: str) -> Event:
    return Event(
        event.year,
        event.action,
        event.at,
        event.actor,
        event.unit,
        event.reason,
        sha256,
        event.finding,
        number,
    )


def _version_units(after: Ledger, cases: list[Case], review: bool) -> dict[str, tuple[str, str]]:
    """Each unit's (sha256, state) in the version: counted with its file, or excused."""
    out = {}
    for c in cases:
        held = after.held_out(c.unit, c.sha256, c.status, review)
        if held is None and c.status.accepted:
            out[c.unit] = (c.sha256, COUNTED)
        else:  # finalize refused any other: excused
            out[c.unit] = ("", EXCUSED)
    return out


def _check_published(out: Path, stored: StoredTotals) -> None:
    """The published totals.json must be the database's totals (not a dry run's)."""
    path = out / "totals.json"
    spec = FORMATS[stored.format]
    try:
        published = json.loads(path.read_text(encoding="utf-8"))["totals"]
    except (OSError, ValueError, KeyError):
        published = None
    if published != cells_json(spec, stored.totals):
        raise Refused(
            f"{path} 与数据库中的汇总数不一致（或不存在），不能定稿",
            hint="请先运行一次汇总（nianbao run），再定稿",
        )


def _check_counted(stored: StoredTotals, counted: Mapping[str, Mapping[str, object]]) -> None:
    """The stored totals must be the sum of the units the version counts: a decision made
    since the last run (an approval with review on, a return) needs a run first."""
    spec = FORMATS[stored.format]
    parts = [dict(stored.units[c]) for c in counted]
    if add_up(spec, parts) != stored.totals:
        raise Refused(
            "审核决定在最近一次汇总之后有变化，数据库中的汇总数还没有反映这些决定，不能定稿",
            hint="请先运行一次汇总（nianbao run），再定稿",
        )


def _copy_outputs(out: Path, target: Path) -> dict[str, str]:
    """Copy the published files of ``out`` (its top level) into ``target``; their sha256."""
    files = {}
    for path in sorted(p for p in out.iterdir() if p.is_file() and not p.name.startswith(".")):
        data = path.read_bytes()
        target.mkdir(parents=True, exist_ok=True)
        with atomic_path(target / path.name) as tmp:
            tmp.write_bytes(data)
        files[path.name] = hashlib.sha256(data).hexdigest()
    return files


def reopen_year(
    settings: Settings, year: int, actor: str, reason: str, unit: str | None = None
) -> Event:
    """Reopen the finalized ``year`` (or one unit of it) so that the next run merges again."""
    at = datetime.now(UTC)
    with _desk(settings, year) as engine:

        def make(led: Ledger, cases: list[Case], conn: Connection) -> list[Event]:
            case = _case(cases, year, unit) if unit else None
            return [reopen(led, case, actor, at, reason)]

        (event,) = record(engine, year, make)
    return event


def history(engine: Engine, year: int, unit: str | None = None) -> list[Event]:
    """The year's audit events (``unit``'s and the year's own when given), oldest first."""
    with engine.connect() as conn:
        return events(conn, year, unit)


def versions(engine: Engine, year: int) -> list[int]:
    """The year's finalized version numbers."""
    with engine.connect() as conn:
        return version_numbers(conn, year)


def version(engine: Engine, year: int, number: int) -> StoredVersion:
    """Version ``number`` of ``year``; ``Refused`` when there is none."""
    with engine.connect() as conn:
        found = read_version(conn, year, number)
        numbers = version_numbers(conn, year)
    if found is None:
        shown = "、".join(f"第{n}版" for n in numbers) or "尚无定稿版本"
        raise Refused(f"{year}年度没有第{number}版定稿（现有：{shown}）")
    return found
