"""The report draft model: generated sentences, numbering, tables and figure references."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from nianbao.core.formats.f2019 import FORMAT_2019
from nianbao.core.model import CycleResult, Status, Submission, Unit
from nianbao.core.report.build import build_report
from nianbao.core.report.data import ReportData, UnitGap
from nianbao.core.report.figures import Figures
from nianbao.core.report.formatting import count_text, money_text, signed_text
from nianbao.core.report.proactive import PROACTIVE
from nianbao.core.report.types import (
    CellRole,
    Figure,
    Paragraph,
    ParagraphKind,
    Report,
    Section,
    Sentence,
    TableModel,
)

SPEC = FORMAT_2019
ISSUE = date(2021, 1, 25)

ROSTER = (
    Unit("shibenji", "市本级", "本级"),
    Unit("kouanwei", "口岸委", "部门"),
    Unit("jiaoyuju", "教育局", "部门"),  # accepted, no applications: omitted
    Unit("zrzyj", "自然资源局", "部门"),
    Unit("weijianju", "卫健局", "部门"),  # rejected: not counted
    Unit("minzhengju", "民政局", "部门"),  # sent nothing
    Unit("funingzhen", "阜宁镇", "乡镇"),
)

# Each unit's non-zero cells, derived 总计 cells included (values as the reader stores them).
UNIT_CELLS: dict[str, dict[str, str]] = {
    "shibenji": {
        "s2_normative_docs_made": "6",
        "s2_normative_docs_published": "6",
        "s2_normative_docs_total": "6",
        "s2_licensing_prev_items": "300",
        "s2_licensing_change": "-80",
        "s2_licensing_decisions": "60000",
        "s2_other_services_prev_items": "70",
        "s2_other_services_change": "20",
        "s2_other_services_decisions": "19000",
        "s2_penalty_decisions": "470",
        "s2_enforcement_decisions": "3",
        "s2_fees_prev_items": "68",
        "s2_fees_change": "-1",
        "s2_procurement_items": "100",
        "s2_procurement_amount": "2000.0000",
        "s3_new_natural": "4.0000",
        "s3_new_commercial": "1",
        "s3_new_total": "5.0000",
        "s3_public_natural": "4",
        "s3_public_total": "4",
        "s3_partial_commercial": "1",
        "s3_partial_total": "1",
        "s3_handled_total_natural": "4",
        "s3_handled_total_commercial": "1",
        "s3_handled_total_total": "5",
        "s4_suit_after_review_pending": "1",
        "s4_suit_after_review_total": "1",
    },
    "kouanwei": {
        "s2_normative_docs_made": "5",
        "s2_normative_docs_published": "5",
        "s2_normative_docs_total": "5",
        "s2_licensing_prev_items": "5",
        "s2_licensing_change": "6",
        "s2_licensing_decisions": "3407",
        "s2_other_services_prev_items": "1",
        "s2_other_services_change": "1",
        "s2_other_services_decisions": "36",
        "s2_penalty_decisions": "2",
        "s2_procurement_items": "21",
        "s2_procurement_amount": "911.1400",
        "s3_new_natural": "2",
        "s3_new_total": "2",
        "s3_public_natural": "1",
        "s3_public_total": "1",
        "s3_deny_secret_natural": "1",
        "s3_deny_secret_total": "1",
        "s3_handled_total_natural": "2",
        "s3_handled_total_total": "2",
        "s4_review_corrected": "1",
        "s4_review_total": "1",
    },
    "jiaoyuju": {"s2_licensing_decisions": "0"},
    "zrzyj": {
        "s3_new_natural": "3",
        "s3_new_total": "3",
        "s3_public_natural": "2",
        "s3_public_total": "2",
        "s3_handled_total_natural": "2",
        "s3_handled_total_total": "2",
        "s3_carried_out_natural": "1",
        "s3_carried_out_total": "1",
    },
    "weijianju": {"s3_new_natural": "7", "s3_new_total": "7"},
    "funingzhen": {
        "s3_new_natural": "1",
        "s3_new_total": "1",
        "s3_public_natural": "1",
        "s3_public_total": "1",
        "s3_handled_total_natural": "1",
        "s3_handled_total_total": "1",
    },
}

TEXTS: dict[str, dict[str, str]] = {
    "shibenji": {
        "problems": "一是公开意识有待增强。\n\n二是平台建设有待加强。",
        "other_matters": "无",
    },
    "kouanwei": {"problems": "无。", "other_matters": "未收取信息处理费。"},
    "zrzyj": {"problems": "公开内容不够全面。", "other_matters": ""},
    "funingzhen": {},
    "jiaoyuju": {"problems": "暂无"},
    "weijianju": {"problems": "不应出现的文字。"},
}

ACCEPTED = ("shibenji", "kouanwei", "jiaoyuju", "zrzyj", "funingzhen")


def unit_values(code: str) -> dict[str, Decimal]:
    """All cells of a unit: the listed ones, every other cell 0."""
    values = {cid: Decimal(0) for cid in SPEC.cell}
    values.update({cid: Decimal(v) for cid, v in UNIT_CELLS[code].items()})
    return values


def expected_totals() -> dict[str, Decimal]:
    """Cell-wise sums over the accepted units."""
    return {
        cid: sum((Decimal(UNIT_CELLS[u].get(cid, "0")) for u in ACCEPTED), Decimal(0))
        for cid in SPEC.cell
    }


def submission(code: str, status: Status = Status.ACCEPTED) -> Submission:
    return Submission(
        unit=code,
        file=f"{code}.xlsx",
        sha256="0" * 64,
        received_at=datetime(2021, 1, 10, tzinfo=UTC),
        format=SPEC.id,
        status=status,
        values=unit_values(code),
        texts=TEXTS.get(code, {}),
        findings=(),
    )


def cycle_result(complete: bool = True) -> CycleResult:
    """The five accepted units, or (not ``complete``) seven roster units of which one was
    rejected and one sent nothing; submissions deliberately not in roster order."""
    subs = (
        submission("funingzhen"),
        submission("zrzyj"),
        *([] if complete else [submission("weijianju", Status.REJECTED)]),
        submission("kouanwei", Status.ACCEPTED_WITH_WARNINGS),
        submission("jiaoyuju"),
        submission("shibenji"),
    )
    roster = tuple(u for u in ROSTER if u.code in ACCEPTED) if complete else ROSTER
    return CycleResult(2020, SPEC.id, roster, subs, expected_totals())


def report(result: CycleResult | None = None, last: dict[str, Decimal] | None = None) -> Report:
    result = result or cycle_result()
    return build_report(result, SPEC, "绥芬河市", "绥芬河市人民政府", ISSUE, last)


def section(rep: Report, *path: str) -> Section:
    """A section by its titles, e.g. ``section(rep, "总体情况", "依申请公开")``."""
    items: Iterable[Section] = rep.sections
    found: Section | None = None
    for title in path:
        found = next(s for s in items if s.title == title)
        items = found.subsections
    assert found is not None
    return found


def texts(sec: Section) -> list[str]:
    return [p.text for p in sec.content if isinstance(p, Paragraph)]


def table(rep: Report, key: str) -> TableModel:
    return next(t for t in rep.tables if t.key == key)


# ---------------------------------------------------------------- structure


def test_title_intro_and_signature() -> None:
    rep = report()
    assert rep.title == "绥芬河市2020年政府信息公开工作年度报告"
    intro = rep.intro.text
    assert "《中华人民共和国政府信息公开条例》" in intro
    assert "国办公开办函〔2019〕60号" in intro
    assert (
        "由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项6个部分组成"
    ) in intro
    assert "统计时限为2020年1月1日至2020年12月31日" in intro
    assert rep.signature.issuer == "绥芬河市人民政府"
    assert rep.signature.date_text == "2021年1月25日"


def test_sections_and_subheads() -> None:
    rep = report()
    assert [s.heading for s in rep.sections] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert [s.heading for s in rep.sections[0].subsections] == [
        "（一）主动公开",
        "（二）依申请公开",
        "（三）政府信息管理",
        "（四）政府信息公开平台建设",
        "（五）监督保障",
    ]


def test_heading_numbers_never_repeat_under_a_parent() -> None:
    formats = {1: "一、", 2: "（一）"}

    def check(siblings: tuple[Section, ...], level: int) -> None:
        numbers = [s.number for s in siblings]
        assert len(numbers) == len(set(numbers)), numbers
        for s in siblings:
            assert s.level == level
            check(s.subsections, level + 1)

    rep = report()
    check(rep.sections, 1)
    for level, first in formats.items():
        heads = rep.sections if level == 1 else rep.sections[0].subsections
        assert heads[0].number == first


def test_tables_follow_their_headings() -> None:
    rep = report()
    for sec, key in zip(rep.sections[1:4], ("s2", "s3", "s4"), strict=True):
        assert len(sec.content) == 1
        assert isinstance(sec.content[0], TableModel)
        assert sec.content[0].key == key


def test_placeholders_for_text_only_people_can_write() -> None:
    rep = report()
    for path in (
        ("总体情况",),
        ("总体情况", "主动公开"),
        ("总体情况", "政府信息管理"),
        ("总体情况", "政府信息公开平台建设"),
        ("总体情况", "监督保障"),
    ):
        paras = [p for p in section(rep, *path).content if isinstance(p, Paragraph)]
        holders = [p for p in paras if p.kind is ParagraphKind.PLACEHOLDER]
        assert holders, path
        for p in holders:
            assert p.text.startswith("【待填写：") and p.text.endswith("】")


# ---------------------------------------------------------------- generated sentences


def test_application_breakdown_in_roster_order_without_zero_units() -> None:
    (para,) = texts(section(report(cycle_result(complete=False)), "总体情况", "依申请公开"))
    assert "2020年共收到政府信息公开申请11项" in para
    assert "其中市本级5项，口岸委2项，自然资源局3项，阜宁镇1项。" in para
    assert "教育局" not in para  # 0 applications
    assert "卫健局" not in para  # rejected


def test_application_outcomes_and_reviews() -> None:
    (para,) = texts(section(report(), "总体情况", "依申请公开"))
    assert "本年度办理10件，其中予以公开8件，部分公开1件，不予公开1件。" in para
    assert "无法提供" not in para and "不予处理" not in para
    assert "结转下年度继续办理1件。" in para
    assert "发生政府信息公开行政复议1件，其中结果纠正1件。" in para
    assert "发生政府信息公开行政诉讼1件，其中复议后起诉1件（尚未审结1件）。" in para


def test_proactive_sentences() -> None:
    paras = texts(section(report(), "总体情况", "主动公开"))
    text = "".join(paras)
    assert (
        "2020年，新制作规范性文件11件，新公开规范性文件11件，对外公开规范性文件11件；"
        "未新制作、新公开规章，无对外公开的规章。"
    ) in text
    assert "作出行政许可处理决定63407件，其他对外管理服务事项处理决定19036件。" in text
    assert "作出行政处罚和行政强制处理决定共475件，其中行政处罚472件，行政强制3件。" in text
    assert "行政事业性收费项目67项，较上一年减少1项。" in text
    assert "政府集中采购项目121项，采购总金额2911.14万元。" in text
    assert not re.search(r"(?<![\d.])0(?:\.0+)?(?:件|项|万元)", text)  # no zero item listed


def proactive_of(totals: dict[str, Decimal], complete: bool = True) -> list[Sentence]:
    """一（一）'s sentences for totals (the other cells 0)."""
    values = {cid: totals.get(cid, Decimal(0)) for cid in SPEC.cell}
    gaps = () if complete else (UnitGap("minzhengju", "民政局", Status.MISSING),)
    data = ReportData(2020, values, not_included=gaps)
    return [s for build in PROACTIVE if (s := build(Figures(SPEC, data))) is not None]


