"""A rerun costs what changed: checks taken from the database, and runs with nothing new.

``sort_arrivals`` reads each settled file once (bounded, never through a link) for its
sha256 and check key (``nianbao.core.checked``), and gives the run's key: every arrival's
check key (or, for a file it could not read, its listing), plus what the flow adds
(roster, settings, last year, findings of the search). When the run has something to do,
``take_stored`` rebuilds each file whose key matches a stored check of the year (and whose
original is in the archive) from the database instead of parsing it again; the others are
left to the intake.

A run whose key is the one its published outputs were made from (``RunRecord``, written
after they are published), while the database still holds that run's results (the
cycle's ``inputs_sha256`` is the record's) and every output and feedback file of that run
is in place, has nothing to do.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nianbao.core.checked import RULES_VERSION, CheckKeys, digest, restore
from nianbao.core.model import Submission
from nianbao.io.archive import archived_as
from nianbao.io.atomic import atomic_write_text
from nianbao.io.bounds import ReadBounds
from nianbao.io.db.checks import read_checks, read_inputs_sha256
from nianbao.io.folder import Arrival, open_arrival
from nianbao.io.xlsx_read import read_open_file, received, sha256_of

RECORD = ".nianbao-run.json"  # in the year's output folder


@dataclass
class Sorted:
    """Arrivals sorted: files whose check may be stored (by key: the arrival, its sha256 and
    when it arrived), files to read, the run's key; ``take_stored`` moves the first into
    submissions rebuilt from the database (``reused``) or into ``to_read``."""

    known: dict[str, tuple[Arrival, str, datetime]] = field(default_factory=dict)
    to_read: list[Arrival] = field(default_factory=list)
    reused: list[Submission] = field(default_factory=list)
    run_key: str = ""


def sort_arrivals(
    inbox: Path,
    arrivals: Sequence[Arrival],
    keys: CheckKeys,
    *,
    archive: Path,
    bounds: ReadBounds,
    context: object,
) -> Sorted:
    """Each arrival's check key (see the module) and the run's key; ``context`` is what else
    the run's key covers. Reads each file once; nothing from the database yet."""
    listed: list[object] = []
    out = Sorted()
    for arrival in arrivals:
        try:
            fd = open_arrival(inbox, arrival)
            try:
                data, st = read_open_file(fd, arrival.display, bounds, arrival.signature)
            finally:
                os.close(fd)
        except Exception:  # the intake reads it again and says what is wrong
            out.to_read.append(arrival)
            listed.append([arrival.display, arrival.size, arrival.mtime_ns])
            continue
        sha = sha256_of(data)
        key = keys.of(arrival.unit, arrival.display, sha)
        listed.append([arrival.display, key, st.st_mtime_ns])
        if archived_as(archive, sha, arrival.display).is_file():
            out.known[key] = (arrival, sha, received(st))
        else:
            out.to_read.append(arrival)
    out.run_key = digest([RULES_VERSION, listed, context])
    return out


def take_stored(found: Sorted, db_url: str, year: int) -> None:
    """Rebuild the known files' submissions from their stored checks of ``year``; those
    without one go to ``to_read``."""
    stored = read_checks(db_url, year, found.known)
    for key, (arrival, sha, when) in found.known.items():
        check = stored.get(key)
        if check is None:
            found.to_read.append(arrival)
            continue
        found.reused.append(
            restore(
                check.outcome,
                check.figures,
                unit=arrival.unit,
                file=arrival.display,
                sha256=sha,
                received_at=when,
                format_id=check.format,
                key=key,
                path=arrival.path,
            )
        )
    found.known.clear()


@dataclass(frozen=True)
class RunRecord:
    """What a run published, written next to its outputs once they are in place: its key,
    its summary, its outputs (by name) and each current feedback file with the key it was
    made from; paths relative to the shared folder (a copied or moved folder keeps it)."""

    run_key: str
    inputs_sha256: str  # the stored cycle's (``nianbao.io.db.write.inputs_sha256``)
    summary: dict[str, Any]
    outputs: dict[str, str]
    feedback: dict[str, str]

    @staticmethod
    def made(
        root: Path,
        run_key: str,
        inputs_sha256: str,
        summary: dict[str, Any],
        outputs: dict[str, str],
        feedback: dict[str, str],
    ) -> RunRecord:
        """The record of a run of ``root`` (``outputs`` by their paths, ``feedback`` by their
        paths relative to ``root``)."""
        rest = {k: v for k, v in summary.items() if k != "outputs"}
        return RunRecord(
            run_key,
            inputs_sha256,
            rest,
            {name: _relative(root, path) for name, path in outputs.items()},
            feedback,
        )

    def summary_at(self, root: Path) -> dict[str, Any]:
        """The run's summary, its outputs' paths under ``root``."""
        return {**self.summary, "outputs": {k: str(root / v) for k, v in self.outputs.items()}}

    @staticmethod
    def read(out_dir: Path) -> RunRecord | None:
        """The record in ``out_dir`` (None when absent or unreadable)."""
        try:
            doc = json.loads((out_dir / RECORD).read_text(encoding="utf-8"))
            fields = ("run_key", "inputs_sha256", "summary", "outputs", "feedback")
            return RunRecord(*(doc[name] for name in fields))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, out_dir: Path) -> None:
        """Write the record into ``out_dir``."""
        doc = {
            "run_key": self.run_key,
            "inputs_sha256": self.inputs_sha256,
            "summary": self.summary,
            "outputs": self.outputs,
            "feedback": self.feedback,
        }
        atomic_write_text(out_dir / RECORD, json.dumps(doc, ensure_ascii=False) + "\n")

    def in_place(self, root: Path) -> bool:
        """Whether every file the run published is still under ``root``."""
        base = str(root)  # plain joins: 10,000 ``pathlib`` ones cost ~0.1 s
        return all(
            os.path.isfile(os.path.join(base, p)) for p in [*self.outputs.values(), *self.feedback]
        )


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path  # not under the root: kept as it is


def forget_run(out_dir: Path) -> None:
    """Remove the record (outputs published by a run that keeps none, e.g. a dry run)."""
    (out_dir / RECORD).unlink(missing_ok=True)


def nothing_new(
    db_url: str, year: int, root: Path, out_dir: Path, run_key: str
) -> RunRecord | None:
    """The last run's record when a run with ``run_key`` has nothing to do (see the module)."""
    record = RunRecord.read(out_dir)
    if record is None or record.run_key != run_key or not record.in_place(root):
        return None
    return record if read_inputs_sha256(db_url, year) == record.inputs_sha256 else None
