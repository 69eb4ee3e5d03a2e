"""A small, fast .xlsx writer for plain tables: values, a few cell styles, widths, panes.

openpyxl costs ~30 ms to save even a one-sheet receipt and ~30 µs per cell, which at ten
thousand units is minutes (a receipt per unit, a 汇总表 of two million cells). The outputs
nianbao writes this way are plain tables, so this writer streams the SpreadsheetML itself:
inline strings, numbers, bold/size/colour fonts, solid fills, wrapping and alignment, column
widths, row heights and a frozen pane. Templates and marked-up returns still use openpyxl.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from nianbao.core.layout import col_letter
from nianbao.io.atomic import atomic_write_bytes

Value = str | int | float | None


@dataclass(frozen=True)
class Style:
    """A cell's look (font, fill, alignment); the default is plain 11 pt text."""

    bold: bool = False
    size: float | None = None
    color: str | None = None  # font colour, RRGGBB
    fill: str | None = None  # solid fill, RRGGBB
    wrap: bool = False
    horizontal: str | None = None
    vertical: str | None = None


PLAIN = Style()


@dataclass
class Sheet:
    """One worksheet: rows of values from A1, and how they look."""

    title: str
    rows: Sequence[Sequence[Value]]
    row_styles: dict[int, Style] = field(default_factory=dict)  # 1-based row -> style
    cell_styles: dict[tuple[int, int], Style] = field(default_factory=dict)  # (row, col)
    styled_from: tuple[int, Style] | None = None  # every cell from this row down
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column -> width
    heights: dict[int, float] = field(default_factory=dict)  # 1-based row -> points
    freeze: tuple[int, int] | None = None  # (row, column) of the first scrolling cell


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


class _Styles:
    """The styles part, built from the styles used (index 0 is plain)."""

    def __init__(self) -> None:
        self.index: dict[Style, int] = {PLAIN: 0}

    def of(self, style: Style | None) -> int:
        if style is None:
            return 0
        return self.index.setdefault(style, len(self.index))

    def xml(self) -> str:
        styles = list(self.index)
        fonts, fills, xfs = [], [], []
        for s in styles:
            bold = "<b/>" if s.bold else ""
            color = f'<color rgb="FF{s.color}"/>' if s.color else ""
            fonts.append(f'<font>{bold}<sz val="{s.size or 11}"/>{color}<name val="宋体"/></font>')
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
            if s.wrap or s.horizontal or s.vertical:
                attrs = "".join(
                    f' {k}="{v}"'
                    for k, v in (
                        ("horizontal", s.horizontal),
                        ("vertical", s.vertical),
                        ("wrapText", "1" if s.wrap else None),
                    )
                    if v
                )
                align = f"<alignment{attrs}/>"
            applied = ' applyFill="1"' if fill else ""
            applied += ' applyAlignment="1"' if align else ""
            xfs.append(
                f'<xf numFmtId="0" fontId="{i}" fillId="{fill}" borderId="0" xfId="0"'
                f' applyFont="1"{applied}>{align}</xf>'
            )
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
            f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
            f'<fill><patternFill patternType="gray125"/></fill>{"".join(fills)}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        )


def _cell(ref: str, value: Value, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, str):
        return (
            f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
        )
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    return f'<c r="{ref}"{s}><v>{value!r}</v></c>'


def _sheet_parts(sheet: Sheet, styles: _Styles) -> Iterable[str]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
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
    for r, values in enumerate(sheet.rows, start=1):
        row_style = sheet.row_styles.get(r) or (below[1] if below and r >= below[0] else None)
        base = styles.of(row_style)
        cells = []
        plain = f' s="{base}"' if base else ""
        for c, value in enumerate(values, start=1):
            own = sheet.cell_styles.get((r, c)) if sheet.cell_styles else None
            if own is None and type(value) in (int, float):  # most cells: a plain number
                cells.append(f'<c r="{letters[c - 1]}{r}"{plain}><v>{value!r}</v></c>')
                continue
            cells.append(_cell(f"{letters[c - 1]}{r}", value, styles.of(own) if own else base))
        height = sheet.heights.get(r)
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        yield f'<row r="{r}"{attrs}>{"".join(cells)}</row>'
    yield "</sheetData></worksheet>"


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` as an .xlsx at ``path`` (built in memory, then written and renamed)."""
    styles = _Styles()
    worksheets = [  # first: they collect the styles used
        (f"xl/worksheets/sheet{i}.xml", _deflate(_sheet_parts(sheet, styles)))
        for i, sheet in enumerate(sheets, start=1)
    ]
    parts = [(name, _small(text)) for name, text in _package(sheets)]
    parts += [("xl/styles.xml", _small(styles.xml())), *worksheets]
    atomic_write_bytes(path, _zip(parts))


# ---------------------------------------------------------------- the zip container


@dataclass(frozen=True)
class _Member:
    """A deflated zip member: CRC-32, sizes and the compressed bytes."""

    crc: int
    size: int
    data: bytes


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DEFLATED = 8
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, 00:00: the same bytes for the same content
_SMALL: dict[str, _Member] = {}  # deflated small parts: most are the same in every file


def _deflate(chunks: Iterable[str]) -> _Member:
    """Compress streamed text (level 1: these files are written once and soon replaced)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    out, pending, crc, size = [], [], 0, 0
    for chunk in chunks:
        pending.append(chunk)
        if len(pending) >= 256:
            raw = "".join(pending).encode()
            crc, size = zlib.crc32(raw, crc), size + len(raw)
            out.append(packer.compress(raw))
            pending = []
    raw = "".join(pending).encode()
    crc, size = zlib.crc32(raw, crc), size + len(raw)
    out += [packer.compress(raw), packer.flush()]
    return _Member(crc, size, b"".join(out))


def _small(text: str) -> _Member:
    """A small part, deflated once per distinct text."""
    member = _SMALL.get(text)
    if member is None:
        member = _deflate([text])
        if len(_SMALL) < 256:
            _SMALL[text] = member
    return member


def _zip(parts: Sequence[tuple[str, _Member]]) -> bytes:
    """The zip archive of ``parts`` (no ZIP64: an .xlsx part here stays far below 4 GB)."""
    body, directory, offset = [], [], 0
    for name, m in parts:
        if max(m.size, len(m.data), offset) >= 0xFFFFFFFF:
            raise ValueError(f"{name}: too large for a zip without ZIP64")
        raw = name.encode()
        fields = (_DEFLATED, 0, _DOS_DATE, m.crc, len(m.data), m.size, len(raw))
        body += [_LOCAL.pack(0x04034B50, 20, 0, *fields, 0), raw, m.data]
        directory += [_CENTRAL.pack(0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0, 0, offset), raw]
        offset += _LOCAL.size + len(raw) + len(m.data)
    listing = b"".join(directory)
    end = _END.pack(0x06054B50, 0, 0, len(parts), len(parts), len(listing), offset, 0)
    return b"".join([*body, listing, end])


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
            f'{head}<workbook {_NS} xmlns:r="{_REL_NS}"><sheets>{sheet_list}</sheets></workbook>',
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{head}<Relationships xmlns="{rels}">{links}'
            f'<Relationship Id="rId{n + 1}" Type="{_STYLES_REL}" Target="styles.xml"/>'
            "</Relationships>",
        ),
    ]
