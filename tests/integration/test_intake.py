"""Real workbooks: generate → fill by defined names → read with calamine → validate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.layout import META_SHEET
from nianbao.core.model import Status
from nianbao.core.process import process_workbook
from nianbao.io.folder import discover
from nianbao.io.xlsx_read import read_workbook
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
UNITS = {u.code: u for u in ROSTER}
S2, S3, S4 = "二、主动公开", "三、依申请公开", "四、复议诉讼"


def process(path: Path, folder: str, year: int = 2020):  # type: ignore[no-untyped-def]
    raw = read_workbook(path, folder, path.name)
    return process_workbook(raw, SPEC, year, UNITS)


def flat(sub) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(f.code, f.sheet, f.cell) for f in sub.findings]


def test_round_trip_returns_exactly_the_filled_values(tmp_path: Path) -> None:
    figures = unit_figures(3)
    texts = {
        "problems": "平台建设有待加强。",
        "contact_person": "王芳",
        "contact_phone": "0453-1234567",
    }
    path = make_workbook(tmp_path / "alpha.xlsx", UNITS["alpha"], figures, texts=texts)
    sub = process(path, "alpha")
    assert sub.status is Status.ACCEPTED, sub.findings
    assert {k: sub.values[k] for k in SPEC.inputs} == figures
    assert sub.values["s3_new_total"] == figures["s3_new_natural"] + figures["s3_new_legal"]
    assert sub.texts["problems"] == "平台建设有待加强。"
    assert sub.texts["contact_person"] == "王芳"
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_in_another_units_folder_is_rejected(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "inbox" / "beta" / "x.xlsx", UNITS["alpha"], unit_figures())
    sub = process(path, "beta")
    assert sub.status is Status.REJECTED
    assert [f.code for f in sub.findings] == ["wrong-unit-folder"]
    assert sub.values == {}


def test_wrong_year_is_rejected(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], unit_figures(), year=2019)
    sub = process(path, "alpha", year=2020)
    assert [f.code for f in sub.findings] == ["wrong-year"]


def _edit(path: Path, edits: dict[tuple[str, str], object]) -> None:
    wb = load_workbook(path)
    for (sheet, ref), value in edits.items():
        wb[sheet][ref] = value
    wb.save(path)


def test_three_planted_defects_yield_exactly_three_findings(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], unit_figures(5))
    wb = load_workbook(path)
    natural_out = wb[S3]["D29"].value
    wb.close()
    _edit(
        path,
        {
            (S2, "B6"): "十一",  # not a number
            (S3, "D29"): natural_out + 1,  # breaks A1 in the 自然人 column
            (S4, "E7"): 999,  # a typed-over 总计 (B1)
        },
    )
    sub = process(path, "alpha")
    assert sub.status is Status.REJECTED
    assert sorted(flat(sub)) == sorted(
        [("not-a-number", S2, "B6"), ("a1-balance", S3, "D29"), ("b1-review-sum", S4, "E7")]
    )


@pytest.mark.parametrize(
    ("ref", "code"),
    [("J7", "a3-applicant-sum"), ("D28", "a2-outcome-sum")],
)
def test_stored_totals_that_disagree_are_findings(tmp_path: Path, ref: str, code: str) -> None:
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], unit_figures(9))
    _edit(path, {(S3, ref): 12345})
    assert flat(process(path, "alpha")) == [(code, S3, ref)]


def _drop_metadata(path: Path) -> None:
    wb = load_workbook(path)
    del wb[META_SHEET]
    wb.save(path)


def test_missing_metadata_is_replaced_by_detection_from_labels(tmp_path: Path) -> None:
    figures = unit_figures(4)
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], figures)
    _drop_metadata(path)
    sub = process(path, "alpha")
    assert [f.code for f in sub.findings] == ["format-detected"]
    assert sub.status is Status.ACCEPTED_WITH_WARNINGS
    assert {k: sub.values[k] for k in SPEC.inputs} == figures


def test_a_workbook_that_is_no_template_at_all_is_rejected(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "自己做的统计表"
    wb.save(tmp_path / "own.xlsx")
    sub = process(tmp_path / "own.xlsx", "alpha")
    assert [f.code for f in sub.findings] == ["sheets-ignored", "metadata-missing"]
    assert sub.findings[0].actual == "“Sheet”"  # its own sheet was not read, and it is told
    assert sub.status is Status.REJECTED


def test_inserted_row_is_reported_as_a_changed_layout(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], unit_figures())
    wb = load_workbook(path)
    wb[S3].insert_rows(10)
    wb.save(path)
    sub = process(path, "alpha")
    assert sub.status is Status.REJECTED
    assert [(f.code, f.sheet) for f in sub.findings] == [("label-changed", S3)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.xlsx", b"PK\x03\x04 this is not really a zip"),
        ("notes.xlsx", "这不是表格".encode()),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        ("password.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    ],
)
def test_unreadable_files_are_findings_and_left_untouched(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    sub = process(path, "alpha")
    assert sub.status is Status.REJECTED
    assert [f.code for f in sub.findings] == ["file-unreadable"]
    assert path.read_bytes() == content


def test_discover_skips_lock_and_hidden_files_and_flags_strays(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for rel in (
        "alpha/r.xlsx",
        "alpha/~$r.xlsx",
        "alpha/.hidden.xlsx",
        "beta/b.xlsx",
        "stranger/s.xlsx",
        "loose.xlsx",
        "alpha/r.xlsx.tmp",
    ):
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_bytes(b"x")
    found, findings = discover(inbox, ROSTER)
    assert [(a.unit, a.display) for a in found] == [
        ("alpha", "alpha/r.xlsx"),
        ("beta", "beta/b.xlsx"),
    ]
    assert sorted(f.code for f in findings) == ["misplaced-file", "unknown-unit"]
