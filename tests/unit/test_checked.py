"""The validation cache's key and stored outcome (``nianbao.core.checked``)."""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.core import checked
from nianbao.core.carry import last_year_cells
from nianbao.core.checked import CheckKeys, outcome_json, restore
from nianbao.core.formats import FORMAT_2019, FORMATS
from nianbao.core.model import Status, Submission
from nianbao.core.process import consolidate, process_workbook
from nianbao.io.xlsx_read import read_workbook
from tests.conftest import REPO
from tests.helpers import ROSTER, make_workbook, unit_figures

# The code a file's check runs: reading a workbook's bytes into grids, extracting,
# validating, the findings catalogue and the formats. Changing any of it changes what a
# stored check would say: bump ``RULES_VERSION`` (then update PINNED).
RULE_MODULES = (
    "nianbao/io/xlsx_read.py",
    "nianbao/io/names.py",
    "nianbao/core/process.py",
    "nianbao/core/parse.py",
    "nianbao/core/detect.py",
    "nianbao/core/validate.py",
    "nianbao/core/engine.py",
    "nianbao/core/cell_findings.py",
    "nianbao/core/plausibility.py",
    "nianbao/core/compiled.py",
    "nianbao/core/narrative.py",
    "nianbao/core/carry.py",
    "nianbao/core/numbers.py",
    "nianbao/core/findings.py",
    "nianbao/core/layout.py",
    "nianbao/core/spec.py",
    "nianbao/core/formats/__init__.py",
    "nianbao/core/formats/common.py",
    "nianbao/core/formats/f2019.py",
    "nianbao/core/formats/f2021.py",
)
PINNED = ("2026-12-02.5", "27d4c6abaeb70260")


def rules_fingerprint() -> str:
    """sha256 of the rule modules' code (their syntax trees: formatting and comments do not
    count) and of every format's spec."""
    h = hashlib.sha256()
    for name in RULE_MODULES:
        h.update(ast.dump(ast.parse((REPO / name).read_text(encoding="utf-8"))).encode())
    for spec in FORMATS.values():
        h.update(json.dumps(spec.to_json(), ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()[:16]


def test_rules_version_follows_the_rule_code() -> None:
    """Fails when the checks' code changed and RULES_VERSION was not bumped: a stored check
    would otherwise be reused although the new code could say something else."""
    assert (checked.RULES_VERSION, rules_fingerprint()) == PINNED, (
        "the rule modules changed: bump nianbao.core.checked.RULES_VERSION, then set PINNED "
        f"to ({checked.RULES_VERSION!r}, {rules_fingerprint()!r})"
    )


def test_every_rule_module_exists() -> None:
    assert all((REPO / name).is_file() for name in RULE_MODULES)


KEYS = CheckKeys("2019", 2020, ROSTER, {"alpha": {"s3_new_total": Decimal(5)}}, [100])


def test_the_key_changes_with_every_input_it_covers() -> None:
    base = KEYS.of("alpha", "alpha/a.xlsx", "ab" * 32)
    assert base == KEYS.of("alpha", "alpha/a.xlsx", "ab" * 32)
    others = {
        KEYS.of("alpha", "alpha/a.xlsx", "cd" * 32),  # bytes
        KEYS.of("alpha", "alpha/b.xlsx", "ab" * 32),  # file name
        KEYS.of("beta", "alpha/a.xlsx", "ab" * 32),  # unit (and its last year)
        CheckKeys("2021", 2020, ROSTER, KEYS._last, [100]).of("alpha", "alpha/a.xlsx", "ab" * 32),
        CheckKeys("2019", 2021, ROSTER, KEYS._last, [100]).of("alpha", "alpha/a.xlsx", "ab" * 32),
        CheckKeys("2019", 2020, ROSTER[:2], KEYS._last, [100]).of(
            "alpha", "alpha/a.xlsx", "ab" * 32
        ),
        CheckKeys("2019", 2020, ROSTER, {"alpha": {"s3_new_total": Decimal(6)}}, [100]).of(
            "alpha", "alpha/a.xlsx", "ab" * 32
        ),
        CheckKeys("2019", 2020, ROSTER, KEYS._last, [50]).of("alpha", "alpha/a.xlsx", "ab" * 32),
    }
    assert base not in others and len(others) == 8


def test_the_key_changes_with_the_rules_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = KEYS.of("alpha", "alpha/a.xlsx", "ab" * 32)
    monkeypatch.setattr(checked, "RULES_VERSION", "next")
    assert KEYS.of("alpha", "alpha/a.xlsx", "ab" * 32) != before


def _checked(tmp_path: Path) -> list[Submission]:
    """Real workbooks read and checked: accepted, accepted with a warning, rejected (broken
    identity), unreadable, and an older file of alpha (superseded)."""
    alpha, beta, gamma = ROSTER
    figures = unit_figures(5)
    broken = {**figures, "s3_public_natural": figures["s3_public_natural"] + 5}
    files = [
        (alpha, make_workbook(tmp_path / "alpha" / "a.xlsx", alpha, unit_figures(11))),
        (alpha, make_workbook(tmp_path / "alpha" / "old.xlsx", alpha, unit_figures(3))),
        (beta, make_workbook(tmp_path / "beta" / "b.xlsx", beta, broken)),
        (gamma, make_workbook(tmp_path / "gamma" / "g.xlsx", gamma, unit_figures(13), year=2019)),
    ]
    junk = tmp_path / "gamma" / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    files.append((gamma, junk))
    units = {u.code: u for u in ROSTER}
    # a cross-year warning for alpha
    last = {"alpha": dict.fromkeys(last_year_cells(FORMAT_2019), Decimal(999))}
    subs = [
        process_workbook(
            read_workbook(path, unit.code, path.relative_to(tmp_path).as_posix()),
            FORMAT_2019,
            2020,
            units,
            last=last.get(unit.code),
        )
        for unit, path in files
    ]
    return list(consolidate(FORMAT_2019, 2020, ROSTER, subs).submissions)


def test_a_stored_outcome_gives_back_the_same_submission(tmp_path: Path) -> None:
    subs = _checked(tmp_path)
    statuses = {s.status for s in subs}
    assert {Status.ACCEPTED_WITH_WARNINGS, Status.REJECTED, Status.SUPERSEDED} <= statuses
    for sub in subs:
        nonzero = {k: v for k, v in sub.values.items() if v != 0}  # what cell_values holds
        back = restore(
            outcome_json(sub),
            nonzero,
            unit=sub.unit,
            file=sub.file,
            sha256=sub.sha256,
            received_at=sub.received_at,
            format_id=sub.format,
            key="k",
            path=sub.path,
        )
        if sub.status is Status.SUPERSEDED:  # restored as checked, before superseding
            assert sub.findings[-1].code == "duplicate-file"
            sub = replace(sub, status=back.status, findings=sub.findings[:-1])
        assert back == replace(sub, check_key="k")
        assert [str(v) for v in back.values.values()] == [str(v) for v in sub.values.values()]


def test_the_offices_own_template_has_the_packaged_name(tmp_path: Path) -> None:
    """The run's key and the draft look for the office's template at the same place."""
    from nianbao.io.docx.template import TEMPLATE_NAME
    from nianbao.settings import Settings

    assert Settings(root=tmp_path).own_report_template == tmp_path / TEMPLATE_NAME
