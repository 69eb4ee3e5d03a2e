"""The Word draft, reopened with python-docx: page, fonts, page numbers, tables, merges,
placeholders, numbering, the template and reading a draft back."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt

from nianbao.core.draft_check import Problem, check_draft
from nianbao.core.layout import FIRST_BLOCK_ROW, sheet_layout
from nianbao.core.report.wording import WORDING
from nianbao.io.docx.apart import drafting
from nianbao.io.docx.read import read_draft
from nianbao.io.docx.render import render_docx
from nianbao.io.docx.template import (
    REQUIRED_STYLES,
    TemplateError,
    template_path,
    template_wording,
)
from tests.conftest import REPO
from tests.unit import test_report_model_2021 as m2021
from tests.unit.test_report_model import SPEC, cycle_result, last_year, report

pytestmark = pytest.mark.integration

TITLE = "绥芬河市2020年政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out: Path = tmp_path_factory.mktemp("docx") / "report.docx"
    render_docx(report(), out)
    return out


@pytest.fixture(scope="module")
def document(path: Path) -> Any:
    return docx.Document(str(path))


def effective(par: Any, attr: str) -> Any:
    """A paragraph format value, from the paragraph or else its style chain."""
    value = getattr(par.paragraph_format, attr)
    style = par.style
    while value is None and style is not None:
        value = getattr(style.paragraph_format, attr)
        style = style.base_style
    return value


def size(run: Any, par: Any) -> Length | None:
    """A run's font size, from the run or else its paragraph's style chain."""
    value, style = run.font.size, par.style
    while value is None and style is not None:
        value, style = style.font.size, style.base_style
    return value


def east_asia(run: Any) -> str | None:
    rfonts = run._r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def paragraph(document: Any, text: str) -> Any:
    return next(p for p in document.paragraphs if p.text == text)


TOLERANCE = Cm(0.01)


def near(a: Length | None, b: Length) -> bool:
    return a is not None and abs(a - b) <= TOLERANCE


def docx_cell(table: Any, table_key: str, cell_id: str, spec: Any = SPEC) -> Any:
    """The Word cell of a value cell, at its layout position (title row not in the table)."""
    row, col = sheet_layout(spec, table_key).cells[cell_id]
    return table.cell(row - FIRST_BLOCK_ROW, col - 1)


def test_page_size_and_margins(document: Any) -> None:
    sec = document.sections[0]
    assert near(sec.page_width, Cm(21.0)) and near(sec.page_height, Cm(29.7))
    assert near(sec.top_margin, Cm(3.7)) and near(sec.bottom_margin, Cm(3.5))
    assert near(sec.left_margin, Cm(2.8)) and near(sec.right_margin, Cm(2.6))


def test_title(document: Any) -> None:
    title = document.paragraphs[0]
    assert title.text == TITLE
    assert effective(title, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = title.runs
    assert east_asia(run) == "方正小标宋简体"
    assert run.font.name == "Times New Roman"
    assert size(run, title) == Pt(22)
    assert document.paragraphs[1].text == ""  # one blank line before the body


def test_body_and_heading_fonts(document: Any) -> None:
    intro = next(p for p in document.paragraphs if p.text.startswith("根据《中华人民共和国"))
    run = intro.runs[0]
    assert east_asia(run) == "仿宋_GB2312"
    assert size(run, intro) == Pt(16)
    assert run.font.name == "Times New Roman"
    assert effective(intro, "first_line_indent") == Pt(32)
    assert effective(intro, "line_spacing_rule") == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= effective(intro, "line_spacing") <= Pt(29)
    for text, font, level in (
        ("一、总体情况", "黑体", 1),
        ("（二）依申请公开", "楷体_GB2312", 2),
        ("六、其他需要报告的事项", "黑体", 1),
    ):
        par = paragraph(document, text)
        assert east_asia(par.runs[0]) == font
        assert size(par.runs[0], par) == Pt(16)
        assert par.style.name == f"Heading {level}"
        outline = par.style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        assert outline is not None and outline.get(qn("w:val")) == str(level - 1)


def test_every_run_has_an_east_asian_font(document: Any) -> None:
    runs = list(document.element.body.iter(qn("w:r")))
    assert runs
    missing = [r for r in runs if r.find(qn("w:rPr") + "/" + qn("w:rFonts")) is None]
    assert not missing
    for r in document.element.body.iter(qn("w:rFonts")):
        assert r.get(qn("w:eastAsia"))
        assert r.get(qn("w:ascii")) == "Times New Roman"


def test_generated_text_and_placeholders(document: Any) -> None:
    body = "\n".join(p.text for p in document.paragraphs)
    assert "其中市本级5项，口岸委2项，自然资源局3项，阜宁镇1项" in body
    holders = [p for p in document.paragraphs if p.text.startswith("【待填写：")]
    assert len(holders) >= 6
    for p in holders:
        assert p.text.endswith("】")
        assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in p.runs)
        assert all(r.style.name == "待填写" for r in p.runs)
    highlighted = [
        p.text for p in document.paragraphs if any(r.font.highlight_color for r in p.runs)
    ]
    assert highlighted == [p.text for p in holders]
    drafted = paragraph(document, "【市本级】一是公开意识有待增强。")
    assert drafted.runs[0].font.highlight_color is None
    assert drafted.style.name == "单位材料"


def headings(document: Any) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]


NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.|（\d+）)")


def test_no_heading_number_repeats_under_its_parent(document: Any) -> None:
    found = headings(document)
    assert found[0] == (1, "一、总体情况") and len(found) == 11
    seen: dict[tuple[str, ...], set[str]] = {}
    parents: list[str] = []
    for level, text in found:
        match = NUMBER.match(text)
        assert match is not None, text
        parents = parents[: level - 1]
        siblings = seen.setdefault(tuple(parents), set())
        assert match.group(0) not in siblings, text
        siblings.add(match.group(0))
        parents.append(text)
    assert [t for lv, t in found if lv == 1][-1] == "六、其他需要报告的事项"


def test_signature_block_at_the_end(document: Any) -> None:
    issuer, when = document.paragraphs[-2], document.paragraphs[-1]
    assert (issuer.text, when.text) == ("绥芬河市人民政府", "2021年1月25日")
    assert effective(issuer, "alignment") == effective(when, "alignment")
    assert effective(when, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT
    assert when.paragraph_format.right_indent == Pt(64)  # four characters from the margin
    assert issuer.paragraph_format.keep_with_next  # never parted from its date
    assert east_asia(issuer.runs[0]) == "仿宋_GB2312"


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
        assert instr.strip() == "PAGE"
        kinds = [el.get(qn("w:fldCharType")) for el in par._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert par.text == "— 1 —"
        assert {east_asia(r) for r in par.runs} == {"宋体"}
        assert size(par.runs[0], par) == Pt(14)


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
    assert s3.cell(1, 9).text == "总计" and s3.cell(2, 9)._tc is s3.cell(1, 9)._tc
    group = s3.cell(5, 0)
    assert group.text == "三、本年度办理结果"
    assert all(s3.cell(r, 0)._tc is group._tc for r in range(5, 25))

    assert s4.cell(0, 0).text == "行政复议"
    assert all(s4.cell(r, c)._tc is s4.cell(0, 0)._tc for r in range(2) for c in range(5))
    assert s4.cell(0, 5).text == "行政诉讼"
    assert all(s4.cell(0, c)._tc is s4.cell(0, 5)._tc for c in range(5, 15))
    assert s4.cell(1, 5).text == "未经复议直接起诉" and s4.cell(1, 10).text == "复议后起诉"

    assert s2.cell(0, 0).text == "第二十条第（一）项"
    assert all(s2.cell(0, c)._tc is s2.cell(0, 0)._tc for c in range(4))


def test_tables_fit_the_text_width(document: Any) -> None:
    for table, pt in zip(document.tables, (10.5, 10.5, 9), strict=True):
        grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
        width = sum(int(g.get(qn("w:w"))) for g in grid)  # twips
        assert abs(width - Cm(15.6).twips) <= 10
        sizes = {size(r, p) for c in table._cells for p in c.paragraphs for r in p.runs}
        assert sizes == {Pt(pt)}
        assert table.style.name == "Table Grid"
        fonts = {east_asia(r) for c in table._cells for p in c.paragraphs for r in p.runs}
        assert fonts == {"仿宋_GB2312"}


def test_read_draft_round_trip(path: Path) -> None:
    """The extraction the checker uses gives back every table figure and sentence."""
    rep = report()
    draft = read_draft(path)
    assert draft.paragraphs[0] == TITLE
    assert [len(t) for t in draft.tables] == [t.rows for t in rep.tables]
    result = check_draft(rep, SPEC, draft)
    assert result.ok, [d.message for d in result.differences]
    assert result.table_figures == len(SPEC.cells)


def test_an_incomplete_draft_carries_the_highlighted_notice_below_its_title(
    tmp_path: Path,
) -> None:
    rep = report(cycle_result(complete=False))
    assert rep.notice is not None
    out = tmp_path / "incomplete.docx"
    render_docx(rep, out)
    document = docx.Document(str(out))
    title, blank, notice, intro = document.paragraphs[:4]
    assert (title.text, blank.text, notice.text) == (TITLE, "", rep.notice.text)
    assert intro.text == rep.intro.text
    assert notice.runs and all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in notice.runs)
    assert all(r.style.name == "待填写" for r in notice.runs)
    result = check_draft(rep, SPEC, read_draft(out))
    assert [d.problem for d in result.differences] == [Problem.INCOMPLETE]
    assert report().notice is None


# ---------------------------------------------------------------- 2021 format


def test_2021_draft(tmp_path: Path) -> None:
    rep = m2021.report()
    out = tmp_path / "report-2021.docx"
    render_docx(rep, out)
    document = docx.Document(str(out))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "制发行政规范性文件5件，废止行政规范性文件1件" in body
    assert "本年度共收取信息处理费300元，其中市本级300元。" in body
    s2, s3, _ = document.tables
    fee = docx_cell(s2, "s2", "s2_fees_amount", m2021.SPEC)
    assert fee.text == "12.50"
    assert docx_cell(s3, "s3", "s3_other_unpaid_total", m2021.SPEC).text == "1"
    assert len(s3.rows) == 28
    assert check_draft(rep, m2021.SPEC, read_draft(out)).ok


# ---------------------------------------------------------------- the template


def test_template_is_found_relative_to_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    found = template_path()
    assert found == REPO / "templates" / "report-template.docx"
    # a wheel carries the same file inside the package (pyproject's force-include)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates/report-template.docx" = "nianbao/templates/report-template.docx"' in (
        pyproject
    )


def test_committed_template_holds_styles_footers_and_wording() -> None:
    doc = docx.Document(str(template_path()))
    for name in REQUIRED_STYLES:
        assert name in doc.styles, name
    assert template_wording(doc) == WORDING
    assert "PAGE" in "".join(
        el.text for el in doc.sections[0].footer._element.iter(qn("w:instrText"))
    )


def test_template_script_reproduces_the_committed_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "t.docx"
    script = REPO / "scripts" / "make_report_template.py"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
    assert out.read_bytes() == (REPO / "templates" / "report-template.docx").read_bytes()


def test_edited_template_wording_and_styles_are_used(tmp_path: Path) -> None:
    source = docx.Document(str(template_path()))
    table = next(t for t in source.tables if t.cell(0, 0).text == "编号")
    row = next(r for r in table.rows if r.cells[0].text == "intro")
    row.cells[2].paragraphs[0].runs[0].text = "{地区}按照省政府办公厅要求，现公布{年度}年度报告。"
    body = source.styles["Normal"]
    body.element.rPr.rFonts.set(qn("w:eastAsia"), "方正仿宋_GBK")
    edited = tmp_path / "edited-template.docx"
    source.save(str(edited))

    out = tmp_path / "report.docx"
    render_docx(report(last=last_year()), out, template=edited)
    document = docx.Document(str(out))
    intro = document.paragraphs[2]
    assert intro.text == "绥芬河市按照省政府办公厅要求，现公布2020年度报告。"
    assert east_asia(intro.runs[0]) == "方正仿宋_GBK"
    assert not any(t.cell(0, 0).text == "编号" for t in document.tables)  # template body gone
    assert "年度报告初稿模板" not in "".join(p.text for p in document.paragraphs)


def test_a_template_without_the_styles_is_refused(tmp_path: Path) -> None:
    bare = tmp_path / "bare.docx"
    docx.Document().save(str(bare))
    with pytest.raises(TemplateError, match="缺少样式"):
        render_docx(report(), tmp_path / "x.docx", template=bare)


def test_a_draft_rendered_apart_is_the_draft_rendered_here(tmp_path: Path) -> None:
    here, apart = tmp_path / "here.docx", tmp_path / "apart.docx"
    with drafting(report(), here, None, separate=False):
        pass
    with drafting(report(), apart, None, separate=True):
        pass
    assert apart.read_bytes() == here.read_bytes()


def test_a_broken_template_is_refused_from_the_worker_too(tmp_path: Path) -> None:
    bare = tmp_path / "bare.docx"
    docx.Document().save(str(bare))
    with (
        pytest.raises(TemplateError, match="缺少样式"),
        drafting(report(), tmp_path / "x.docx", bare, separate=True),
    ):
        pass
    assert not (tmp_path / "x.docx").exists()


def test_a_failing_block_raises_its_own_error_and_no_draft_is_written(tmp_path: Path) -> None:
    """A run stopped while the worker renders: the block's error leaves, after the worker
    ended, and nothing of the draft is in the folder (the worker writes no file)."""
    out = tmp_path / "x.docx"
    with pytest.raises(OSError, match="disk full"), drafting(report(), out, None, separate=True):
        raise OSError("disk full")
    assert list(tmp_path.iterdir()) == []
