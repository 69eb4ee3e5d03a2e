"""An edited draft read back as text for check-draft."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from nianbao.core.draft_check import DraftText


def read_draft(path: Path) -> DraftText:
    """Body paragraphs and table cell texts of a draft (merged cells repeated per grid cell)."""
    doc = Document(str(path))
    tables = tuple(
        tuple(tuple(cell.text for cell in row.cells) for row in table.rows) for table in doc.tables
    )
    return DraftText(tuple(p.text for p in doc.paragraphs), tables)
