"""``nianbao preview``: the draft converted to PDF by LibreOffice, page 1 rendered to PNG.

Runs wherever LibreOffice is installed. Under ``CI`` (which installs it with
``.ci/setup.d/40-libreoffice.sh``) a missing ``soffice`` or ``pdftoppm`` fails the test.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.shared import Pt

from nianbao.cli import main
from nianbao.core.report.headings import Draft, number_sections
from nianbao.core.report.types import Paragraph, Sentence
from nianbao.io.docx.oxml import set_fonts
from nianbao.io.docx.render import render_docx
from nianbao.io.docx.template import chinese_text
from nianbao.io.pdf_preview import find_soffice, to_pdf
from tests.unit.test_report_model import report

pytestmark = pytest.mark.integration

TITLE = "绥芬河市2020年政府信息公开工作年度报告"


def need(tool: str | None, name: str) -> str:
    """The tool's path; skips locally when absent, fails under CI."""
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} missing in CI: .ci/setup.d/40-libreoffice.sh installs it")
        pytest.skip(f"{name} not installed")
    return tool


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def root(tmp_path: Path) -> Path:
    out = tmp_path / "root" / "output" / "2020"
    out.mkdir(parents=True)
    render_docx(report(), out / "report.docx")
    return tmp_path / "root"


def test_preview_pdf_and_page_one_png(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need(find_soffice(), "LibreOffice (soffice)")
    pdftoppm = need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    assert main(["preview", "--year", "2020", "--root", str(root)]) == 0
    pdf = root / "output" / "2020" / "report.pdf"
    assert f"已生成PDF预览：{pdf}" in capsys.readouterr().out
    assert pdf.read_bytes()[:5] == b"%PDF-"

    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "p1"],
        check=True,
        timeout=120,
    )
    width, height = png_size(tmp_path / "p1.png")
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1  # A4 portrait at 60 dpi

    pdffonts = shutil.which("pdffonts")
    fc_list = shutil.which("fc-list")
    noto = fc_list and subprocess.run(
        [fc_list, "Noto Serif CJK SC"], capture_output=True, text=True
    )
    if pdffonts is not None and noto and noto.stdout.strip():  # official fonts stood in by Noto CJK
        fonts = subprocess.run([pdffonts, pdf], capture_output=True, text=True).stdout
        assert "SerifCJK" in fonts and "Bold" in fonts  # 仿宋/宋体 body, 小标宋 title
        assert "SansCJK" in fonts  # 黑体 headings

    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None:  # same package as pdftoppm
        text = subprocess.run(
            [pdftotext, "-f", "1", "-l", "1", "-layout", pdf, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        flat = "".join(text.split())
        assert TITLE in flat
        assert "一、总体情况" in flat
        assert "—1—" in flat  # the PAGE field, evaluated
        pages = subprocess.run(
            [pdftotext, pdf, "-"], capture_output=True, text=True, check=True
        ).stdout.count("\f")
        assert pages >= 3
        last = subprocess.run(
            [pdftotext, "-f", str(pages), "-l", str(pages), pdf, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "绥芬河市人民政府" in last and "2021年1月25日" in "".join(last.split())


def test_preview_explains_how_to_install_libreoffice(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(root))  # no soffice on this PATH
    assert main(["preview", "--year", "2020", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "未找到 LibreOffice" in err
    assert "apt-get install -y libreoffice-writer fonts-noto-cjk" in err


def test_preview_without_a_draft(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "--year", "2020", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "找不到报告初稿" in err and "nianbao run --year 2020" in err


def glyphs(tmp_path: Path, name: str, font: str, chinese: bool = False) -> bytes:
    """Pixels of a line of characters whose Japanese and Chinese forms differ, drawn by the
    preview in ``font`` (``chinese``: the East Asian text marked zh-CN as the draft does)."""
    document = docx.Document()
    if chinese:
        chinese_text(document)
    run = document.add_paragraph().add_run("骨直令次化关")
    run.font.size = Pt(48)
    set_fonts(run, font, font)
    path = tmp_path / f"{name}.docx"
    document.save(str(path))
    pdf = to_pdf(path, tmp_path)
    pdftoppm = need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    subprocess.run(
        [pdftoppm, "-gray", "-r", "60", "-W", "500", "-H", "150", "-singlefile", pdf, pdf],
        check=True,
        timeout=120,
    )
    return pdf.with_suffix(".pdf.pgm").read_bytes()


def test_preview_draws_simplified_chinese_glyph_forms(tmp_path: Path) -> None:
    need(find_soffice(), "LibreOffice (soffice)")
    fc_list = shutil.which("fc-list")
    families = subprocess.run([fc_list or "true", ":", "family"], capture_output=True, text=True)
    if not {"Noto Serif CJK SC", "Noto Serif CJK JP"} <= set(families.stdout.splitlines()):
        pytest.skip("Noto Serif CJK SC and JP not both installed")
    sc = glyphs(tmp_path, "sc", "Noto Serif CJK SC")
    jp = glyphs(tmp_path, "jp", "Noto Serif CJK JP")
    assert sc != jp  # the test can tell the two forms apart
    for name in ("仿宋_GB2312", "宋体", "仿宋"):  # missing official fonts: SC stand-ins
        assert glyphs(tmp_path, f"stand-in-{len(name)}", name) == sc, name
    # text marked zh-CN (as every draft is) takes Chinese forms even from the JP face
    assert glyphs(tmp_path, "jp-zh", "Noto Serif CJK JP", chinese=True) == sc


def test_table_two_starts_where_the_text_ends(tmp_path: Path) -> None:
    """A page with room for table 二's heading and first blocks, not for all of it: the table
    starts there (it used to move whole to the next page, leaving the space empty)."""
    need(find_soffice(), "LibreOffice (soffice)")
    pdftotext = need(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    base = report()
    s2 = next(t for t in base.tables if t.key == "s2")
    filler = tuple(Paragraph((Sentence(f"第{i}行。"),)) for i in range(11))  # one line each
    sections = number_sections([Draft("总体情况", filler), Draft("主动公开政府信息情况", (s2,))])
    rep = replace(base, intro=Paragraph((Sentence("引言。"),)), sections=sections)
    render_docx(rep, tmp_path / "t.docx")
    pdf = to_pdf(tmp_path / "t.docx", tmp_path)
    text = subprocess.run([pdftotext, pdf, "-"], capture_output=True, text=True, check=True)
    pages = ["".join(page.split()) for page in text.stdout.split("\f")]
    assert "第10行。" in pages[0]  # the filler leaves about a third of page 1
    assert "二、主动公开政府信息情况" in pages[0] and "第二十条第（一）项" in pages[0]
    assert "第二十条第（九）项" in pages[1]  # the rest goes on
