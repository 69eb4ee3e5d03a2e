"""Copies of one real filled template for other units, made by patching its XML parts.

Writing and filling a template with openpyxl costs ~300 ms; ten thousand of them would take
most of an hour. Instead one prototype is written by ``template_writer`` and filled by
``template_fill``; each unit's file is that workbook with, in the sheet XML, the ``<v>`` of
every value cell (input cells, and the cached results of the 总计 formulas, as Excel stores
them) replaced, and the prototype's unit code and name replaced wherever the template writer
put them (metadata sheet, info rows, guide, document properties). Every other byte of every
part is the prototype's.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath

from nianbao.core.layout import a1, layouts
from nianbao.core.spec import FormatSpec
from nianbao.core.validate import derive
from nianbao.io.template_fill import excel_value

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>(?:<f>[^<]*</f>)?<v>([^<]*)</v>')

Slot = tuple[str, str]  # ("cell", cell id) | ("text", "code" or "name" in raw or charref form)


def _charrefs(text: str) -> bytes:
    """``text`` as openpyxl writes non-ASCII in sheet XML: ``&#NNNNN;`` per character."""
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in text).encode("ascii")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name, from the workbook and its relationships."""
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    book = ET.fromstring(archive.read("xl/workbook.xml"))
    out = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        ref = target[sheet.get(_REL)]
        part = ref.lstrip("/") if ref.startswith("/") else str(PurePosixPath("xl") / ref)
        out[sheet.get("name", "")] = part
    return out


@dataclass
class _Part:
    """One zip member split into constant byte pieces and the slots between them."""

    info: zipfile.ZipInfo
    pieces: list[bytes]
    slots: list[Slot]

    def render(self, values: Mapping[Slot, bytes]) -> bytes:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out += (values[slot], piece)
        return b"".join(out)


def _split(data: bytes, spans: list[tuple[int, int, Slot]]) -> tuple[list[bytes], list[Slot]]:
    pieces, slots, pos = [], [], 0
    for start, end, slot in sorted(spans):
        if start < pos:
            raise ValueError("overlapping replacements in a workbook part")
        pieces.append(data[pos:start])
        slots.append(slot)
        pos = end
    pieces.append(data[pos:])
    return pieces, slots


def _text_spans(data: bytes, unit_code: str, unit_name: str) -> list[tuple[int, int, Slot]]:
    spans = []
    needles = {
        ("text", "code"): unit_code.encode(),
        ("text", "name"): unit_name.encode(),
        ("text", "name_ref"): _charrefs(unit_name),
    }
    for slot, needle in needles.items():
        spans += [(m.start(), m.end(), slot) for m in re.finditer(re.escape(needle), data)]
    return spans


class Patcher:
    """Makes unit workbooks from one filled prototype of a format."""

    def __init__(self, spec: FormatSpec, prototype: Path, unit_code: str, unit_name: str):
        self.spec = spec
        with zipfile.ZipFile(prototype) as archive:
            sheets = _sheet_parts(archive)
            cells_by_part: dict[str, dict[bytes, str]] = {}
            for lay in layouts(spec):
                refs = cells_by_part.setdefault(sheets[lay.sheet], {})
                for cid, (row, col) in lay.cells.items():
                    refs[a1(row, col).encode()] = cid
            self.parts = []
            for info in archive.infolist():
                data = archive.read(info)
                spans = _text_spans(data, unit_code, unit_name)
                wanted = cells_by_part.get(info.filename, {})
                found = {m.group(1): m.span(2) for m in _CELL.finditer(data)}
                missing = [cid for ref, cid in wanted.items() if ref not in found]
                if missing:
                    raise ValueError(f"prototype has no <v> for cells {missing[:5]}…")
                spans += [(*found[ref], ("cell", cid)) for ref, cid in wanted.items()]
                pieces, slots = _split(data, spans)
                self.parts.append(_Part(info, pieces, slots))

    def values(self, code: str, name: str, figures: Mapping[str, Decimal]) -> dict[Slot, bytes]:
        """What goes into every slot for one unit: its code, name and cell values."""
        full: dict[str, Decimal | None] = {c: figures[c] for c in self.spec.inputs}
        derive(self.spec, full)
        out: dict[Slot, bytes] = {
            ("text", "code"): code.encode(),
            ("text", "name"): name.encode(),
            ("text", "name_ref"): _charrefs(name),
        }
        for cid, value in full.items():
            if value is None:
                raise ValueError(f"no value for {cid}")
            out[("cell", cid)] = str(excel_value(self.spec.cell[cid].type, value)).encode()
        return out

    def write(
        self, path: Path, code: str, name: str, figures: Mapping[str, Decimal], mtime: float
    ) -> None:
        """Write one unit's workbook (members in the prototype's order and dates)."""
        values = self.values(code, name, figures)
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for part in self.parts:
                info = zipfile.ZipInfo(part.info.filename, part.info.date_time)
                info.compress_type = part.info.compress_type
                info.external_attr = part.info.external_attr
                out.writestr(info, part.render(values))
        os.utime(path, (mtime, mtime))