def test_zero_items_are_left_out_of_enumerations_and_said_in_words() -> None:
    one = Decimal(1)
    sentences = proactive_of(
        {"s2_regulations_made": Decimal(2), "s2_penalty_decisions": Decimal(9)}
    )
    assert [s.text for s in sentences] == [
        "2020年，新制作规章2件；未新制作规范性文件，未新公开规章和规范性文件，"
        "无对外公开的规章和规范性文件。",
        "未作出行政许可、其他对外管理服务事项处理决定。",
        "作出行政处罚处理决定9件，未作出行政强制处理决定。",
        "无行政事业性收费项目，与上一年持平。",
        "未开展政府集中采购。",
    ]
    documents = sentences[0]
    assert [f.ref for f in documents.figures if f.value == 0] == [
        "s2_normative_docs_made",
        "s2_regulations_published",
        "s2_normative_docs_published",
        "s2_regulations_total",
        "s2_normative_docs_total",
    ]  # every zero left out is still a figure of its sentence, stated by the wording
    assert [documents.text[a:b] for a, b, _ in documents.slots] == ["2"]
    fees = proactive_of({"s2_fees_prev_items": one, "s2_fees_change": -one})[3]
    assert fees.text == "无行政事业性收费项目，较上一年减少1项。"


def test_zero_statements_are_qualified_while_units_are_missing() -> None:
    sentences = proactive_of({"s2_regulations_made": Decimal(2)}, complete=False)
    assert sentences[0].text.startswith("2020年，新制作规章2件；已汇总的单位均未新制作规范性文件")
    assert sentences[4].text == "已汇总的单位均未开展政府集中采购。"
    assert all("已汇总的单位均未" in s.text or "已汇总的单位均无" in s.text for s in sentences)


