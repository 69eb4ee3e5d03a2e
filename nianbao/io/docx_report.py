"""Renders a ``Report`` as a Word draft laid out per GB/T 9704-2012 (the only docx user).

A4, margins 3.7/3.5/2.8/2.6 cm, title 22 pt 方正小标宋简体, body 16 pt 仿宋_GB2312 with a
two-character first-line indent on a 28.95 pt grid (22 lines a page), headings 黑体 and
楷体_GB2312, digits and Latin in Times New Roman, page numbers "— 1 —" right on odd and left
on even pages. Chinese fonts go into ``w:rFonts/@w:eastAsia`` of every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length, Pt

from nianbao.core.report_model import (
    CellRole,
    Paragraph,
    ParagraphKind,
    Report,
    Section,
    Signature,
    TableModel,
)

LATIN = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
PAGE_NUMBER_FONT = "宋体"

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(10.5)  # 五号
SMALL_TABLE_SIZE = Pt(9)  # 小五
SMALL_TABLE_COLUMNS = 12  # tables at least this wide use SMALL_TABLE_SIZE

LINE = Pt(28.95)  # 225 mm / 22 lines
TITLE_LINE = Pt(36)
INDENT = Pt(32)  # two characters of 16 pt
TEXT_WIDTH = Cm(15.6)
CELL_MARGIN_TWIPS = 57  # 0.1 cm left/right inside table cells

TABLE_STYLE = "nianbao-table"
SMALL_TABLE_STYLE = "nianbao-table-small"


def render_docx(report: Report, path: Path) -> None:
    """Write the report draft to ``path`` (.docx)."""
    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _title(doc, report.title)
    _blank(doc)
    _paragraph(doc, report.intro)
    for section in report.sections:
        _section(doc, section)
    _signature(doc, report.signature)
    _footers(doc)
    doc.core_properties.title = report.title
    doc.save(str(path))


# ---------------------------------------------------------------- fonts


def set_fonts(run_or_style: Any, east_asia: str, latin: str = LATIN) -> None:
    """Latin font in ascii/hAnsi and the Chinese font in ``w:eastAsia`` (run or style)."""
    run_or_style.font.name = latin
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _run(par: Any, text: str, east_asia: str, size: Length, **fmt: Any) -> Any:
    run = par.add_run(text)
    set_fonts(run, east_asia)
    run.font.size = size
    for key, value in fmt.items():
        setattr(run.font, key, value)
    return run


# ---------------------------------------------------------------- page and styles


def _page_setup(doc: Any) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.header_distance, sec.footer_distance = Cm(1.5), Cm(2.5)


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT)
    normal.font.size = BODY_SIZE
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False
    for name, size in ((TABLE_STYLE, TABLE_SIZE), (SMALL_TABLE_STYLE, SMALL_TABLE_SIZE)):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        set_fonts(style, BODY_FONT)
        style.font.size = size
        spf = style.paragraph_format
        spf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        spf.first_line_indent = Pt(0)
        spf.space_before = spf.space_after = Pt(0)


def _body_format(par: Any, indent: bool = True) -> None:
    pf = par.paragraph_format
    pf.line_spacing = LINE
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.first_line_indent = INDENT if indent else Pt(0)
    pf.space_before = pf.space_after = Pt(0)


def _blank(doc: Any) -> None:
    _body_format(doc.add_paragraph(), indent=False)


# ---------------------------------------------------------------- text


def _title(doc: Any, text: str) -> None:
    par = doc.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf = par.paragraph_format
    pf.line_spacing = TITLE_LINE
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.first_line_indent = Pt(0)
    _run(par, text, TITLE_FONT, TITLE_SIZE)


def _paragraph(doc: Any, paragraph: Paragraph) -> None:
    par = doc.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _body_format(par)
    run = _run(par, paragraph.text, BODY_FONT, BODY_SIZE)
    if paragraph.kind is ParagraphKind.PLACEHOLDER:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _heading(doc: Any, section: Section) -> None:
    par = doc.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _body_format(par)
    par.paragraph_format.keep_with_next = True
    _run(par, section.heading, HEADING_FONTS.get(section.level, BODY_FONT), BODY_SIZE)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(section.level - 1))
    par._p.get_or_add_pPr().insert_element_before(
        outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )


def _section(doc: Any, section: Section) -> None:
    _heading(doc, section)
    for item in section.content:
        if isinstance(item, Section):
            _section(doc, item)
        elif isinstance(item, TableModel):
            _table(doc, item)
        else:
            _paragraph(doc, item)


def _text_width(text: str, size: float) -> float:
    """Approximate width in points: CJK characters are square, ASCII half."""
    return sum(size / 2 if ord(ch) < 0x2E80 else size for ch in text)


def _signature(doc: Any, signature: Signature) -> None:
    """Issuer centred over the date; the date ends four characters from the right margin."""
    for _ in range(2):
        _blank(doc)
    size = BODY_SIZE.pt
    date_right = 4 * size
    offset = (_text_width(signature.date_text, size) - _text_width(signature.issuer, size)) / 2
    issuer_right = max(0.0, date_right + offset)
    for text, right in ((signature.issuer, issuer_right), (signature.date_text, date_right)):
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _body_format(par, indent=False)
        par.paragraph_format.right_indent = Pt(right)
        _run(par, text, BODY_FONT, BODY_SIZE)


# ---------------------------------------------------------------- tables


def _column_widths(model: TableModel) -> list[Length]:
    """Widths summing to the text width; row-label columns wider, the last one widest."""
    data_cols = model.cols - model.label_cols
    if model.label_cols == 0:
        labels: list[float] = []
    else:
        total = Cm(6.5) if data_cols >= 6 else Cm(4.2)
        last = total * (0.55 if model.label_cols > 1 else 1.0)
        rest = (total - last) / max(1, model.label_cols - 1)
        labels = [rest] * (model.label_cols - 1) + [last]
    data = (TEXT_WIDTH - sum(labels)) / data_cols
    return [Emu(int(w)) for w in [*labels, *[data] * data_cols]]


_ALIGN = {
    CellRole.CAPTION: WD_ALIGN_PARAGRAPH.LEFT,
    CellRole.ROW: WD_ALIGN_PARAGRAPH.LEFT,
}


def _table(doc: Any, model: TableModel) -> None:
    small = model.cols >= SMALL_TABLE_COLUMNS
    style = SMALL_TABLE_STYLE if small else TABLE_STYLE
    size = SMALL_TABLE_SIZE if small else TABLE_SIZE
    table = doc.add_table(rows=model.rows, cols=model.cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_margins(table)
    widths = _column_widths(model)
    for i, width in enumerate(widths):
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width
    for spec in model.cells:
        cell = table.cell(spec.row, spec.col)
        if spec.row_span > 1 or spec.col_span > 1:
            cell = cell.merge(table.cell(spec.row_end, spec.col_end))
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        par = cell.paragraphs[0]
        par.style = doc.styles[style]
        par.alignment = _ALIGN.get(spec.role, WD_ALIGN_PARAGRAPH.CENTER)
        bold = spec.role in (CellRole.CAPTION, CellRole.COLUMN)
        _run(par, spec.text, BODY_FONT, size, bold=bold)
    header_rows = _header_rows(model)
    for i, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))  # schema order: cantSplit before tblHeader
        if i < header_rows:
            trpr.append(OxmlElement("w:tblHeader"))


def _header_rows(model: TableModel) -> int:
    """Rows to repeat on each page: the header of a table that starts without a caption."""
    first = model.at(0, 0)
    if first is not None and first.role is CellRole.CAPTION:
        return 0
    return min(c.row for c in model.cells if c.role is CellRole.VALUE)


def _cell_margins(table: Any) -> None:
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    table._tbl.tblPr.insert_element_before(
        mar, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


# ---------------------------------------------------------------- page numbers


def _footers(doc: Any) -> None:
    """Page numbers "— 1 —": odd pages right, even pages left, one character from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    _page_number(sec.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(footer: Any, align: WD_ALIGN_PARAGRAPH) -> None:
    footer.is_linked_to_previous = False
    par = footer.paragraphs[0]
    par.alignment = align
    pf = par.paragraph_format
    pf.first_line_indent = Pt(0)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = PAGE_NUMBER_SIZE
    else:
        pf.left_indent = PAGE_NUMBER_SIZE

    def run(text: str = "") -> Any:
        return _run(par, text, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, name=PAGE_NUMBER_FONT)

    run("— ")
    _field_char(run(), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run()._r.append(instr)
    _field_char(run(), "separate")
    run("1")
    _field_char(run(), "end")
    run(" —")


def _field_char(run: Any, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    run._r.append(el)
