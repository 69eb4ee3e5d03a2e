"""A small, fast .xlsx writer for plain tables: values, a few cell styles, widths, panes,
and how the sheet prints.

openpyxl costs ~30 ms to save even a one-sheet receipt and ~30 µs per cell, which at ten
thousand units is minutes (a receipt per unit, a 汇总表 of two million cells). The outputs
nianbao writes this way are plain tables, so this writer streams the SpreadsheetML itself:
inline strings, numbers, dates (a naive local ``datetime`` becomes an Excel date with a
date-time format), bold/size/colour fonts, solid fills, thin borders, number formats,
wrapping and alignment, merged ranges, column widths, row heights, a frozen pane, and the
print set-up (A4, orientation, fit to one page wide, rows and columns repeated on every
page, page numbers). Templates and marked-up returns still use openpyxl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from nianbao.core.layout import col_letter
from nianbao.io.atomic import atomic_write_bytes
from nianbao.io.memo import Memo
from nianbao.io.zip_writer import deflate, small_part, zip_archive

Value = str | int | float | Decimal | datetime | None

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
FONT_NAME = "宋体"
_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (1900 date system, past its leap-year bug)


@dataclass(frozen=True)
class Style:
    """A cell's look (font, fill, border, number format, alignment); the default is plain
    11 pt text."""

    bold: bool = False
    size: float | None = None
    color: str | None = None  # font colour, RRGGBB
    fill: str | None = None  # solid fill, RRGGBB
    wrap: bool = False
    horizontal: str | None = None
    vertical: str | None = None
    indent: int = 0  # left indent, in characters
    border: bool = False  # thin lines on all four sides
    num_fmt: str | None = None  # an Excel number format code, e.g. "0" or DATETIME_FORMAT


PLAIN = Style()


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: A4, one page wide (as many tall as needed) unless ``fit_width``
    is off (then at ``scale`` percent), with ``title_rows`` / ``title_cols`` (first, last;
    1-based) repeated on every page and the page number in the footer."""

    landscape: bool = False
    fit_width: bool = True
    scale: int = 100
    title_rows: tuple[int, int] | None = None
    title_cols: tuple[int, int] | None = None


@dataclass
class Sheet:
    """One worksheet: rows of values from A1, and how they look and print."""

    title: str
    rows: Sequence[Sequence[Value]]
    row_styles: dict[int, Style] = field(default_factory=dict)  # 1-based row -> style
    cell_styles: dict[tuple[int, int], Style] = field(default_factory=dict)  # (row, col)
    styled_from: tuple[int, Style] | None = None  # every cell from this row down
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column -> width
    heights: dict[int, float] = field(default_factory=dict)  # 1-based row -> points
    freeze: tuple[int, int] | None = None  # (row, column) of the first scrolling cell
    default_height: float | None = None  # points, for rows without their own height
    merges: Sequence[str] = ()  # ranges such as "A1:H1"
    page: PageSetup = PageSetup()


# ---------------------------------------------------------------- the parts


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_THIN = '<{0} style="thin"><color indexed="64"/></{0}>'
_BORDER = "<border>" + "".join(_THIN.format(s) for s in ("left", "right", "top", "bottom"))
_BORDER += "<diagonal/></border>"
_FOOTER = "&amp;C&amp;A　第 &amp;P 页，共 &amp;N 页"  # sheet name, page of pages


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


def excel_serial(moment: datetime) -> float:
    """An Excel date number (days since 1899-12-30) of a naive local ``moment``."""
    if moment.tzinfo is not None:
        raise ValueError(f"Excel dates carry no zone; convert to local time: {moment}")
    delta = moment - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