def resolve(fig: Figure, result: CycleResult, last: dict[str, Decimal] | None = None) -> Decimal:
    """A figure's value recomputed from its references."""
    totals, value = expected_totals(), Decimal(0)
    for ref in fig.refs:
        assert ref.cell in SPEC.cell, fig
        assert not ref.text, fig
        if ref.last_year:
            assert last is not None and ref.unit is None
            term = last[ref.cell]
        else:
            term = totals[ref.cell] if ref.unit is None else result.breakdown[ref.unit][ref.cell]
        value += ref.sign * term
    return value


def test_every_figure_resolves_to_its_cells() -> None:
    result = cycle_result()
    rep = report(result)
    assert rep.figures
    for fig in rep.figures:
        assert resolve(fig, result) == fig.value, fig
    refs = {f.ref: f.value for f in rep.figures}
    assert refs["shibenji:s3_new_total"] == 5
    assert refs["s2_penalty_decisions+s2_enforcement_decisions"] == 475
    assert refs["s2_procurement_amount"] == Decimal("2911.14")


def test_nothing_to_report_reads_naturally() -> None:
    zeros = {cid: Decimal(0) for cid in SPEC.cell}
    roster = tuple(u for u in ROSTER if u.code in ACCEPTED)
    subs = tuple(replace(submission(code), values=zeros, texts={}) for code in ACCEPTED)
    rep = report(CycleResult(2020, SPEC.id, roster, subs, zeros))
    assert rep.notice is None
    (para,) = texts(section(rep, "总体情况", "依申请公开"))
    assert para == "2020年未收到政府信息公开申请。未发生政府信息公开行政复议、行政诉讼案件。"
    assert texts(section(rep, "其他需要报告的事项")) == ["无。"]
    problems = section(rep, "存在的主要问题及改进情况").content
    assert [p.kind for p in problems if isinstance(p, Paragraph)] == [ParagraphKind.PLACEHOLDER]


