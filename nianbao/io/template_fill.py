"""Fill a generated unit template by cell id, as any script (demo, tests) may do.

Input cells are found through the workbook's defined names (one per input cell id), text
fields through the layout of the format recorded on the hidden metadata sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.core.formats import FORMATS
from nianbao.core.layout import META_SHEET, TEXT_SHEET, meta_cells, text_cells
from nianbao.core.spec import CellType, FormatSpec
from nianbao.io.atomic import atomic_path

CENTS = Decimal("0.01")


def excel_value(cell_type: CellType | None, value: Decimal | int | float) -> int | float:
    """The value to store in Excel: money as a float rounded half up to cents, whole numbers as int.

    A non-integral value for a count cell is written as a float (not truncated), so tests
    can produce invalid returns on purpose.
    """
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if cell_type is CellType.MONEY:
        return float(number.quantize(CENTS, rounding=ROUND_HALF_UP))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def template_spec(wb: Workbook) -> FormatSpec | None:
    """The format recorded on a template's metadata sheet, if any and known."""
    if META_SHEET not in wb.sheetnames:
        return None
    row, col = meta_cells()["format"]
    fid = wb[META_SHEET].cell(row, col).value
    return FORMATS.get(str(fid)) if fid is not None else None


def resolve_name(wb: Workbook, cell_id: str) -> tuple[Worksheet, str]:
    """(worksheet, A1 coordinate) a workbook-level defined name points at."""
    try:
        name = wb.defined_names[cell_id]
    except KeyError:
        raise KeyError(f"unknown input cell id (no defined name): {cell_id}") from None
    dests = list(name.destinations)
    if len(dests) != 1:
        raise ValueError(f"defined name {cell_id} must point at one cell: {name.attr_text}")
    sheet, ref = dests[0]
    return wb[sheet], ref.replace("$", "")


def fill_workbook(
    path: Path,
    values: Mapping[str, Decimal | int],
    texts: Mapping[str, str] | None = None,
    out: Path | None = None,
) -> None:
    """Write ``values`` (input cell id -> number) and ``texts`` into a template.

    Saves to ``out``, or in place. Unknown cell ids or text keys raise KeyError.
    """
    wb = load_workbook(path)
    spec = template_spec(wb)
    for cell_id, value in values.items():
        ws, coord = resolve_name(wb, cell_id)
        cell_type = spec.cell[cell_id].type if spec and cell_id in spec.cell else None
        ws[coord].value = excel_value(cell_type, value)
    if texts:
        _fill_texts(wb, spec, texts)
    with atomic_path(out or path) as tmp:
        wb.save(tmp)


def _fill_texts(wb: Workbook, spec: FormatSpec | None, texts: Mapping[str, str]) -> None:
    if spec is None:
        raise ValueError("template has no known format on its metadata sheet")
    positions = text_cells(spec)
    ws = wb[TEXT_SHEET]
    for key, text in texts.items():
        if key not in positions:
            raise KeyError(f"unknown text field: {key}")
        row, col = positions[key]
        ws.cell(row, col).value = text
