"""A validated submission as the validation cache keeps it, and the key of what it read.

A file is checked again only when something its check reads has changed. ``check_key``
names all of it: the file's bytes (sha256) and display name, the unit's folder, the roster
(a file may claim another unit's code), the cycle's year and format, the findings cap, the
read bounds, the unit's figures of last year (the cross-year rules) and ``RULES_VERSION``.
``RULES_VERSION`` stands for the code of the checks: bump it whenever what a workbook's
check produces may change (``tests/unit/test_checked.py`` pins a fingerprint of the rule
modules' code and fails until it is bumped).

``outcome_json`` / ``restore`` turn a submission's outcome (status, texts, findings, which
cells it has) into stored JSON and back; its figures are kept in ``cell_values``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import astuple, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from nianbao.core.findings import Finding, has_errors
from nianbao.core.formats import FORMATS
from nianbao.core.model import Status, Submission, Unit

RULES_VERSION = "2026-12-02.5"
DUPLICATE = "duplicate-file"  # the finding ``supersede`` appends to an older file

_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_UNIT_FIELDS = tuple(f.name for f in fields(Unit))


def digest(payload: object) -> str:
    """sha256 of ``payload`` as compact JSON (strings for anything JSON has not)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def unit_fields(unit: Unit) -> list[str]:
    """A unit's fields in order, as ``astuple`` gives them (read directly: ``astuple``
    deep-copies, 0.35 s for a roster of 10,000 units)."""
    return [getattr(unit, name) for name in _UNIT_FIELDS]


def roster_digest(roster: Iterable[Unit]) -> str:
    """Identity of a roster: every unit's fields, in order."""
    return digest([unit_fields(u) for u in roster])


def figures_digest(figures: Mapping[str, Decimal] | None) -> str:
    """Identity of one unit's figures of last year (empty when it had none)."""
    return digest(sorted((k, str(v)) for k, v in (figures or {}).items()))


def check_key(
    sha256: str,
    display: str,
    unit: str,
    format_id: str,
    year: int,
    roster: str,
    last: str,
    settings: object,
) -> str:
    """The key of one file's check: everything it reads (``roster`` and ``last`` are
    ``roster_digest`` and ``figures_digest``; ``settings`` the findings cap and bounds)."""
    return digest([RULES_VERSION, sha256, display, unit, format_id, year, roster, last, settings])


def status_of(findings: Iterable[Finding]) -> Status:
    """A checked file's status from its findings."""
    found = tuple(findings)
    if has_errors(found):
        return Status.REJECTED
    return Status.ACCEPTED_WITH_WARNINGS if found else Status.ACCEPTED


def _finding(row: list[Any]) -> Finding:
    kw: dict[str, Any] = {
        name: tuple(v) if isinstance(v, list) else v
        for name, v in zip(_FINDING_FIELDS, row, strict=True)
    }
    return Finding(**kw)


def outcome_json(sub: Submission) -> str:
    """The check's own outcome of ``sub`` (a superseded file's without the supersede note):
    texts, findings, the report year it claims when not the cycle's and, when not every
    cell of its format, the cells it has."""
    findings = list(sub.findings)
    if sub.status is Status.SUPERSEDED and findings and findings[-1].code == DUPLICATE:
        findings.pop()
    spec = FORMATS.get(sub.format)
    every = spec is not None and list(sub.values) == [c.id for c in spec.cells]
    doc = {
        "texts": sub.texts,
        "findings": [list(astuple(f)) for f in findings],
        "cells": None if every else list(sub.values),
        "other_year": sub.other_year,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def restore(
    outcome: str,
    nonzero: Mapping[str, Decimal],
    *,
    unit: str,
    file: str,
    sha256: str,
    received_at: datetime,
    format_id: str,
    key: str,
    path: bytes,
) -> Submission:
    """The submission a check with this stored ``outcome`` and figures (``nonzero``: the
    stored ones; every other cell it has is 0) gave."""
    doc = json.loads(outcome)
    findings = tuple(_finding(row) for row in doc["findings"])
    cells = doc["cells"]
    if cells is None:
        cells = list(FORMATS[format_id].cell)  # every cell id, in order
    values = dict.fromkeys(cells, Decimal(0))  # every cell it has, in order; then
    values.update(nonzero)  # the stored ones (~10x faster than a lookup per cell)
    if len(values) != len(cells):  # a stored figure of a cell it has not: not its figure
        values = {c: values[c] for c in cells}
    return Submission(
        unit=unit,
        file=file,
        sha256=sha256,
        received_at=received_at,
        format=format_id,
        status=status_of(findings),
        values=values,
        texts=doc["texts"],
        findings=findings,
        other_year=doc["other_year"],
        path=path,
        check_key=key,
    )


def keyed(sub: Submission, key: str) -> Submission:
    """``sub`` carrying the key of the check that made it."""
    return replace(sub, check_key=key)


class CheckKeys:
    """``check_key`` for the files of one run: what they share computed once."""

    def __init__(
        self,
        format_id: str,
        year: int,
        roster: Iterable[Unit],
        last: Mapping[str, Mapping[str, Decimal]],
        settings: object,
    ) -> None:
        self._shared = (format_id, year, roster_digest(roster))
        self._last = last
        self._settings = settings

    def of(self, unit: str, display: str, sha256: str) -> str:
        """The key of checking the file ``display`` of ``unit`` with these bytes."""
        last = figures_digest(self._last.get(unit))
        return check_key(sha256, display, unit, *self._shared, last, self._settings)