# ---------------------------------------------------------------- sections 五 and 六


def test_problems_gather_unit_texts_under_a_placeholder() -> None:
    paras = [
        p for p in section(report(), "存在的主要问题及改进情况").content if isinstance(p, Paragraph)
    ]
    assert paras[0].kind is ParagraphKind.PLACEHOLDER
    assert [p.text for p in paras[1:]] == [
        "【市本级】一是公开意识有待增强。",
        "二是平台建设有待加强。",
        "【自然资源局】公开内容不够全面。",
    ]
    assert all(p.kind is ParagraphKind.DRAFT for p in paras[1:])


def test_other_matters_gather_unit_texts() -> None:
    paras = texts(section(report(), "其他需要报告的事项"))
    assert paras[0].startswith("【待填写：")
    assert paras[1:] == ["【口岸委】未收取信息处理费。"]


# ---------------------------------------------------------------- tables


def test_table_values_are_formatted_by_type() -> None:
    rep = report()
    s2, s3, s4 = table(rep, "s2"), table(rep, "s3"), table(rep, "s4")
    assert s2.value_cell("s2_licensing_change").text == "-74"
    assert s2.value_cell("s2_other_services_change").text == "+21"
    assert s2.value_cell("s2_fees_change").text == "-1"
    assert s2.value_cell("s2_regulations_made").text == "0"
    assert s2.value_cell("s2_procurement_amount").text == "2911.14万元"
    assert s2.value_cell("s2_licensing_decisions").text == "63407"
    assert s3.value_cell("s3_new_total").text == "11"
    assert s3.value_cell("s3_handled_total_total").text == "10"
    assert s4.value_cell("s4_review_corrected").text == "1"


