"""Generated docs stay in step with the code."""

from __future__ import annotations

from nianbao.core.catalogue_doc import catalogue_markdown
from nianbao.core.findings import CATALOGUE
from tests.conftest import REPO


def test_findings_doc_is_current() -> None:
    on_disk = (REPO / "docs" / "findings.md").read_text(encoding="utf-8")
    assert on_disk == catalogue_markdown(), "run: nianbao findings-doc --out docs/findings.md"


def test_findings_doc_lists_every_code() -> None:
    text = catalogue_markdown()
    for code in CATALOGUE:
        assert f"`{code}`" in text
