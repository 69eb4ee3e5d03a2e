"""The Word draft, reopened with python-docx: page, fonts, page numbers, tables, merges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt

from nianbao.core.layout import FIRST_BLOCK_ROW, sheet_layout
from nianbao.io.docx_report import render_docx
from tests.unit.test_report_model import SPEC, report

pytestmark = pytest.mark.integration

TITLE = "绥芬河市2020年政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("docx") / "report.docx"
    render_docx(report(), path)
    return docx.Document(str(path))


def east_asia(run: Any) -> str | None:
    rfonts = run._r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def paragraph(document: Any, text: str) -> Any:
    return next(p for p in document.paragraphs if p.text == text)


TOLERANCE = Cm(0.01)


def near(a: Length | None, b: Length) -> bool:
    return a is not None and abs(a - b) <= TOLERANCE


def docx_cell(table: Any, table_key: str, cell_id: str) -> Any:
    """The Word cell of a value cell, at its layout position (title row not in the table)."""
    row, col = sheet_layout(SPEC, table_key).cells[cell_id]
    return table.cell(row - FIRST_BLOCK_ROW, col - 1)


def test_page_size_and_margins(document: Any) -> None:
    sec = document.sections[0]
    assert near(sec.page_width, Cm(21.0)) and near(sec.page_height, Cm(29.7))
    assert near(sec.top_margin, Cm(3.7)) and near(sec.bottom_margin, Cm(3.5))
    assert near(sec.left_margin, Cm(2.8)) and near(sec.right_margin, Cm(2.6))


def test_title(document: Any) -> None:
    title = document.paragraphs[0]
    assert title.text == TITLE
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = title.runs
    assert east_asia(run) == "方正小标宋简体"
    assert run.font.name == "Times New Roman"
    assert run.font.size == Pt(22)


def test_body_and_heading_fonts(document: Any) -> None:
    intro = next(p for p in document.paragraphs if p.text.startswith("根据《中华人民共和国"))
    assert east_asia(intro.runs[0]) == "仿宋_GB2312"
    assert intro.runs[0].font.size == Pt(16)
    assert intro.runs[0].font.name == "Times New Roman"
    pf = intro.paragraph_format
    assert pf.first_line_indent == Pt(32)
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= pf.line_spacing <= Pt(29)
    assert east_asia(paragraph(document, "一、总体情况").runs[0]) == "黑体"
    assert east_asia(paragraph(document, "（二）依申请公开").runs[0]) == "楷体_GB2312"
    assert east_asia(paragraph(document, "六、其他需要报告的事项").runs[0]) == "黑体"


def test_every_run_has_an_east_asian_font(document: Any) -> None:
    runs = document.element.body.iter(qn("w:r"))
    missing = [r for r in runs if r.find(qn("w:rPr") + "/" + qn("w:rFonts")) is None]
    assert not missing
    for r in document.element.body.iter(qn("w:rFonts")):
        assert r.get(qn("w:eastAsia"))


def test_generated_text_and_placeholders(document: Any) -> None:
    body = "\n".join(p.text for p in document.paragraphs)
    assert "其中市本级5项，口岸委2项，自然资源局3项，阜宁镇1项" in body
    holders = [p for p in document.paragraphs if p.text.startswith("【待填写：")]
    assert len(holders) >= 5
    for p in holders:
        assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in p.runs)
    drafted = paragraph(document, "【市本级】一是公开意识有待增强。")
    assert drafted.runs[0].font.highlight_color is None


def test_signature_block_at_the_end(document: Any) -> None:
    issuer, when = document.paragraphs[-2], document.paragraphs[-1]
    assert (issuer.text, when.text) == ("绥芬河市人民政府", "2021年1月25日")
    assert issuer.alignment == when.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_page_numbers_odd_right_even_left(document: Any) -> None:
    assert document.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    sec = document.sections[0]
    for footer, align in (
        (sec.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        assert not footer.is_linked_to_previous
        (par,) = footer.paragraphs
        assert par.alignment == align
        instr = "".join(el.text for el in par._p.iter(qn("w:instrText")))
        simple = [el.get(qn("w:instr")) for el in par._p.iter(qn("w:fldSimple"))]
        assert "PAGE" in instr or any("PAGE" in s for s in simple)
        assert par.text.startswith("— ") and par.text.endswith(" —")


def test_three_tables_after_their_headings(document: Any) -> None:
    assert len(document.tables) == 3
    body = list(document.element.body.iterchildren())
    for table, heading in zip(
        document.tables,
        (
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
        ),
        strict=True,
    ):
        before = body[body.index(table._tbl) - 1]
        assert "".join(t.text for t in before.iter(qn("w:t"))) == heading


@pytest.mark.parametrize(
    ("index", "key", "expected"),
    [
        (0, "s2", {"s2_licensing_change": "-74", "s2_other_services_change": "+21"}),
        (0, "s2", {"s2_procurement_amount": "2911.14万元", "s2_procurement_items": "121"}),
        (0, "s2", {"s2_licensing_decisions": "63407", "s2_fees_change": "-1"}),
        (1, "s3", {"s3_handled_total_total": "10", "s3_new_total": "11"}),
        (1, "s3", {"s3_public_natural": "8", "s3_partial_commercial": "1"}),
        (1, "s3", {"s3_carried_out_total": "1", "s3_reject_repeat_total": "0"}),
        (2, "s4", {"s4_review_corrected": "1", "s4_suit_after_review_total": "1"}),
    ],
)
def test_table_values_at_layout_positions(
    document: Any, index: int, key: str, expected: dict[str, str]
) -> None:
    table = document.tables[index]
    for cell_id, text in expected.items():
        assert docx_cell(table, key, cell_id).text == text, cell_id


def test_row_label_beside_the_total(document: Any) -> None:
    s3 = document.tables[1]
    cell = docx_cell(s3, "s3", "s3_handled_total_total")
    row = next(i for i, r in enumerate(s3.rows) if cell._tc in [c._tc for c in r.cells])
    assert s3.cell(row, 1).text == "（七）总计"
    assert s3.cell(row, 0).text == "三、本年度办理结果"


def test_merged_headers(document: Any) -> None:
    s2, s3, s4 = document.tables
    corner = s3.cell(0, 0)
    assert corner.text == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert all(s3.cell(r, c)._tc is corner._tc for r in range(3) for c in range(3))
    assert s3.cell(0, 3)._tc is not corner._tc and s3.cell(3, 0)._tc is not corner._tc
    span = corner._tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan"))
    assert span is not None and span.get(qn("w:val")) == "3"

    applicant = s3.cell(0, 3)
    assert applicant.text == "申请人情况"
    assert all(s3.cell(0, c)._tc is applicant._tc for c in range(3, 10))
    assert s3.cell(1, 3).text == "自然人" and s3.cell(2, 3)._tc is s3.cell(1, 3)._tc
    assert s3.cell(1, 4).text == "法人或其他组织"
    assert all(s3.cell(1, c)._tc is s3.cell(1, 4)._tc for c in range(4, 9))
    assert [s3.cell(2, c).text for c in range(4, 9)] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    group = s3.cell(5, 0)
    assert group.text == "三、本年度办理结果"
    assert all(s3.cell(r, 0)._tc is group._tc for r in range(5, 25))

    assert s4.cell(0, 0).text == "行政复议"
    assert all(s4.cell(r, c)._tc is s4.cell(0, 0)._tc for r in range(2) for c in range(5))
    assert s4.cell(0, 5).text == "行政诉讼"
    assert all(s4.cell(0, c)._tc is s4.cell(0, 5)._tc for c in range(5, 15))

    assert s2.cell(0, 0).text == "第二十条第（一）项"
    assert all(s2.cell(0, c)._tc is s2.cell(0, 0)._tc for c in range(4))


def test_tables_fit_the_text_width(document: Any) -> None:
    for table, size in zip(document.tables, (10.5, 10.5, 9), strict=True):
        grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
        width = sum(int(g.get(qn("w:w"))) for g in grid)  # twips
        assert abs(width - Cm(15.6).twips) <= 10
        sizes = {r.font.size for c in table._cells for p in c.paragraphs for r in p.runs}
        assert sizes == {Pt(size)}
        assert table.style.name == "Table Grid"
