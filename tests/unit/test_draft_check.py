"""The pure draft checker: table figures and figures in generated sentences vs the model."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from nianbao.core.draft_check import DraftText, Problem, check_draft, parse_number
from nianbao.core.report.types import Report, Section, TableModel
from tests.unit import test_report_model as m2019
from tests.unit import test_report_model_2021 as m2021


def grid(model: TableModel) -> tuple[tuple[str, ...], ...]:
    """A table as Word gives it back: every grid position holds its (merged) cell's text."""
    rows = []
    for r in range(model.rows):
        cells = [model.at(r, c) for c in range(model.cols)]
        rows.append(tuple("" if c is None else c.text for c in cells))
    return tuple(rows)


def draft_of(rep: Report) -> DraftText:
    """The draft as the renderer writes it, read back as text."""
    paragraphs = [rep.title, "", *([rep.notice.text] if rep.notice else []), rep.intro.text]

    def walk(sections: tuple[Section, ...]) -> None:
        for sec in sections:
            paragraphs.append(sec.heading)
            for item in sec.content:
                if isinstance(item, Section):
                    walk((item,))
                elif not isinstance(item, TableModel):
                    paragraphs.append(item.text)

    walk(rep.sections)
    paragraphs += ["", "", rep.signature.issuer, rep.signature.date_text]
    return DraftText(tuple(paragraphs), tuple(grid(t) for t in rep.tables))


def edit_paragraph(draft: DraftText, old: str, new: str) -> DraftText:
    hits = [i for i, p in enumerate(draft.paragraphs) if old in p]
    assert len(hits) == 1, hits
    paragraphs = list(draft.paragraphs)
    paragraphs[hits[0]] = paragraphs[hits[0]].replace(old, new, 1)
    return DraftText(tuple(paragraphs), draft.tables)


def edit_cell(draft: DraftText, table: int, row: int, col: int, text: str) -> DraftText:
    tables = [list(map(list, t)) for t in draft.tables]
    tables[table][row][col] = text
    return DraftText(draft.paragraphs, tuple(tuple(map(tuple, t)) for t in tables))


@pytest.fixture
def rep() -> Report:
    return m2019.report(last=m2019.last_year())


def test_untouched_draft_has_no_differences(rep: Report) -> None:
    result = check_draft(rep, m2019.SPEC, draft_of(rep))
    assert result.ok, [d.message for d in result.differences]
    assert result.table_figures == 22 + 161 + 15
    assert result.sentences >= 10


def test_untouched_2021_draft_has_no_differences() -> None:
    rep = m2021.report()
    result = check_draft(rep, m2021.SPEC, draft_of(rep))
    assert result.ok, [d.message for d in result.differences]
    assert result.table_figures == 10 + 175 + 15
    assert [s.text for s in result.unchecked] == ["本年度共收取信息处理费300元，其中市本级300元。"]


def test_one_table_cell_and_one_sentence_figure(rep: Report) -> None:
    s3 = next(t for t in rep.tables if t.key == "s3")
    cell = s3.value_cell("s3_new_natural")
    draft = edit_cell(draft_of(rep), 1, cell.row, cell.col, "12")
    draft = edit_paragraph(draft, "其中市本级5项", "其中市本级6项")
    result = check_draft(rep, m2019.SPEC, draft)
    table, sentence = result.differences
    assert table.problem is Problem.TABLE_VALUE
    assert (table.expected, table.actual, table.ref) == ("10", "12", "s3_new_natural")
    assert table.where == "第2个表格（三、收到和处理政府信息公开申请情况）第4行第4列"
    assert table.what == "一、本年新收政府信息公开申请数量 / 申请人情况 / 自然人"
    assert sentence.problem is Problem.SENTENCE_VALUE
    assert (sentence.expected, sentence.actual) == ("5", "6")
    assert sentence.ref == "shibenji:s3_new_total"
    assert "2020年共收到政府信息公开申请11项，比上年增加3项，其中市本级6项" in sentence.where
    assert sentence.where.startswith("第") and "段" in sentence.where
    assert "初稿为“6”，数据库为“5”" in sentence.message


def test_s2_cell_labels_include_the_block_caption(rep: Report) -> None:
    s2 = next(t for t in rep.tables if t.key == "s2")
    cell = s2.value_cell("s2_licensing_change")
    result = check_draft(rep, m2019.SPEC, edit_cell(draft_of(rep), 0, cell.row, cell.col, "+74"))
    (diff,) = result.differences
    assert diff.what == "第二十条第（五）项 / 行政许可 / 本年增/减"
    assert (diff.expected, diff.actual) == ("-74", "+74")


@pytest.mark.parametrize("shown", ["2911.14", "2911.14 万元", "２９１１．１４万元", "2911.140"])
def test_equal_numbers_written_differently_pass(rep: Report, shown: str) -> None:
    s2 = next(t for t in rep.tables if t.key == "s2")
    cell = s2.value_cell("s2_procurement_amount")
    result = check_draft(rep, m2019.SPEC, edit_cell(draft_of(rep), 0, cell.row, cell.col, shown))
    assert result.ok


def test_empty_or_text_cell_differs(rep: Report) -> None:
    s4 = next(t for t in rep.tables if t.key == "s4")
    c1, c2 = s4.value_cell("s4_review_total"), s4.value_cell("s4_review_upheld")
    draft = edit_cell(draft_of(rep), 2, c1.row, c1.col, "")
    draft = edit_cell(draft, 2, c2.row, c2.col, "无")
    result = check_draft(rep, m2019.SPEC, draft)
    assert [(d.ref, d.actual) for d in result.differences] == [
        ("s4_review_upheld", "无"),
        ("s4_review_total", "（空）"),
    ]


