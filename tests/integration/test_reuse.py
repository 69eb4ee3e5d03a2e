"""A stored check is reused only while every input it read is unchanged (SQLite and
PostgreSQL): the intake's own steps on real workbooks and a real database, counting the
workbooks it parses."""

from __future__ import annotations

import logging
import os
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.core import checked
from nianbao.core.carry import last_year_cells
from nianbao.core.formats import FORMAT_2019
from nianbao.core.model import CycleResult, Status
from nianbao.core.process import consolidate
from nianbao.io import intake as io_intake
from nianbao.io.db.last_year import LastYear
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.write import store_cycle
from nianbao.io.folder import discover
from nianbao.settings import Settings
from tasks import intake
from tasks.inputs import CycleInputs
from tests.databases import BACKENDS, database_url
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
ALPHA, BETA, GAMMA = ROSTER


class Cycle:
    """Runs the intake as the flow does (search, sort, read what must be read, merge and
    store), counting the workbooks parsed."""

    def __init__(self, root: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.settings = Settings(root=root, db_url=url, workers=1, settle_seconds=0)
        self.parsed: list[str] = []
        parse = io_intake.parse_workbook

        def counted(*args: object, **kwargs: object) -> object:
            self.parsed.append(str(args[3]))
            return parse(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(io_intake, "parse_workbook", counted)
        monkeypatch.setattr(intake, "get_run_logger", lambda: logging.getLogger("test"))

    def run(self, last: LastYear | None = None) -> tuple[CycleResult, list[str]]:
        self.parsed.clear()
        inputs = CycleInputs(2020, FORMAT_2019.id, ROSTER, self.settings, last or LastYear())
        found, findings = discover(self.settings.inbox, ROSTER)
        sort = intake.sort_submissions.fn(inputs, found, findings)
        self.run_key = sort.run_key
        sort = intake.reuse_checks.fn(inputs, sort)
        done = io_intake.Intake(submissions=list(sort.reused), findings=list(findings))
        intake.add_read(inputs, done, intake.read_and_validate.fn(inputs, sort.to_read))
        result = consolidate(FORMAT_2019, 2020, ROSTER, done.submissions, done.findings)
        engine = make_engine(self.settings.database_url)
        try:
            upgrade(engine)
            store_cycle(engine, result)
        finally:
            engine.dispose()
        return result, sorted(self.parsed)


def _inbox(root: Path) -> None:
    make_workbook(root / "inbox" / "alpha" / "a.xlsx", ALPHA, unit_figures(11))
    figures = unit_figures(12)
    broken = {**figures, "s3_public_natural": figures["s3_public_natural"] + 5}
    make_workbook(root / "inbox" / "beta" / "b.xlsx", BETA, broken)  # rejected
    make_workbook(root / "inbox" / "gamma" / "g.xlsx", GAMMA, unit_figures(13))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_check_is_reused_only_while_its_inputs_are_unchanged(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    _inbox(root)
    every = ["alpha/a.xlsx", "beta/b.xlsx", "gamma/g.xlsx"]
    with database_url(backend, tmp_path) as url:
        cycle = Cycle(root, url, monkeypatch)
        first, parsed = cycle.run()
        first_key = cycle.run_key
        assert parsed == every
        assert first.status_of("beta") is Status.REJECTED

        again, parsed = cycle.run()
        assert parsed == []  # every check taken from the database
        assert again == first  # the same submissions, figures, findings and totals

        monkeypatch.setattr(checked, "RULES_VERSION", "rules changed")
        changed, parsed = cycle.run()
        assert parsed == every
        assert cycle.run_key != first_key and changed.totals == first.totals
        assert cycle.run()[1] == []

        last = LastYear(figures={"alpha": dict.fromkeys(last_year_cells(FORMAT_2019), Decimal(7))})
        _, parsed = cycle.run(last)
        assert parsed == ["alpha/a.xlsx"]  # only the unit whose last year changed
        assert cycle.run(last)[1] == []

        path = root / "inbox" / "beta" / "b.xlsx"
        stamp = path.stat().st_mtime
        make_workbook(path, BETA, unit_figures(14))  # corrected, same name and time
        os.utime(path, (stamp, stamp))
        fixed, parsed = cycle.run(last)
        assert parsed == ["beta/b.xlsx"]
        assert fixed.status_of("beta").accepted
        assert cycle.run(last)[1] == []
