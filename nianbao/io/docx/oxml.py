"""Every use of python-docx's XML internals (``docx.oxml``, ``_p``/``_r``/``_tr``/``_tbl``,
``_cells``, ``_body``, ``get_or_add_*``), behind small named functions.

python-docx's public API has no way to set East Asian fonts or languages, page-number
fields, table-row flags or cell margins, and adding tens of thousands of paragraphs through
it is slow (it scans the body and every style per paragraph); these functions do that on
the XML. pyproject.toml pins python-docx below its next major version; when it moves, this
module is the one to check.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

_THEME_FONTS = tuple(qn(f"w:{a}") for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"))
_LATIN_FONTS = tuple(qn(f"w:{a}") for a in ("ascii", "hAnsi", "cs"))
_EAST_ASIA = qn("w:eastAsia")
_RUN_TEXT = f"{qn('w:r')}/{qn('w:t')}"
_XML_SPACE = qn("xml:space")
_SECT_PR = qn("w:sectPr")


# ---------------------------------------------------------------- fonts and language


def _set_rfonts(rfonts: Any, east_asia: str, latin: str) -> None:
    for attr in _THEME_FONTS:
        rfonts.attrib.pop(attr, None)
    for attr in _LATIN_FONTS:
        rfonts.set(attr, latin)
    rfonts.set(_EAST_ASIA, east_asia)


def set_fonts(target: Any, east_asia: str, latin: str) -> None:
    """Latin font in ascii/hAnsi/cs and the Chinese font in ``w:eastAsia`` of a run or a
    style (theme fonts dropped)."""
    _set_rfonts(target.element.get_or_add_rPr().get_or_add_rFonts(), east_asia, latin)


def set_default_fonts(doc: Any, east_asia: str, latin: str) -> None:
    """The same in the document defaults (``w:docDefaults``), where they have fonts."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rfonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    if rfonts is not None:
        _set_rfonts(rfonts, east_asia, latin)


def style_fonts(style: Any) -> tuple[str | None, str | None]:
    """(Chinese, Latin) font a style names, through its base styles (None where none does)."""
    east = latin = None
    while style is not None and (east is None or latin is None):
        rpr = style.element.rPr
        rfonts = None if rpr is None else rpr.rFonts
        if rfonts is not None:
            east = east or rfonts.get(_EAST_ASIA)
            latin = latin or rfonts.get(qn("w:ascii"))
        style = style.base_style
    return east, latin


def clear_character_format(style: Any) -> None:
    """Drop a style's character formatting (theme fonts, colour, bold)."""
    rpr = style.element.rPr
    if rpr is not None:
        style.element.remove(rpr)


def add_shading(style: Any, fill: str) -> None:
    """A clear shading of colour ``fill`` (``FFFF00``) in a character style."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    style.element.get_or_add_rPr().append(shading)


def set_east_asian_language(doc: Any, language: str) -> None:
    """The language of the document's East Asian text (``w:lang w:eastAsia`` in the run
    defaults), added where the document lacks it."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(_EAST_ASIA, language)


# ---------------------------------------------------------------- fields


def add_field_char(run: Any, kind: str) -> None:
    """A field character (``begin``, ``separate``, ``end``) at the end of a run."""
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    run._r.append(el)


def add_instr_text(run: Any, text: str) -> None:
    """A field instruction (`` PAGE ``) at the end of a run."""
    instr = OxmlElement("w:instrText")
    instr.set(_XML_SPACE, "preserve")
    instr.text = text
    run._r.append(instr)


# ---------------------------------------------------------------- body paragraphs


def clear_body(doc: Any) -> None:
    """Remove everything from the body but its section properties."""
    body = doc.element.body
    for child in list(body):
        if child.tag != _SECT_PR:
            body.remove(child)


def _append(doc: Any, p: Any) -> Paragraph:
    """``p`` just before the body's <w:sectPr>, without python-docx's scan of the body for
    it on every paragraph."""
    body = doc.element.body
    try:
        last = body[-1]  # O(1) in lxml, unlike len(body)
    except IndexError:
        last = None
    if last is not None and last.tag == _SECT_PR:
        last.addprevious(p)
    else:
        body.append(p)
    return Paragraph(p, doc._body)


def append_paragraph(doc: Any) -> Paragraph:
    """A new empty paragraph at the end of the body."""
    return _append(doc, OxmlElement("w:p"))


def prototype(paragraph: Any) -> Any:
    """A detached copy of a paragraph of one text run, to clone with ``append_clone``."""
    return deepcopy(paragraph._p)


def append_clone(doc: Any, proto: Any, text: str) -> Paragraph:
    """A copy of ``proto`` with ``text`` in its run, at the end of the body."""
    p = deepcopy(proto)
    t = p.find(_RUN_TEXT)
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_XML_SPACE, "preserve")
    else:
        t.attrib.pop(_XML_SPACE, None)
    return _append(doc, p)


def set_style_id(paragraph: Any, style_id: str | None) -> None:
    """A paragraph's style by id (None: the default style), without python-docx's lookup of
    the name among every style."""
    paragraph._p.style = style_id


def add_text(run: Any, text: str) -> None:
    """The one ``<w:t>`` ``run.text = text`` would make for text without tabs or breaks,
    without its loop over the characters."""
    run._r.add_t(text)


# ---------------------------------------------------------------- tables


def table_grid(table: Any) -> list[Any]:
    """The table's cells row by row, one per grid position (what ``table.cell(r, c)``
    reads); after a merge, the positions outside the merged region keep their cells."""
    cells: list[Any] = table._cells
    return cells


def keep_row_on_one_page(row: Any, repeat_as_header: bool) -> None:
    """A row that does not break across pages and, as a header, repeats on each page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))  # schema order: cantSplit before tblHeader
    if repeat_as_header:
        trpr.append(OxmlElement("w:tblHeader"))


def set_cell_margins(table: Any, left_right_twips: int) -> None:
    """Left and right margins inside every cell of a table."""
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(left_right_twips))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    table._tbl.tblPr.insert_element_before(
        mar, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )
