"""The report's outline and the entry points: which sections, in which order, from what."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from nianbao.core.model import CycleResult
from nianbao.core.report.applications import applications
from nianbao.core.report.data import ReportData, report_data
from nianbao.core.report.figures import Figures
from nianbao.core.report.headings import Draft, number_sections
from nianbao.core.report.notice import incomplete_notice
from nianbao.core.report.proactive import proactive
from nianbao.core.report.tables import build_table
from nianbao.core.report.types import Report, Signature
from nianbao.core.report.unit_texts import other_matters, problems
from nianbao.core.report.wording import placeholder, strip_number, wording
from nianbao.core.spec import FormatSpec


def _overview(fig: Figures) -> Draft:
    return Draft(
        "总体情况",
        (
            placeholder("overview"),
            Draft("主动公开", (placeholder("proactive"), proactive(fig))),
            Draft("依申请公开", (applications(fig),)),
            Draft("政府信息管理", (placeholder("management"),)),
            Draft("政府信息公开平台建设", (placeholder("platform"),)),
            Draft("监督保障", (placeholder("supervision"),)),
        ),
    )


def _fields(spec: FormatSpec, region: str, year: int, parts: Iterable[str]) -> dict[str, str]:
    listed = [p.replace("、", "") for p in parts]
    return {
        "地区": region,
        "年度": str(year),
        "格式名称": spec.title,
        "文号": spec.notice,
        "组成部分": "、".join(listed),
        "部分数": str(len(listed)),
    }


def build_report_from(
    data: ReportData, spec: FormatSpec, region: str, issuer: str, issue_date: date
) -> Report:
    """The consolidated report draft from its input."""
    fig = Figures(spec, data)
    drafts = [
        _overview(fig),
        *(
            Draft(strip_number(t.title), (build_table(spec, t.key, data.totals),))
            for t in spec.tables
        ),
        problems(spec, data),
        other_matters(fig),
    ]
    sections = number_sections(drafts)
    fields = _fields(spec, region, data.year, [s.title for s in sections])
    return Report(
        region=region,
        year=data.year,
        format=spec.id,
        title=f"{region}{data.year}年政府信息公开工作年度报告",
        intro=wording("intro", fields),
        sections=sections,
        signature=Signature(issuer, issue_date),
        fields=fields,
        not_included=data.not_included,
        notice=incomplete_notice(data.not_included),
    )


def build_report(
    result: CycleResult,
    spec: FormatSpec,
    region: str,
    issuer: str,
    issue_date: date,
    last_totals: Mapping[str, Decimal] | None = None,
    group_level: int = 0,
) -> Report:
    """The consolidated report draft of a cycle (year-on-year changes with ``last_totals``;
    per-unit sentences at ``group_level`` of the roster's tree)."""
    data = report_data(result, last_totals, group_level)
    return build_report_from(data, spec, region, issuer, issue_date)
