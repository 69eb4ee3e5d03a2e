"""The report draft as a Word document: a copy of the template, its body replaced by a
``Report``.

Each run carries its fonts, read from the template's styles, with the Chinese font in
``w:eastAsia``. A draft for 10,000 units has tens of thousands of paragraphs: each plain
paragraph is a copy of the first one of its style (``oxml.prototype``), not built anew.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Cm, Emu, Length, Pt

from nianbao.core.report.types import (
    CellRole,
    Paragraph,
    ParagraphKind,
    Report,
    Section,
    Signature,
    TableCell,
    TableModel,
)
from nianbao.core.report.wording import PLACEHOLDER_PREFIX, PLACEHOLDER_SUFFIX, fill_wording
from nianbao.io.atomic import atomic_write_bytes
from nianbao.io.docx.oxml import (
    add_text,
    append_clone,
    append_paragraph,
    clear_body,
    keep_row_on_one_page,
    prototype,
    set_cell_margins,
    set_fonts,
    set_style_id,
    style_fonts,
    table_grid,
)
from nianbao.io.docx.template import (
    BODY_FONT,
    BODY_SIZE,
    BODY_STYLE,
    DRAFT_STYLE,
    GRID_STYLE,
    HEADING_STYLE,
    LATIN,
    PLACEHOLDER_STYLE,
    REQUIRED_STYLES,
    SIGNATURE_STYLE,
    SMALL_TABLE_STYLE,
    TABLE_STYLE,
    TITLE_STYLE,
    TemplateError,
    chinese_text,
    template_path,
    template_wording,
)

SMALL_TABLE_COLUMNS = 12  # tables at least this wide use the small table style
TEXT_WIDTH = Cm(15.6)
ROW_HEIGHT = Cm(0.6)
CELL_MARGIN_TWIPS = 57  # 0.1 cm left/right inside table cells


def render_docx(report: Report, path: Path, template: Path | None = None) -> None:
    """Write the report draft to ``path`` (.docx) from the template."""
    atomic_write_bytes(path, docx_bytes(report, template))


def docx_bytes(report: Report, template: Path | None = None) -> bytes:
    """The report draft (.docx) made from the template, as bytes."""
    source = template or template_path()
    doc = Document(str(source))
    missing = [name for name in REQUIRED_STYLES if name not in doc.styles]
    if missing:
        raise TemplateError(f"报告模板 {source} 缺少样式：{'、'.join(missing)}")
    chinese_text(doc)  # an office's template made from an older one may lack it
    _Renderer(doc, report, template_wording(doc)).render()
    props = doc.core_properties
    props.title = report.title
    props.revision = 1
    props.created = props.modified = datetime.combine(report.signature.date, time())
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def paragraph_style_ids(doc: Any) -> Callable[[str], str | None]:
    """Paragraph style name -> the id python-docx would write (None for the default style),
    resolved once per name: python-docx scans every style on each assignment."""

    @cache
    def style_id(name: str) -> str | None:
        style = doc.styles[name]
        default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        return None if style == default else str(style.style_id)

    return style_id


def run_fonts(doc: Any) -> Callable[[str], tuple[str, str]]:
    """Style name -> the (Chinese, Latin) fonts its runs carry: those the style resolves to
    through its base styles, else the body's defaults; resolved once per name."""

    @cache
    def fonts(name: str) -> tuple[str, str]:
        east, latin = style_fonts(doc.styles[name])
        return east or BODY_FONT, latin or LATIN

    return fonts