def test_rewritten_sentence_is_reported_missing(rep: Report) -> None:
    draft = edit_paragraph(draft_of(rep), "结转下年度继续办理1件。", "结转下年度继续办理壹件。")
    (diff,) = check_draft(rep, m2019.SPEC, draft).differences
    assert diff.problem is Problem.SENTENCE_MISSING
    assert diff.expected == "结转下年度继续办理1件。"


def test_wording_implied_zero_is_checked() -> None:
    """A draft saying 未发生 when the database holds a review case is a difference."""
    rep = m2019.report()
    zero = m2019.report(
        m2019.CycleResult(
            2020, "2019", m2019.ROSTER, (), dict.fromkeys(m2019.SPEC.cell, Decimal(0))
        )
    )
    draft = draft_of(zero)
    result = check_draft(rep, m2019.SPEC, DraftText(draft.paragraphs, draft_of(rep).tables))
    missing = [d.expected for d in result.differences if d.problem is Problem.SENTENCE_MISSING]
    assert "发生政府信息公开行政复议1件，其中结果纠正1件。" in missing


def test_office_text_around_sentences_is_fine(rep: Report) -> None:
    draft = edit_paragraph(
        draft_of(rep), "结转下年度继续办理1件。", "全市结转下年度继续办理1件。 另"
    )
    assert check_draft(rep, m2019.SPEC, draft).ok


def test_a_copied_sentence_is_checked_wherever_it_appears(rep: Report) -> None:
    draft = draft_of(rep)
    copied = DraftText((*draft.paragraphs, "如前所述，结转下年度继续办理2件。"), draft.tables)
    (diff,) = check_draft(rep, m2019.SPEC, copied).differences
    assert (diff.expected, diff.actual) == ("1", "2")
    assert diff.where.startswith(f"第{len(copied.paragraphs)}段")


def test_missing_or_reshaped_tables(rep: Report) -> None:
    draft = draft_of(rep)
    reshaped = DraftText(draft.paragraphs, (draft.tables[0][:-1], draft.tables[1]))
    diffs = check_draft(rep, m2019.SPEC, reshaped).differences
    assert [d.problem for d in diffs] == [Problem.TABLE_SHAPE, Problem.TABLE_SHAPE]
    assert "无法逐格核对" in diffs[0].message and "缺失" in diffs[1].what


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("11", "11"),
        ("+21", "21"),
        ("-74", "-74"),
        ("－７４", "-74"),
        ("0.00万元", "0"),
        ("x", None),
    ],
)
def test_parse_number(text: str, value: str | None) -> None:
    assert parse_number(text) == (None if value is None else Decimal(value))


def test_zero_left_out_of_a_sentence_is_still_checked(rep: Report) -> None:
    """一（一） leaves the zero 规章 counts out (未新制作、新公开规章): an edited figure of the
    same sentence is caught, and so is a database whose 规章 count is no longer zero."""
    sentence = next(s for s in rep.sentences if "未新制作、新公开规章" in s.text)
    assert "0件" not in sentence.text
    edited = edit_paragraph(draft_of(rep), "新制作规范性文件11件", "新制作规范性文件12件")
    (diff,) = check_draft(rep, m2019.SPEC, edited).differences
    assert diff.problem is Problem.SENTENCE_VALUE
    assert (diff.ref, diff.expected, diff.actual) == ("s2_normative_docs_made", "11", "12")

    result = m2019.cycle_result()
    totals = {**result.totals, "s2_regulations_made": Decimal(1)}
    changed = m2019.report(replace(result, totals=totals), m2019.last_year())
    diffs = check_draft(changed, m2019.SPEC, draft_of(rep)).differences
    assert [d.ref for d in diffs if d.problem is Problem.TABLE_VALUE] == ["s2_regulations_made"]
    (missing,) = [d for d in diffs if d.problem is Problem.SENTENCE_MISSING]
    assert missing.expected.startswith("2020年，新制作规章1件、规范性文件11件")


def test_the_notice_of_an_incomplete_draft_is_reported_while_it_stands() -> None:
    rep = m2019.report(m2019.cycle_result(complete=False))
    assert rep.notice is not None
    draft = draft_of(rep)
    result = check_draft(rep, m2019.SPEC, draft)
    (diff,) = result.differences
    assert diff.problem is Problem.INCOMPLETE
    assert diff.where == "第3段"  # title, blank line, then the notice
    assert not result.ok
    assert [g.code for g in result.not_included] == ["weijianju", "minzhengju"]

    removed = DraftText(tuple(p for p in draft.paragraphs if p != rep.notice.text), draft.tables)
    cleared = check_draft(rep, m2019.SPEC, removed)
    assert cleared.ok and cleared.not_included == result.not_included


def test_a_notice_left_in_a_draft_of_complete_data_is_reported() -> None:
    stale = m2019.report(m2019.cycle_result(complete=False))
    assert stale.notice is not None
    rep = m2019.report()
    draft = draft_of(rep)
    with_notice = DraftText((stale.notice.text, *draft.paragraphs), draft.tables)
    (diff,) = check_draft(rep, m2019.SPEC, with_notice).differences
    assert (diff.problem, diff.where) == (Problem.INCOMPLETE, "第1段")
