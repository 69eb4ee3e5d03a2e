"""Both national formats on real workbooks: identities, detection, format mismatch."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.layout import META_SHEET
from nianbao.core.model import Status, Submission
from nianbao.core.process import process_workbook
from nianbao.core.spec import FormatSpec
from nianbao.io.xlsx_read import read_workbook
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
UNITS = {u.code: u for u in ROSTER}
S3, S4 = "三、依申请公开", "四、复议诉讼"
YEAR = {"2019": 2020, "2021": 2021}


def run(path: Path, spec: FormatSpec, year: int) -> Submission:
    return process_workbook(read_workbook(path, "alpha", path.name), spec, year, UNITS)


def flat(sub: Submission) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in sub.findings]


# The 2021 table 三 has two more rows (（六） is a group of three), so rows below shift by 2.
CASES = {
    "2019": {"a1": "D29", "a2": "D28", "a3": "J7", "b1": "E7"},
    "2021": {"a1": "D31", "a2": "D30", "a3": "J7", "b1": "E7"},
}


@pytest.mark.parametrize("spec", [FORMAT_2019, FORMAT_2021], ids=lambda s: s.id)
def test_each_identity_fails_on_a_crafted_workbook(tmp_path: Path, spec: FormatSpec) -> None:
    year = YEAR[spec.id]
    refs = CASES[spec.id]
    path = make_workbook(tmp_path / "ok.xlsx", UNITS["alpha"], unit_figures(2, spec), year, spec)
    assert run(path, spec, year).status is Status.ACCEPTED
    for code, (sheet, ref, delta) in {
        "a1-balance": (S3, refs["a1"], 1),
        "a2-outcome-sum": (S3, refs["a2"], 7),
        "a3-applicant-sum": (S3, refs["a3"], 7),
        "b1-review-sum": (S4, refs["b1"], 7),
    }.items():
        bad = tmp_path / f"{code}.xlsx"
        wb = load_workbook(path)
        ws = wb[sheet]
        current = ws[ref].value
        ws[ref] = (current if isinstance(current, int) else 1000) + delta
        wb.save(bad)
        assert flat(run(bad, spec, year)) == [(code, sheet, ref)], code


def test_2021_other_handling_rows_add_into_the_total(tmp_path: Path) -> None:
    figures = unit_figures(3, FORMAT_2021)
    figures["s3_public_natural"] -= 2
    figures["s3_other_unpaid_natural"] = figures["s3_other_unpaid_natural"] + 2
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], figures, 2021, FORMAT_2021)
    sub = run(path, FORMAT_2021, 2021)
    assert sub.findings == ()
    assert sub.values["s3_other_unpaid_total"] == 2


def test_a_2019_workbook_in_a_2021_cycle_names_both_formats(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "old.xlsx", UNITS["alpha"], unit_figures(), 2021, FORMAT_2019)
    sub = run(path, FORMAT_2021, 2021)
    assert sub.status is Status.REJECTED
    (finding,) = sub.findings
    assert finding.code == "format-mismatch"
    assert "2019" in finding.actual and "〔2019〕60号" in finding.actual
    assert "2021" in finding.expected and "〔2021〕30号" in finding.expected


@pytest.mark.parametrize(
    ("written", "cycle"), [(FORMAT_2019, FORMAT_2021), (FORMAT_2021, FORMAT_2019)]
)
def test_without_metadata_the_format_is_detected_from_labels(
    tmp_path: Path, written: FormatSpec, cycle: FormatSpec
) -> None:
    path = make_workbook(
        tmp_path / "x.xlsx", UNITS["alpha"], unit_figures(1, written), 2021, written
    )
    wb = load_workbook(path)
    del wb[META_SHEET]
    wb.save(path)
    sub = run(path, cycle, 2021)
    assert [f.code for f in sub.findings] == ["format-detected", "format-mismatch"]
    assert written.notice in sub.findings[0].actual
    assert sub.status is Status.REJECTED
    assert [f.code for f in run(path, written, 2021).findings] == ["format-detected"]


def test_detection_normalises_full_width_and_spaces(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "x.xlsx", UNITS["alpha"], unit_figures(1, FORMAT_2021), 2021, FORMAT_2021
    )
    wb = load_workbook(path)
    del wb[META_SHEET]
    ws = wb["二、主动公开"]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("第二十条"):
                cell.value = cell.value.replace("（", "(").replace("）", ")") + " "
    wb.save(path)
    assert [f.code for f in run(path, FORMAT_2021, 2021).findings] == ["format-detected"]