def test_table_positions_and_spans() -> None:
    s3 = table(report(), "s3")
    assert (s3.rows, s3.cols, s3.label_cols) == (26, 10, 3)
    corner = s3.at(0, 0)
    assert corner is not None and corner.role is CellRole.CORNER
    assert (corner.row_span, corner.col_span) == (3, 3)
    assert corner.text.startswith("（本列数据的勾稽关系为")
    applicant = s3.at(0, 9)
    assert applicant is not None and applicant.text == "申请人情况"
    assert (applicant.col, applicant.col_span) == (3, 7)
    total = s3.value_cell("s3_handled_total_total")
    label = s3.at(total.row, 1)
    assert label is not None and label.text == "（七）总计"
    assert s3.at(total.row - 1, 9) == s3.value_cell("s3_other_total")

    s2 = table(report(), "s2")
    fees = s2.value_cell("s2_fees_change")
    assert (fees.col, fees.col_span) == (2, 2)  # stretched under its stretched header
    s4 = table(report(), "s4")
    assert (s4.rows, s4.cols, s4.label_cols) == (4, 15, 0)
    review = s4.at(0, 0)
    assert review is not None and review.text == "行政复议"
    assert (review.row_span, review.col_span) == (2, 5)


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "text"),
    [("11.0000", "11"), ("0", "0"), ("63407", "63407"), ("100", "100")],
)
def test_count_text(value: str, text: str) -> None:
    assert count_text(Decimal(value)) == text


