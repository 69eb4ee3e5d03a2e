"""From raw workbooks to validated submissions and consolidated city totals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from nianbao.core.findings import Finding, has_errors
from nianbao.core.layout import META_SHEET
from nianbao.core.model import CycleResult, RawWorkbook, Status, Submission, Unit
from nianbao.core.parse import Extracted, extract, read_meta
from nianbao.core.spec import FormatSpec, Severity
from nianbao.core.validate import check_identities, derive, validate_values

DEFAULT_MAX_FINDINGS = 100


def _identify(
    raw: RawWorkbook, spec: FormatSpec, year: int, units: dict[str, Unit], meta: dict[str, str]
) -> list[Finding]:
    """Findings on who and what the workbook claims to be."""
    if not meta.get("unit_code"):
        return [Finding("metadata-missing", sheet=META_SHEET)]
    out = []
    code = meta["unit_code"]
    if code != raw.unit_folder:
        owner = units.get(code)
        out.append(
            Finding(
                "wrong-unit-folder",
                expected=f"{owner.name if owner else meta.get('unit_name', '')}（{code}）",
                actual=f"{units[raw.unit_folder].name}（{raw.unit_folder}）",
            )
        )
    if meta.get("year") != str(year):
        out.append(Finding("wrong-year", expected=str(year), actual=meta.get("year", "")))
    if meta.get("format") != spec.id:
        out.append(
            Finding(
                "format-mismatch", expected=f"{spec.id}年版", actual=f"{meta.get('format')}年版"
            )
        )
    return out


def _cap(findings: list[Finding], limit: int) -> list[Finding]:
    if len(findings) <= limit:
        return findings
    return [*findings[:limit], Finding("too-many-findings", expected=str(limit))]


def process_workbook(
    raw: RawWorkbook,
    spec: FormatSpec,
    year: int,
    units: dict[str, Unit],
    max_findings: int = DEFAULT_MAX_FINDINGS,
) -> Submission:
    """Validate one unit's workbook; every finding is collected, none raised."""
    texts: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    if raw.error is not None:
        findings = [Finding("file-unreadable", actual=raw.error)]
    else:
        meta = read_meta(raw.grids)
        findings = _identify(raw, spec, year, units, meta)
        if not findings:
            extracted = Extracted()
            findings += extract(spec, raw.grids, extracted)
            checked, more = validate_values(spec, extracted.values)
            findings += more
            values = {k: v for k, v in checked.items() if v is not None}
            texts = extracted.texts
    findings = _cap(findings, max_findings)
    findings = [replace(f, unit=raw.unit_folder, file=raw.file) for f in findings]
    if has_errors(findings):
        status = Status.REJECTED
    elif findings:
        status = Status.ACCEPTED_WITH_WARNINGS
    else:
        status = Status.ACCEPTED
    return Submission(
        unit=raw.unit_folder,
        file=raw.file,
        sha256=raw.sha256,
        received_at=raw.received_at,
        format=spec.id,
        status=status,
        values=values,
        texts=texts,
        findings=tuple(findings),
    )


def supersede(submissions: Iterable[Submission]) -> list[Submission]:
    """Keep each unit's newest file current; older ones become 已被替代."""
    subs = list(submissions)
    newest: dict[str, Submission] = {}
    for s in subs:
        cur = newest.get(s.unit)
        if cur is None or (s.received_at, s.file) > (cur.received_at, cur.file):
            newest[s.unit] = s
    out = []
    for s in subs:
        if newest[s.unit] is s:
            out.append(s)
        else:
            dup = Finding(
                "duplicate-file",
                unit=s.unit,
                file=s.file,
                expected=newest[s.unit].file,
                actual=s.file,
            )
            out.append(replace(s, status=Status.SUPERSEDED, findings=(*s.findings, dup)))
    return out


def add_up(spec: FormatSpec, parts: Sequence[dict[str, Decimal]]) -> dict[str, Decimal]:
    """Cell-wise sum of complete unit figures (zero when there are none)."""
    return {c.id: sum((p[c.id] for p in parts), Decimal(0)) for c in spec.cells}


def consolidate(
    spec: FormatSpec,
    year: int,
    roster: tuple[Unit, ...],
    submissions: Iterable[Submission],
    findings: Iterable[Finding] = (),
) -> CycleResult:
    """City totals over accepted submissions, with identities re-checked on the totals."""
    order = {u.code: i for i, u in enumerate(roster)}
    subs = sorted(supersede(submissions), key=lambda s: (order.get(s.unit, len(order)), s.file))
    accepted = [s.values for s in subs if s.status.accepted]
    totals = add_up(spec, accepted)
    recomputed: dict[str, Decimal | None] = {k: totals[k] for k in spec.inputs}
    derive(spec, recomputed)
    total_findings = [
        *check_identities(spec, recomputed),
        *(
            Finding("total-mismatch", cell=cid, expected=str(v), actual=str(totals[cid]))
            for cid, v in recomputed.items()
            if v != totals[cid]
        ),
    ]
    return CycleResult(
        year=year,
        format=spec.id,
        roster=roster,
        submissions=tuple(subs),
        totals=totals,
        findings=(*findings, *total_findings),
    )


def severity_counts(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    fs = list(findings)
    errors = sum(f.severity is Severity.ERROR for f in fs)
    return errors, len(fs) - errors
