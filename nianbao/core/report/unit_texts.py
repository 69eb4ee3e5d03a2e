"""五 and 六: the units' own texts gathered under a placeholder, and the numeric text fields
the units return (信息处理费) stated summed."""

from __future__ import annotations

from decimal import Decimal

from nianbao.core.numbers import to_decimal
from nianbao.core.report.data import ReportData
from nianbao.core.report.figures import Figures
from nianbao.core.report.headings import Draft
from nianbao.core.report.sentence import Implied, Part, as_count, sentence
from nianbao.core.report.types import Figure, Paragraph, ParagraphKind, Ref, Sentence
from nianbao.core.report.wording import placeholder, wording
from nianbao.core.spec import FormatSpec

_EMPTY_TEXTS = frozenset({"无", "暂无", "没有", "无其他需要报告的事项"})

# Numeric text fields the units return, stated in 六 summed: (total, none) wording.
TEXT_SUMS = {"processing_fee": ("本年度共收取信息处理费", "未收取信息处理费")}


def _meaningful(text: str | None) -> str:
    text = (text or "").strip()
    return "" if text.rstrip("。.") in _EMPTY_TEXTS else text


def _unit_drafts(data: ReportData, key: str) -> list[Paragraph]:
    """Units' own texts for a text field, one paragraph per line, marked 【单位】."""
    out = []
    for unit in data.units:
        lines = [ln.strip() for ln in _meaningful(unit.texts.get(key)).splitlines() if ln.strip()]
        for i, line in enumerate(lines):
            marked = f"【{unit.name}】{line}" if i == 0 else line
            out.append(Paragraph((Sentence(marked),), ParagraphKind.DRAFT))
    return out


def _text_label(spec: FormatSpec, key: str, default: str) -> str:
    return next((t.label for t in spec.texts if t.key == key), default)


def _text_sums(fig: Figures) -> list[Paragraph]:
    """``本年度共收取信息处理费X元，其中…`` for each numeric text field the format has."""
    spec, data = fig.spec, fig.data
    out = []
    for tf in spec.texts:
        if tf.key not in TEXT_SUMS or tf.type is None:
            continue
        lead, none = TEXT_SUMS[tf.key]
        unit = tf.unit or ""
        per_unit = [(u, to_decimal(u.texts.get(tf.key, "")) or Decimal(0)) for u in data.units]
        total = Figure((Ref(tf.key, text=True),), sum((v for _, v in per_unit), Decimal(0)))
        if not total.value:
            out.append(Paragraph((sentence("本年度", fig.nil(none), "。", Implied(total)),)))
            continue
        parts: list[Part] = [lead, as_count(total), unit]
        for u, v in per_unit:
            if v:
                f = Figure((Ref(tf.key, unit=u.code, text=True),), v)
                parts += ["，其中" if len(parts) == 3 else "，", u.name, as_count(f), unit]
        out.append(Paragraph((sentence(*parts, "。"),)))
    return out


def problems(spec: FormatSpec, data: ReportData) -> Draft:
    """五: a placeholder, and the units' texts on their problems when there are any."""
    drafts = _unit_drafts(data, "problems")
    title = _text_label(spec, "problems", "存在的主要问题及改进情况")
    if not drafts:
        return Draft(title, (placeholder("problems"),))
    return Draft(title, (placeholder("problems_units"), *drafts))


def other_matters(fig: Figures) -> Draft:
    """六: the summed text fields, then the units' other matters (or 无。)."""
    spec, data = fig.spec, fig.data
    title = _text_label(spec, "other_matters", "其他需要报告的事项")
    sums = _text_sums(fig)
    drafts = _unit_drafts(data, "other_matters")
    if drafts:
        return Draft(title, (*sums, placeholder("other_units"), *drafts))
    return Draft(title, tuple(sums) or (wording("nothing"),))