@pytest.mark.parametrize(
    ("value", "text"), [("21", "+21"), ("-74.0000", "-74"), ("0", "0"), ("-0", "0")]
)
def test_signed_text(value: str, text: str) -> None:
    assert signed_text(Decimal(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [("2911.1400", "2911.14万元"), ("100", "100.00万元"), ("0.1234", "0.1234万元")],
)
def test_money_text(value: str, text: str) -> None:
    assert money_text(Decimal(value), "万元") == text


# ---------------------------------------------------------------- slots and 同比


def test_slots_place_every_written_figure() -> None:
    rep = report(last=last_year())
    for s in rep.sentences:
        assert len(s.slots) <= len(s.figures)
        for slot in s.slots:
            shown = s.text[slot.start : slot.end]
            assert shown.isdigit() or shown.replace(".", "", 1).isdigit(), (shown, s.text)
            assert slot.figure in s.figures
            assert abs(slot.figure.value) == Decimal(shown), (shown, slot.figure)
    breakdown = next(s for s in rep.sentences if "其中市本级" in s.text)
    shown = [breakdown.text[a:b] for a, b, _ in breakdown.slots]
    assert shown == ["11", "3", "5", "2", "3", "1"]  # total, 同比, then each unit


def last_year() -> dict[str, Decimal]:
    last = {cid: v for cid, v in expected_totals().items()}
    last.update(
        {
            "s3_new_total": Decimal(8),
            "s4_review_total": Decimal(1),
            "s4_suit_direct_total": Decimal(2),
            "s2_licensing_decisions": Decimal(60000),
            "s2_penalty_decisions": Decimal(500),
        }
    )
    del last["s2_other_services_decisions"]  # a cell last year lacks: no 同比 for it
    return last


def test_year_on_year_changes_when_last_year_exists() -> None:
    result, last = cycle_result(), last_year()
    rep = report(result, last)
    apps = texts(section(rep, "总体情况", "依申请公开"))[0]
    assert "2020年共收到政府信息公开申请11项，比上年增加3项，其中市本级5项，" in apps
    assert "发生政府信息公开行政复议1件，与上年持平，其中结果纠正1件。" in apps
    assert "发生政府信息公开行政诉讼1件，比上年减少2件，其中复议后起诉1件" in apps
    proactive = "".join(texts(section(rep, "总体情况", "主动公开")))
    assert (
        "作出行政许可处理决定63407件，比上年增加3407件，其他对外管理服务事项处理决定19036件。"
        in (proactive)
    )
    assert "作出行政处罚和行政强制处理决定共475件，比上年减少28件，其中" in proactive
    for fig in rep.figures:
        assert resolve(fig, result, last) == fig.value, fig
    delta = next(f for f in rep.figures if f.ref == "s3_new_total-s3_new_total@last")
    assert delta.value == 3


def test_no_year_on_year_without_last_year() -> None:
    body = "".join(p.text for p in report().paragraphs)
    assert "比上年" not in body and "与上年持平" not in body


def test_money_cells_repeat_their_unit_only_when_the_header_lacks_it() -> None:
    s2 = table(report(), "s2")
    assert s2.value_cell("s2_procurement_amount").text == "2911.14万元"  # header 采购总金额


def test_fixed_wording_has_keys_for_the_template() -> None:
    from nianbao.core.report.wording import WORDING, WORDING_USES

    rep = report()
    assert rep.intro.key == "intro"
    keys = {p.key for p in rep.paragraphs if p.key}
    assert keys <= set(WORDING) and set(WORDING) == set(WORDING_USES)
    assert rep.fields["地区"] == "绥芬河市" and rep.fields["部分数"] == "6"
    assert rep.fields["文号"] == "国办公开办函〔2019〕60号"


# ---------------------------------------------------------------- an incomplete cycle


def test_an_incomplete_draft_says_so_first_and_names_who_and_why() -> None:
    rep = report(cycle_result(complete=False))
    assert [(g.name, g.status) for g in rep.not_included] == [
        ("卫健局", Status.REJECTED),
        ("民政局", Status.MISSING),
    ]
    notice = rep.notice
    assert notice is not None and notice.kind is ParagraphKind.PLACEHOLDER
    assert next(iter(rep.walk())) == notice  # above the intro
    assert notice.text.startswith("【待填写：") and notice.text.endswith("】")
    assert f"民政局{Status.MISSING.label}" in notice.text
    assert "卫健局" in notice.text and Status.REJECTED.label[:2] in notice.text
    assert not any(ch.isdigit() for ch in notice.text)  # no figure the checker would miss
    assert report().notice is None


def without(code: str, rejected: bool) -> CycleResult:
    """The cycle without ``code``'s figures: it was rejected, or is not on the roster."""
    kept = [u for u in ACCEPTED if u != code]
    totals = {
        cid: sum((Decimal(UNIT_CELLS[u].get(cid, "0")) for u in kept), Decimal(0))
        for cid in SPEC.cell
    }
    subs = tuple(submission(u) for u in kept)
    roster = tuple(u for u in ROSTER if u.code in kept or (rejected and u.code == code))
    if rejected:
        subs += (submission(code, Status.REJECTED),)
    return CycleResult(2020, SPEC.id, roster, subs, totals)


def test_no_categorical_zero_claim_drawn_from_incomplete_data() -> None:
    """口岸委 has the only review case: rejected, its case is not in the totals, and the
    draft must not state that no review happened."""
    rep = report(without("kouanwei", rejected=True))
    (para,) = texts(section(rep, "总体情况", "依申请公开"))
    assert "发生政府信息公开行政复议" in para
    assert "已汇总的单位均未发生政府信息公开行政复议案件。" in para
    generated = [s for p in rep.paragraphs if p.kind is ParagraphKind.TEXT for s in p.sentences]
    for s in generated:
        for claim in ("未发生", "未收到", "未作出", "未开展", "未新制作", "未收取"):
            at = s.text.find(claim)
            assert at < 0 or "已汇总的单位均" in s.text[:at], s.text
    complete = report(without("kouanwei", rejected=False))
    assert complete.notice is None
    (para,) = texts(section(complete, "总体情况", "依申请公开"))
    assert "。未发生政府信息公开行政复议案件。" in para