class _Styles:
    """The styles part, built from the styles used (index 0 is plain)."""

    def __init__(self) -> None:
        self.index: dict[Style, int] = {PLAIN: 0}
        self.seen: dict[int, tuple[Style, int]] = {}  # by id: most styles are constants

    def of(self, style: Style | None) -> int:
        if style is None:
            return 0
        hit = self.seen.get(id(style))
        if hit is None:
            hit = self.seen[id(style)] = (style, self.index.setdefault(style, len(self.index)))
        return hit[1]

    def xml(self) -> str:
        styles = list(self.index)
        formats = {
            code: 164 + i
            for i, code in enumerate(dict.fromkeys(s.num_fmt for s in styles if s.num_fmt))
        }
        fonts, fills, xfs = [], [], []
        for s in styles:
            bold = "<b/>" if s.bold else ""
            color = f'<color rgb="FF{s.color}"/>' if s.color else ""
            fonts.append(
                f'<font>{bold}<sz val="{s.size or 11}"/>{color}<name val="{FONT_NAME}"/></font>'
            )
            if s.fill:
                fills.append(
                    f'<fill><patternFill patternType="solid"><fgColor rgb="FF{s.fill}"/>'
                    "</patternFill></fill>"
                )
        fill_no = 2
        for i, s in enumerate(styles):
            fill = 0
            if s.fill:
                fill, fill_no = fill_no, fill_no + 1
            align = ""
            if s.wrap or s.horizontal or s.vertical or s.indent:
                attrs = "".join(
                    f' {k}="{v}"'
                    for k, v in (
                        ("horizontal", s.horizontal or ("left" if s.indent else None)),
                        ("vertical", s.vertical),
                        ("wrapText", "1" if s.wrap else None),
                        ("indent", s.indent or None),
                    )
                    if v
                )
                align = f"<alignment{attrs}/>"
            fmt = formats.get(s.num_fmt or "", 0)
            applied = ' applyFill="1"' if fill else ""
            applied += ' applyBorder="1"' if s.border else ""
            applied += ' applyNumberFormat="1"' if fmt else ""
            applied += ' applyAlignment="1"' if align else ""
            xfs.append(
                f'<xf numFmtId="{fmt}" fontId="{i}" fillId="{fill}" borderId="{int(s.border)}"'
                f' xfId="0" applyFont="1"{applied}>{align}</xf>'
            )
        numfmts = "".join(
            f"<numFmt numFmtId={quoteattr(str(n))} formatCode={quoteattr(code)}/>"
            for code, n in formats.items()
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
            + (f'<numFmts count="{len(formats)}">{numfmts}</numFmts>' if formats else "")
            + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
            f'<fill><patternFill patternType="gray125"/></fill>{"".join(fills)}</fills>'
            '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
            f"{_BORDER}</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        )


def _decimal_text(value: Decimal) -> str:
    """A decimal's ``<v>`` text: an integral one as an integer, any other as the nearest
    float (what Excel keeps)."""
    return str(int(value)) if value == value.to_integral_value() else repr(float(value))


def _cell(
    ref: str, value: Value, style: Style | None, styles: _Styles, decimals: Memo[Decimal, str]
) -> str:
    if isinstance(value, datetime):
        dated = replace(style or PLAIN, num_fmt=(style and style.num_fmt) or DATETIME_FORMAT)
        return f'<c r="{ref}" s="{styles.of(dated)}"><v>{excel_serial(value)!r}</v></c>'
    index = styles.of(style)
    s = f' s="{index}"' if index else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if index else ""
    if isinstance(value, str):
        return (
            f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
        )
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    number = decimals[value] if isinstance(value, Decimal) else repr(value)
    return f'<c r="{ref}"{s}><v>{number}</v></c>'


_FLOATS = frozenset((int, float))
_NUMBERS = frozenset((int, float, Decimal))


class _NumberRuns:
    """A row's tail of plain numbers (a 汇总表 row: ~200 of them after the unit's name)
    written by one ``str.format`` of a template made once per (first column, style).

    Cell by cell, 汇总表 at 10,000 units (two million cells) took 1.11 CPU s to write, its
    decimals made floats first; through the templates 0.69 s, the same bytes.
    """

    def __init__(self, letters: list[str]) -> None:
        self.letters = letters
        self.templates: dict[tuple[int, int, str], str] = {}

    def tail(
        self,
        row: int,
        values: Sequence[Value],
        styled: int,
        plain: str,
        decimals: Memo[Decimal, str],
    ) -> tuple[int, str]:
        """(n, cells): the cells of the values after the first n, or n = all of them and
        "" when those are not all numbers of one kind. The tail starts at the first number
        after column ``styled`` (the row's last cell with a style of its own)."""
        n, first = len(values), styled
        while first < n and type(values[first]) not in _NUMBERS:
            first += 1
        rest = values[first:]
        if not rest:
            return n, ""
        kinds = set(map(type, rest))
        if kinds <= _FLOATS:
            texts = map(repr, rest)
        elif kinds == {Decimal}:
            texts = map(decimals.__getitem__, rest)  # type: ignore[arg-type]
        else:
            return n, ""
        key = (first, n, plain)
        template = self.templates.get(key)
        if template is None:
            template = self.templates[key] = "".join(
                f'<c r="{self.letters[c]}{{0}}"{plain}><v>{{{i}}}</v></c>'
                for i, c in enumerate(range(first, n), start=1)
            )
        return first, template.format(row, *texts)


def _sheet_parts(sheet: Sheet, styles: _Styles) -> Iterable[str]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
    if sheet.page.fit_width:
        yield '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
    if sheet.freeze:
        row, col = sheet.freeze
        split = "".join(f' {k}="{v}"' for k, v in (("xSplit", col - 1), ("ySplit", row - 1)) if v)
        pane = "bottomRight" if row > 1 and col > 1 else ("bottomLeft" if row > 1 else "topRight")
        yield (
            f'<sheetViews><sheetView workbookViewId="0"><pane{split}'
            f' topLeftCell="{col_letter(col)}{row}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}"/></sheetView></sheetViews>'
        )
    else:
        yield '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    if sheet.default_height:
        yield f'<sheetFormatPr defaultRowHeight="{sheet.default_height}" customHeight="1"/>'
    if sheet.widths:
        cols = "".join(
            f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
            for c, w in sorted(sheet.widths.items())
        )
        yield f"<cols>{cols}</cols>"
    yield "<sheetData>"
    width = max((len(r) for r in sheet.rows), default=0)
    letters = [col_letter(c) for c in range(1, width + 1)]
    below = sheet.styled_from
    decimals = Memo(_decimal_text)  # figures repeat a lot
    runs = _NumberRuns(letters)
    last_styled: dict[int, int] = {}  # row -> its last column with a style of its own
    for r, c in sheet.cell_styles:
        last_styled[r] = max(c, last_styled.get(r, 0))
    for r, values in enumerate(sheet.rows, start=1):
        row_style = sheet.row_styles.get(r) or (below[1] if below and r >= below[0] else None)
        base = styles.of(row_style)
        plain = f' s="{base}"' if base else ""
        run, text = runs.tail(r, values, last_styled.get(r, 0), plain, decimals)
        cells = []
        for c, value in enumerate(values[:run], start=1):
            own = sheet.cell_styles.get((r, c)) if sheet.cell_styles else None
            cells.append(_cell(f"{letters[c - 1]}{r}", value, own or row_style, styles, decimals))
        cells.append(text)
        height = sheet.heights.get(r)
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        yield f'<row r="{r}"{attrs}>{"".join(cells)}</row>'
    yield "</sheetData>"
    if sheet.merges:
        merged = "".join(f'<mergeCell ref="{m}"/>' for m in sheet.merges)
        yield f'<mergeCells count="{len(sheet.merges)}">{merged}</mergeCells>'
    yield _print_parts(sheet.page)
    yield "</worksheet>"


def _print_parts(page: PageSetup) -> str:
    orientation = "landscape" if page.landscape else "portrait"
    fit = ' fitToWidth="1" fitToHeight="0"' if page.fit_width else f' scale="{page.scale}"'
    return (
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="9" orientation="{orientation}"{fit}/>'
        f"<headerFooter><oddFooter>{_FOOTER}</oddFooter></headerFooter>"
    )


def _print_titles(sheet: Sheet) -> str:
    """The sheet's ``_xlnm.Print_Titles`` reference (columns first, as Excel writes it)."""
    name = "'" + _ILLEGAL.sub("", sheet.title).replace("'", "''") + "'"
    refs = []
    if sheet.page.title_cols:
        first, last = sheet.page.title_cols
        refs.append(f"{name}!${col_letter(first)}:${col_letter(last)}")
    if sheet.page.title_rows:
        first, last = sheet.page.title_rows
        refs.append(f"{name}!${first}:${last}")
    return ",".join(refs)


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` as an .xlsx at ``path`` (built in memory, then written and renamed)."""
    styles = _Styles()
    worksheets = [  # first: they collect the styles used
        (f"xl/worksheets/sheet{i}.xml", deflate(_sheet_parts(sheet, styles)))
        for i, sheet in enumerate(sheets, start=1)
    ]
    parts = [(name, small_part(text)) for name, text in _package(sheets)]
    parts += [("xl/styles.xml", small_part(styles.xml())), *worksheets]
    atomic_write_bytes(path, zip_archive(parts))


def _package(sheets: Sequence[Sheet]) -> list[tuple[str, str]]:
    """The package's fixed parts: content types, relationships, the workbook."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_CT}"/>'
        for i in range(1, n + 1)
    )
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    sheet_list = "".join(
        f'<sheet name={quoteattr(_ILLEGAL.sub("", s.title))} sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    titles = "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{escape(ref)}</definedName>'
        for i, ref in enumerate(_print_titles(s) for s in sheets)
        if ref
    )
    names = f"<definedNames>{titles}</definedNames>" if titles else ""
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{_SHEET_REL}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    return [
        (
            "[Content_Types].xml",
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_BOOK_CT}"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_STYLES_CT}"/>{overrides}</Types>',
        ),
        (
            "_rels/.rels",
            f'{head}<Relationships xmlns="{rels}">'
            f'<Relationship Id="rId1" Type="{_DOC}" Target="xl/workbook.xml"/></Relationships>',
        ),
        (
            "xl/workbook.xml",
            f'{head}<workbook {_NS} xmlns:r="{_REL_NS}"><sheets>{sheet_list}</sheets>'
            f"{names}</workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{head}<Relationships xmlns="{rels}">{links}'
            f'<Relationship Id="rId{n + 1}" Type="{_STYLES_REL}" Target="styles.xml"/>'
            "</Relationships>",
        ),
    ]
