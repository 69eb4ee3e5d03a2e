"""What clerks print, rendered as they would see it: every workbook nianbao writes (templates
of both formats, a rejection, a receipt, status.xlsx, 汇总表) converted to PDF by LibreOffice
headless (with ``nianbao preview``'s font stand-ins) and checked from the PDF: A4 pages, the
pages each sheet takes and their orientation, long labels on one line, header rows repeated,
text large enough to read. The README's pictures (docs/img/print-*.png) are rendered here and
copied into docs/img with ``NIANBAO_UPDATE_DOCS_IMG=1``.

Runs wherever LibreOffice (Calc) is installed; under ``CI`` a missing tool fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019, format_for_year
from nianbao.core.layout import GUIDE_SHEET, RESULT_SHEET, TEXT_SHEET
from nianbao.core.model import CycleResult, RawWorkbook, Status, Submission, Unit
from nianbao.core.parse import Extracted, extract
from nianbao.core.process import consolidate, process_workbook
from nianbao.core.roster import UnitKind
from nianbao.core.unit_status import cycle_status
from nianbao.io.export import write_summary
from nianbao.io.feedback import write_rejection
from nianbao.io.pdf_preview import find_soffice, to_pdf
from nianbao.io.receipt import RECEIPT_SHEET, write_receipt
from nianbao.io.status_book import write_status_book
from nianbao.io.template_writer import write_template
from nianbao.io.xlsx_read import read_workbook
from tests.conftest import update_docs_image
from tests.helpers import make_workbook, unit_figures
from tests.integration.test_preview import need

pytestmark = pytest.mark.integration

DPI = "80"
A4 = (595.3, 841.9)
S2, S3, S4 = "二、主动公开", "三、依申请公开", "四、复议诉讼"
UNITS = (
    Unit("fgw", "市发展和改革委员会", "部门", "赵敏", "0453-3921001"),
    Unit("jyj", "市教育局", "部门", "钱进", "0453-3921002"),
    Unit("sfhz", "绥芬河镇", UnitKind.TOWNSHIP, "孙丽", "0453-3921003"),
    Unit("kaw", "口岸委", "部门", "李强", "0453-3921004"),
)
FGW, JYJ, SFHZ, KAW = UNITS
AT = datetime(2021, 1, 10, 2, tzinfo=UTC)  # 10:00 in Beijing
FOOTER = re.compile(r"^\s*(\S+)\s+第 (\d+) 页，共 (\d+) 页\s*$", re.M)


@dataclass
class Page:
    """One PDF page: size in points, its text (layout kept) and the sheet named in its footer."""

    width: float
    height: float
    text: str
    sheet: str

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def flat(self) -> str:
        return "".join(self.text.split())


@dataclass
class Printout:
    pdf: Path
    pages: list[Page]

    def of(self, sheet: str) -> list[tuple[int, Page]]:
        """(1-based page number, page) of each page printing ``sheet``."""
        return [(i, p) for i, p in enumerate(self.pages, start=1) if p.sheet == sheet]


def _run(*cmd: str | Path) -> str:
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def printout(xlsx: Path, out: Path) -> Printout:
    pdf = to_pdf(xlsx, out)
    count = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", pdf)).group(1))  # type: ignore[union-attr]
    sizes = re.findall(
        r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", _run("pdfinfo", "-f", "1", "-l", str(count), pdf)
    )
    pages = []
    for number, (w, h) in enumerate(sizes, start=1):
        text = _run("pdftotext", "-f", str(number), "-l", str(number), "-layout", pdf, "-")
        footer = FOOTER.findall(text)
        pages.append(Page(float(w), float(h), text, footer[-1][0] if footer else ""))
    assert len(pages) == count
    return Printout(pdf, pages)


def char_width(pdf: Path, page: int, word: str) -> float:
    """Printed width in points of one character of a CJK ``word`` on ``page`` (11 pt text
    at 100 % is 11)."""
    html = _run("pdftotext", "-f", str(page), "-l", str(page), "-bbox", pdf, "-")
    found = re.search(rf'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">{word}<', html)
    assert found, word
    return (float(found.group(2)) - float(found.group(1))) / len(word)


def save_png(pdf: Path, page: int, name: str) -> Path:
    """Page ``page`` as ``name``.png beside the PDF (the README shows it: docs/img/, updated
    with ``NIANBAO_UPDATE_DOCS_IMG=1``)."""
    target = pdf.parent / name
    _run(
        "pdftoppm", "-png", "-r", DPI, "-f", str(page), "-l", str(page), "-singlefile", pdf, target
    )
    png = target.with_suffix(".png")
    assert png.stat().st_size < 250_000
    update_docs_image(png)
    return png


def a4(p: Page) -> bool:
    return sorted((round(p.width, 1), round(p.height, 1))) == list(A4)


# --- the samples --------------------------------------------------------------------


@dataclass
class Samples:
    files: dict[str, Path]
    printed: dict[str, Printout]


def _cycle(root: Path) -> tuple[CycleResult, list[Submission], dict[str, RawWorkbook]]:
    """Four units: 发改委's return loses an outcome (A1) and has a word for a number (rejected),
    the town leaves a cell blank and reports 规章 (accepted with two warnings), 口岸委 sends
    nothing."""
    units = {u.code: u for u in UNITS}
    files = {}
    for unit, seed in ((FGW, 31), (JYJ, 32), (SFHZ, 33)):
        files[unit.code] = make_workbook(
            root / "inbox" / unit.code / "报表.xlsx", unit, unit_figures(seed), received=AT
        )
    wb = load_workbook(files["fgw"])
    wb[S3]["D7"] = wb[S3]["D7"].value + 2  # two applications without an outcome
    wb[S2]["B6"] = "十一"
    wb.save(files["fgw"])
    wb = load_workbook(files["sfhz"])
    wb[S4]["A7"] = None
    wb.save(files["sfhz"])
    stamp = AT.timestamp()
    for path in files.values():
        os.utime(path, (stamp, stamp))
    raws = {c: read_workbook(p, c, f"{c}/{p.name}") for c, p in files.items()}
    # openpyxl stamps the save time into a workbook: a fixed fingerprint keeps the pictures stable
    subs = [
        replace(
            process_workbook(r, FORMAT_2019, 2020, units), sha256=sha256(c.encode()).hexdigest()
        )
        for c, r in raws.items()
    ]
    deadline = datetime(2021, 1, 9, 10, tzinfo=UTC)
    return consolidate(FORMAT_2019, 2020, UNITS, subs, deadline=deadline), subs, raws


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Samples]:
    need(find_soffice(), "LibreOffice (soffice)")
    need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    root = tmp_path_factory.mktemp("print")
    out = root / "out"
    out.mkdir()
    result, subs, raws = _cycle(root)
    fgw, jyj, sfhz = subs
    assert (fgw.status, jyj.status, sfhz.status) == (
        Status.REJECTED,
        Status.ACCEPTED,
        Status.ACCEPTED_WITH_WARNINGS,
    )
    files = {
        "template-2019": out / "template-2019.xlsx",
        "template-2021": out / "template-2021.xlsx",
        "rejection": out / "rejection.xlsx",
        "receipt": out / "receipt.xlsx",
        "status": out / "status.xlsx",
    }
    write_template(FORMAT_2019, FGW, 2020, files["template-2019"])
    write_template(format_for_year(2021), FGW, 2021, files["template-2021"])
    extracted = Extracted()
    list(extract(FORMAT_2019, raws["fgw"].grids, extracted))
    write_rejection(files["rejection"], FORMAT_2019, FGW, 2020, fgw, extracted.values, {})
    receipt = result.current("sfhz")  # with its plausibility warning: a town reporting 规章
    assert receipt is not None
    write_receipt(files["receipt"], SFHZ, 2020, receipt, late=True)
    write_status_book(cycle_status(result), files["status"])
    files["summary"] = write_summary(FORMAT_2019, result, out)["summary_xlsx"]
    pdfs = root / "pdf"
    yield Samples(files, {name: printout(path, pdfs) for name, path in files.items()})


# --- templates ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["template-2019", "template-2021"])
def test_template_sheets_each_print_on_a4_and_read_at_full_size(
    samples: Samples, name: str
) -> None:
    printed = samples.printed[name]
    assert all(a4(p) for p in printed.pages)
    sheets = [p.sheet for p in printed.pages]
    assert sheets.count(GUIDE_SHEET) == 1 and sheets.count(TEXT_SHEET) == 1
    assert sheets.count(S2) == 1 and sheets.count(S4) == 1
    assert 1 <= sheets.count(S3) <= 2
    (_, guide), *_ = printed.of(GUIDE_SHEET)
    assert not guide.landscape
    # nothing clipped at either side: the basis line and the last instruction print whole
    assert "依据：中华人民共和国政府信息公开工作年度报告格式" in guide.flat
    assert f"并将文件放入共享文件夹inbox/{FGW.code}/中。" in guide.flat
    for number, page in printed.of(S3):
        assert page.landscape
        assert "申请人情况" in page.flat  # the header rows, on every page of the sheet
        if number == printed.of(S3)[0][0]:
            lines = page.text.splitlines()
            assert any("三、本年度办理结果" in line for line in lines)  # one line, unbroken
            assert any("5.要求行政机关确认或重新出具已获取信息" in line for line in lines)
    for sheet, word in ((S2, "信息内容"), (S3, "自然人"), (S4, "结果维持")):
        number, _ = printed.of(sheet)[0]
        assert char_width(printed.pdf, number, word) >= 8.0, sheet  # ≥ 8 pt: readable
    first_s3 = printed.of(S3)[0][0]
    save_png(printed.pdf, first_s3, f"print-{name}-s3")


def test_2021_s3_repeats_its_header_on_a_second_page_if_it_needs_one(samples: Samples) -> None:
    ws = load_workbook(samples.files["template-2021"])[S3]
    assert str(ws.print_title_rows).replace("$", "") == "4:6"
    for ws in load_workbook(samples.files["template-2019"]).worksheets:
        if ws.sheet_state == "visible":
            assert int(ws.page_setup.paperSize) == 9, ws.title
            assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
            assert (
                ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.cellComments == "atEnd"
            )


# --- feedback -------------------------------------------------------------------------


def test_rejection_prints_its_findings_on_one_page_and_marks_the_equation(samples: Samples) -> None:
    printed = samples.printed["rejection"]
    assert all(a4(p) for p in printed.pages)
    ((number, result),) = printed.of(RESULT_SHEET)
    assert result.landscape
    assert "如何重新报送" in result.flat and f"inbox/{FGW.code}/" in result.flat
    assert "a1-balance" in result.flat and "not-a-number" in result.flat
    assert "2021-01-1010:00:00" in result.flat  # Beijing time
    save_png(printed.pdf, number, "print-rejection")
    ((marked, _),) = printed.of(S3)
    save_png(printed.pdf, marked, "print-rejection-s3")
    wb = load_workbook(samples.files["rejection"])
    # Excel and WPS print comments after the sheet ("atEnd"); LibreOffice's xlsx import only
    # honours "asDisplayed" (sc/source/filter/oox/pagesettings.cxx), so the PDF has no comment
    # pages: every comment's text is also a row of 校验结果, which prints.
    assert wb[S3].page_setup.cellComments == "atEnd"
    assert any(c.comment for row in wb[S3].iter_rows() for c in row)


def test_receipt_prints_on_one_page_with_whole_labels(samples: Samples) -> None:
    printed = samples.printed["receipt"]
    ((number, page),) = printed.of(RECEIPT_SHEET)
    assert len(printed.pages) == 1 and a4(page)
    lines = page.text.splitlines()
    for label in ("SHA-256", "是否逾期", "接收时间（北京时间）"):
        assert any(label in line for line in lines), label
    assert "2021-01-10 10:00:00" in page.text
    assert "blank-cell" in page.flat and "plausibility-kind" in page.flat
    save_png(printed.pdf, number, "print-receipt")


# --- the board and 汇总表 ----------------------------------------------------------------


def test_status_book_prints_each_sheet_on_one_page(samples: Samples) -> None:
    printed = samples.printed["status"]
    ((board_no, board),) = printed.of("报送情况")
    ((_, chase),) = printed.of("催报名单")
    assert a4(board) and a4(chase) and board.landscape and not chase.landscape
    assert all(u.name in board.flat for u in UNITS)
    assert "2021-01-1010:00:00" in board.flat
    assert KAW.name in chase.flat and FGW.name in chase.flat
    save_png(printed.pdf, board_no, "print-status")


def test_summary_prints_landscape_with_units_and_headers_on_every_page(samples: Samples) -> None:
    printed = samples.printed["summary"]
    assert len(printed.pages) > 1
    for page in printed.pages:
        assert a4(page) and page.landscape
        assert "单位名称" in page.flat and FGW.name in page.flat and "合计" in page.flat