class _Renderer:
    """Adds the report's paragraphs and tables to an emptied template."""

    def __init__(self, doc: Any, report: Report, wording: Mapping[str, str]) -> None:
        self.doc = doc
        self.report = report
        self.wording = wording
        self.fonts = run_fonts(doc)
        self.style_id = paragraph_style_ids(doc)
        self.protos: dict[str, Any] = {}  # style -> its first one-run text paragraph

    def render(self) -> None:
        clear_body(self.doc)
        self.add(self.report.title, TITLE_STYLE)
        self.add("", BODY_STYLE)
        if self.report.notice is not None:  # units left out: said first, highlighted
            self.paragraph(self.report.notice)
        self.paragraph(self.report.intro)
        for section in self.report.sections:
            self.section(section)
        self.signature(self.report.signature)

    def add(self, text: str, style: str, char_style: str | None = None) -> Any:
        """A new paragraph at the end of the body (as ``doc.add_paragraph(style=style)``)."""
        plain = bool(text) and char_style is None and not any(c in text for c in "\t\r\n")
        proto = self.protos.get(style) if plain else None
        if proto is not None:  # a copy of the style's first paragraph, with this text
            return append_clone(self.doc, proto, text)
        par = append_paragraph(self.doc)
        set_style_id(par, self.style_id(style))
        if text:
            if any(c in text for c in "\t\r\n"):
                run = par.add_run(text, style=char_style)
            else:
                run = par.add_run(None, style=char_style)
                add_text(run, text)
            set_fonts(run, *self.fonts(style))
        if plain:
            self.protos[style] = prototype(par)
        return par

    def text_of(self, paragraph: Paragraph) -> str:
        own = self.wording.get(paragraph.key or "")
        if not own:
            return paragraph.text
        text = fill_wording(own, self.report.fields)
        if paragraph.kind is ParagraphKind.PLACEHOLDER:
            return f"{PLACEHOLDER_PREFIX}{text}{PLACEHOLDER_SUFFIX}"
        return text

    def paragraph(self, paragraph: Paragraph) -> None:
        text = self.text_of(paragraph)
        if paragraph.kind is ParagraphKind.PLACEHOLDER:
            par = self.add(text, BODY_STYLE, PLACEHOLDER_STYLE)
            for run in par.runs:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif paragraph.kind is ParagraphKind.DRAFT:
            self.add(text, DRAFT_STYLE)
        else:
            self.add(text, BODY_STYLE)

    def section(self, section: Section) -> None:
        self.add(section.heading, HEADING_STYLE.format(level=min(section.level, 4)))
        for item in section.content:
            if isinstance(item, Section):
                self.section(item)
            elif isinstance(item, TableModel):
                self.table(item)
            else:
                self.paragraph(item)

    def signature(self, signature: Signature) -> None:
        """Issuer centred over the date; the date ends four characters from the right margin;
        kept on one page with the paragraph before it."""
        last = self.doc.paragraphs[-1] if self.doc.paragraphs else None
        if last is not None:
            last.paragraph_format.keep_with_next = True
        for _ in range(2):
            self.add("", BODY_STYLE).paragraph_format.keep_with_next = True
        size = BODY_SIZE.pt
        date_right = 4 * size
        offset = (_text_width(signature.date_text, size) - _text_width(signature.issuer, size)) / 2
        issuer_right = max(0.0, date_right + offset)
        for text, right in ((signature.issuer, issuer_right), (signature.date_text, date_right)):
            par = self.add(text, SIGNATURE_STYLE)
            par.paragraph_format.right_indent = Pt(right)
            par.paragraph_format.keep_with_next = text == signature.issuer

    def table(self, model: TableModel) -> None:
        """A statistical table: merged labels, values, widths to the text width; rows kept
        together within the blocks a page must not split."""
        style = SMALL_TABLE_STYLE if model.cols >= SMALL_TABLE_COLUMNS else TABLE_STYLE
        table = self.doc.add_table(rows=model.rows, cols=model.cols)
        table.style = self.doc.styles[GRID_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        set_cell_margins(table, CELL_MARGIN_TWIPS)
        # Read once: the model's merged regions do not overlap, so a merge removes no cell
        # that a later one (or its content) uses (python-docx rebuilds the grid on each read:
        # half the rendering time while it was read after every merge).
        grid = table_grid(table)
        for i, width in enumerate(column_widths(model)):
            table.columns[i].width = width
            for cell in grid[i :: model.cols]:
                cell.width = width
        for spec in model.cells:
            cell = grid[spec.row * model.cols + spec.col]
            if spec.row_span > 1 or spec.col_span > 1:
                cell = cell.merge(grid[spec.row_end * model.cols + spec.col_end])
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            par = cell.paragraphs[0]
            set_style_id(par, self.style_id(style))
            par.alignment = _align(spec)
            set_fonts(par.add_run(spec.text), *self.fonts(style))
        header_rows = _header_rows(model)
        parts = _block_starts(model)
        for i, row in enumerate(table.rows):
            row.height, row.height_rule = ROW_HEIGHT, WD_ROW_HEIGHT_RULE.AT_LEAST
            keep_row_on_one_page(row, repeat_as_header=i < header_rows)
            if i + 1 < model.rows and i + 1 not in parts:  # kept with the row after it
                for cell in row.cells:
                    for par in cell.paragraphs:
                        par.paragraph_format.keep_with_next = True


def _text_width(text: str, size: float) -> float:
    """Approximate width in points: CJK characters are square, ASCII half."""
    return sum(size / 2 if ord(ch) < 0x2E80 else size for ch in text)


# ---------------------------------------------------------------- table layout


def column_widths(model: TableModel) -> list[Length]:
    """Widths summing to the text width: a wide last row-label column, narrow group columns."""
    data_cols = model.cols - model.label_cols
    if model.label_cols == 0:
        labels: list[int] = []
    elif model.label_cols == 1:
        labels = [int(Cm(4.2))]
    else:
        labels = [int(Cm(1.5))] * (model.label_cols - 1) + [int(Cm(4.4))]
    data = (TEXT_WIDTH - sum(labels)) // data_cols
    widths = [*labels, *[data] * data_cols]
    widths[-1] += TEXT_WIDTH - sum(widths)  # rounding
    return [Emu(w) for w in widths]


def _align(cell: TableCell) -> WD_ALIGN_PARAGRAPH:
    if cell.role is CellRole.ROW and cell.row_span == 1:
        return WD_ALIGN_PARAGRAPH.LEFT
    return WD_ALIGN_PARAGRAPH.CENTER


def _block_starts(model: TableModel) -> set[int]:
    """Rows a page may break before, so that a long table fills the page it starts on
    instead of moving whole to the next one: in a table of captioned blocks (table 二's
    第二十条第（一）项…), before each caption; in the others, after the repeated header rows
    and outside every merged row label except the outermost (table 三's （三）不予公开 stays on
    one page, its 三、本年度办理结果 may go on)."""
    captions = {c.row for c in model.cells if c.role is CellRole.CAPTION and c.row > 0}
    if captions:
        return captions
    inside = {
        r
        for c in model.cells
        if c.col > 0 and c.row_span > 1
        for r in range(c.row + 1, c.row_end + 1)
    }
    return {r for r in range(_header_rows(model) + 1, model.rows) if r not in inside}


def _header_rows(model: TableModel) -> int:
    """Rows to repeat on each page: the header of a table that starts without a caption."""
    first = model.at(0, 0)
    if first is not None and first.role is CellRole.CAPTION:
        return 0
    return min(c.row for c in model.cells if c.role is CellRole.VALUE)
