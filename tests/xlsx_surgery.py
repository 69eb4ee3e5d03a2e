"""Hostile and odd workbooks made from real ones by rewriting their zip parts."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = RELS + b"/worksheet"
WORKSHEET_CONTENT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def parts(path: Path) -> dict[str, bytes]:
    """Every member of the workbook, in order."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_parts(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)


def sheet_part(members: dict[str, bytes], sheet: str) -> str:
    """The member holding ``sheet``'s XML."""
    book = members["xl/workbook.xml"].decode()
    rid = re.search(rf'name="{re.escape(sheet)}"[^>]*r:id="(rId\d+)"', book)
    assert rid is not None, sheet
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Target="([^"]+)" Id="{rid.group(1)}"', rels)
    assert target is not None
    return target.group(1).lstrip("/")


def replace_sheet(path: Path, sheet: str, xml: bytes) -> None:
    """Rewrite ``path`` with ``sheet``'s XML replaced."""
    members = parts(path)
    members[sheet_part(members, sheet)] = xml
    write_parts(path, members)


def add_sheet(path: Path, sheet: str, xml: bytes) -> None:
    """Rewrite ``path`` with one more worksheet ``sheet`` holding ``xml``."""
    members = parts(path)
    n = 1 + sum(1 for m in members if m.startswith("xl/worksheets/sheet"))
    part = f"xl/worksheets/sheet{n}.xml"
    rid = f"rIdExtra{n}".encode()
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        b"</sheets>",
        b'<sheet xmlns:r="%s" name="%s" sheetId="%d" state="visible" r:id="%s"/></sheets>'
        % (RELS, sheet.encode(), 100 + n, rid),
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="%s" Target="/%s" Id="%s"/></Relationships>'
        % (WORKSHEET_TYPE, part.encode(), rid),
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/%s" ContentType="%s"/></Types>' % (part.encode(), WORKSHEET_CONTENT),
    )
    members[part] = xml
    write_parts(path, members)


def rows_xml(rows: int) -> bytes:
    """A worksheet of ``rows`` rows (a number and a text each)."""
    text = "明细".encode()
    body = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>%s</t></is></c></row>'
        % (r, r, r, r, text)
        for r in range(1, rows + 1)
    )
    return b'<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (MAIN, body)


def padded(xml: bytes, extra: int) -> bytes:
    """``xml`` with ``extra`` bytes of whitespace before its root's end (inflates, parses)."""
    end = xml.rindex(b"</")
    return xml[:end] + b" " * extra + xml[end:]
