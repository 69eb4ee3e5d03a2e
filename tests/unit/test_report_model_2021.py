"""The report draft in the 2021 format: its own 一（一） sentences, tables and 信息处理费."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.model import CycleResult, Status, Submission, Unit
from nianbao.core.report.build import build_report
from nianbao.core.report.data import ReportData
from nianbao.core.report.figures import Figures
from nianbao.core.report.proactive import PROACTIVE
from nianbao.core.report.types import Paragraph, ParagraphKind, Report, TableModel

SPEC = FORMAT_2021
ISSUE = date(2022, 1, 20)

ROSTER = (
    Unit("shibenji", "市本级", "本级"),
    Unit("kouanwei", "口岸委", "部门"),
    Unit("funingzhen", "阜宁镇", "乡镇"),
)

UNIT_CELLS: dict[str, dict[str, str]] = {
    "shibenji": {
        "s2_regulations_in_force": "2",
        "s2_normative_docs_issued": "4",
        "s2_normative_docs_repealed": "1",
        "s2_normative_docs_in_force": "30",
        "s2_licensing_decisions": "5000",
        "s2_penalty_decisions": "300",
        "s2_enforcement_decisions": "4",
        "s2_fees_amount": "12.5",
        "s3_new_natural": "3",
        "s3_new_total": "3",
        "s3_public_natural": "1",
        "s3_public_total": "1",
        "s3_other_overdue_fix_natural": "1",
        "s3_other_overdue_fix_total": "1",
        "s3_other_unpaid_natural": "1",
        "s3_other_unpaid_total": "1",
        "s3_handled_total_natural": "3",
        "s3_handled_total_total": "3",
    },
    "kouanwei": {
        "s2_normative_docs_issued": "1",
        "s2_normative_docs_in_force": "6",
        "s2_licensing_decisions": "120",
        "s3_new_natural": "1",
        "s3_new_total": "1",
        "s3_other_other_natural": "1",
        "s3_other_other_total": "1",
        "s3_handled_total_natural": "1",
        "s3_handled_total_total": "1",
    },
    "funingzhen": {},
}

TEXTS = {
    "shibenji": {"processing_fee": "300", "other_matters": "无"},
    "kouanwei": {"processing_fee": "0"},
    "funingzhen": {"processing_fee": ""},
}


def values(code: str) -> dict[str, Decimal]:
    out = {cid: Decimal(0) for cid in SPEC.cell}
    out.update({cid: Decimal(v) for cid, v in UNIT_CELLS[code].items()})
    return out


def totals() -> dict[str, Decimal]:
    return {cid: sum((values(u)[cid] for u in UNIT_CELLS), Decimal(0)) for cid in SPEC.cell}


def result(texts: dict[str, dict[str, str]] | None = None) -> CycleResult:
    subs = tuple(
        Submission(
            unit=code,
            file=f"{code}.xlsx",
            sha256="0" * 64,
            received_at=datetime(2022, 1, 10, tzinfo=UTC),
            format=SPEC.id,
            status=Status.ACCEPTED,
            values=values(code),
            texts=(TEXTS if texts is None else texts).get(code, {}),
            findings=(),
        )
        for code in UNIT_CELLS
    )
    return CycleResult(2021, SPEC.id, ROSTER, subs, totals())


def report(res: CycleResult | None = None) -> Report:
    return build_report(res or result(), SPEC, "绥芬河市", "绥芬河市人民政府", ISSUE)


def section_text(rep: Report, *titles: str) -> str:
    items = rep.sections
    sec = None
    for title in titles:
        sec = next(s for s in items if s.title == title)
        items = sec.subsections
    assert sec is not None
    return "".join(p.text for p in sec.content if isinstance(p, Paragraph))


def test_2021_proactive_sentences_follow_the_format_cells() -> None:
    text = section_text(report(), "总体情况", "主动公开")
    assert (
        "2021年，制发行政规范性文件5件，废止行政规范性文件1件，"
        "现行有效规章2件、行政规范性文件36件；未制发、废止规章。"
    ) in text
    assert "作出行政许可处理决定5120件。" in text
    assert "作出行政处罚和行政强制处理决定共304件，其中行政处罚300件，行政强制4件。" in text
    assert "本年收取行政事业性收费12.50万元。" in text
    assert not re.search(r"(?<![\d.])0(?:\.0+)?(?:件|项|万元)", text)  # no zero item listed
    for word in ("新制作", "采购", "其他对外管理服务事项", "较上一年"):
        assert word not in text


def test_2021_zero_fees_and_documents_in_words() -> None:
    zeros = dict.fromkeys(SPEC.cell, Decimal(0))
    data = ReportData(2021, {**zeros, "s2_normative_docs_in_force": Decimal(3)})
    texts = [s.text for build in PROACTIVE if (s := build(Figures(SPEC, data))) is not None]
    assert texts == [
        "2021年，现行有效行政规范性文件3件；未制发、废止规章和行政规范性文件，无现行有效的规章。",
        "未作出行政许可处理决定。",
        "未作出行政处罚、行政强制处理决定。",
        "本年未收取行政事业性收费。",
    ]
    fee = next(s for build in PROACTIVE if (s := build(Figures(SPEC, data))) and "收费" in s.text)
    assert [f.ref for f in fee.figures] == ["s2_fees_amount"] and not fee.slots


def test_sentence_definitions_apply_by_the_cells_a_format_has() -> None:
    """Each 一（一） definition yields a sentence for a format exactly when its cells exist."""
    for spec, expected in ((FORMAT_2019, {0, 1, 2, 3, 5}), (FORMAT_2021, {0, 1, 2, 4})):
        data = ReportData(2021, {cid: Decimal(1) for cid in spec.cell})
        fig = Figures(spec, data)
        applied = {i for i, build in enumerate(PROACTIVE) if build(fig) is not None}
        assert applied == expected, spec.id


def test_2021_tables() -> None:
    rep = report()
    s2 = next(t for t in rep.tables if t.key == "s2")
    fee = s2.value_cell("s2_fees_amount")
    assert fee.text == "12.50"  # the header says （单位：万元）
    assert s2.at(fee.row - 1, fee.col).text == "本年收费金额（单位：万元）"  # type: ignore[union-attr]
    assert s2.value_cell("s2_normative_docs_in_force").text == "36"
    s3: TableModel = next(t for t in rep.tables if t.key == "s3")
    assert (s3.rows, s3.cols) == (28, 10)
    labels = [c.text for c in s3.cells if c.col == 1 and c.role.value == "row"]
    assert "（六）其他处理" in labels
    other = s3.value_cell("s3_other_unpaid_total")
    label = s3.at(other.row, 2)
    assert label is not None and label.text.startswith("2.申请人逾期未按收费通知要求缴纳费用")
    assert s3.value_cell("s3_handled_total_total").text == "4"


def test_2021_applications_name_the_other_outcomes() -> None:
    text = section_text(report(), "总体情况", "依申请公开")
    assert "2021年共收到政府信息公开申请4项，其中市本级3项，口岸委1项。" in text
    assert "本年度办理4件，其中予以公开1件，其他处理3件。" in text


def test_processing_fee_summed_in_section_six() -> None:
    rep = report()
    text = section_text(rep, "其他需要报告的事项")
    assert text == "本年度共收取信息处理费300元，其中市本级300元。"
    fee = next(s for s in rep.sentences if "信息处理费" in s.text)
    assert not all(f.from_database for f in fee.figures)  # units' texts, not stored cells
    assert fee.figures[0].ref == "#processing_fee"


def test_no_processing_fee_reads_naturally() -> None:
    rep = report(result({"shibenji": {"processing_fee": "0"}}))
    assert section_text(rep, "其他需要报告的事项") == "本年度未收取信息处理费。"


def test_processing_fee_with_unit_narrative() -> None:
    texts = {**TEXTS, "kouanwei": {"processing_fee": "50.5", "other_matters": "口岸开放情况。"}}
    rep = report(result(texts))
    sec = next(s for s in rep.sections if s.title == "其他需要报告的事项")
    paras = [p.text for p in sec.content if isinstance(p, Paragraph)]
    assert paras[0] == "本年度共收取信息处理费350.5元，其中市本级300元，口岸委50.5元。"
    assert paras[1].startswith("【待填写：")
    assert paras[2] == "【口岸委】口岸开放情况。"


def test_2019_format_has_no_processing_fee_sentence() -> None:
    from tests.unit.test_report_model import report as report_2019

    generated = [p.text for p in report_2019().paragraphs if p.kind is ParagraphKind.TEXT]
    assert not any("信息处理费" in t for t in generated)


def test_2021_intro_names_the_2021_notice() -> None:
    assert "国办公开办函〔2021〕30号" in report().intro.text
    assert "《中华人民共和国政府信息公开工作年度报告格式》" in report().intro.text
