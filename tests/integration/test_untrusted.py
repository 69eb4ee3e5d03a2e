"""Files from other offices: nothing outside the root is read, bounds hold before parsing,
sheets outside the template are not read, and odd names are read or reported."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import Status, Submission, Unit
from nianbao.core.outputs import status_doc
from nianbao.core.process import consolidate, process_workbook
from nianbao.core.unit_status import cycle_status
from nianbao.io.bounds import MB, ReadBounds
from nianbao.io.folder import discover
from nianbao.io.intake import Intake, Reading, read_batch
from nianbao.io.names import NAME_MAX
from nianbao.io.offload import store
from nianbao.io.returns import write_returns
from nianbao.io.xlsx_read import parse_workbook, read_workbook
from tests.helpers import make_workbook, unit_figures
from tests.xlsx_surgery import (
    add_sheet,
    padded,
    parts,
    replace_sheet,
    rows_xml,
    sheet_part,
    write_parts,
)

pytestmark = pytest.mark.integration
YEAR = 2020
S3 = "三、依申请公开"
CODES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta")
ROSTER = tuple(Unit(code, f"单位{i}", "部门") for i, code in enumerate(CODES))
UNITS = {u.code: u for u in ROSTER}
SECRET = b"PK\x03\x04 secret bytes of a file outside the shared folder"


def intake_of(root: Path, bounds: ReadBounds | None = None, settle: float = 0.0) -> Intake:
    """Discovery, then reading and checking with archiving (one process); the discovery's
    findings first."""
    found, findings = discover(root / "inbox", ROSTER, settle)
    reading = Reading(
        root / "inbox", SPEC.id, YEAR, UNITS, 100, root / "archive", bounds or ReadBounds()
    )
    done = read_batch(reading, found, {}, 1)
    return Intake(done.submissions, [*findings, *done.findings])


def codes(intake: Intake) -> list[tuple[str, str]]:
    return [(f.code, f.unit) for f in intake.findings]


def no_secret_under(root: Path) -> bool:
    """No regular file under ``root`` (links not followed) holds the secret's bytes."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink() and SECRET in path.read_bytes():
                return False
    return True


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the root, with a file in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "报表.xlsx").write_bytes(SECRET)
    return folder


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A valid workbook of alpha's, outside the root (copied in by each test)."""
    return make_workbook(tmp_path / "good.xlsx", UNITS["alpha"], unit_figures(3))


def test_links_are_never_followed_and_are_reported(
    tmp_path: Path, outside: Path, good: Path
) -> None:
    root = tmp_path / "root"
    inbox = root / "inbox"
    for code in ("alpha", "gamma"):
        (inbox / code).mkdir(parents=True)
    (inbox / "alpha" / "甲局.xlsx").symlink_to(outside / "报表.xlsx")  # leaves the root
    (inbox / "beta").symlink_to(outside)  # the unit folder itself leaves the root
    (inbox / "delta").symlink_to(inbox / "alpha")  # a unit folder onto another unit's
    shutil.copy(good, inbox / "gamma" / "真.xlsx")
    (inbox / "gamma" / "别名.xlsx").symlink_to(inbox / "gamma" / "真.xlsx")  # inside the root
    (inbox / "gamma" / "断链.xlsx").symlink_to(tmp_path / "nothing-here")

    intake = intake_of(root)

    assert sorted(codes(intake)) == sorted(
        [
            ("symlink-refused", "alpha"),
            ("unit-folder-refused", "beta"),
            ("unit-folder-refused", "delta"),
            ("symlink-refused", "gamma"),
            ("symlink-refused", "gamma"),
        ]
    )
    where = {f.file: f.actual for f in intake.findings}
    assert where["alpha/甲局.xlsx"] == "指向共享文件夹之外"
    assert where["beta"] == "指向共享文件夹之外"
    assert where["delta"] == "指向共享文件夹内的“inbox/alpha”"
    assert where["gamma/别名.xlsx"] == "指向共享文件夹内的“inbox/gamma/真.xlsx”"
    assert where["gamma/断链.xlsx"] == "指向共享文件夹之外"
    # only gamma's real file was read (as gamma's: another unit's workbook)
    assert [s.file for s in intake.submissions] == ["gamma/真.xlsx"]
    assert no_secret_under(root)
    assert all("符号链接" in f.message for f in intake.findings)


def test_a_file_or_folder_swapped_for_a_link_after_listing_is_not_followed(
    tmp_path: Path, outside: Path, good: Path
) -> None:
    root = tmp_path / "root"
    inbox = root / "inbox"
    for code in ("alpha", "beta"):
        (inbox / code).mkdir(parents=True)
        shutil.copy(good, inbox / code / "报表.xlsx")
    found, _ = discover(inbox, ROSTER)
    assert [a.display for a in found] == ["alpha/报表.xlsx", "beta/报表.xlsx"]
    # between listing and reading: alpha's file becomes a link, beta's folder becomes one
    link = inbox / "alpha" / "link.tmp"
    link.symlink_to(outside / "报表.xlsx")
    os.replace(link, inbox / "alpha" / "报表.xlsx")
    shutil.rmtree(inbox / "beta")
    (inbox / "beta").symlink_to(outside)

    done = read_batch(Reading(inbox, SPEC.id, YEAR, UNITS, 100, root / "archive"), found, {}, 1)

    assert done.submissions == []
    assert [(f.code, f.unit, f.actual) for f in done.findings] == [
        ("symlink-refused", "alpha", "指向共享文件夹之外"),
        ("unit-folder-refused", "beta", "指向共享文件夹之外"),
    ]
    assert no_secret_under(root)


def test_hard_links_are_ordinary_files(tmp_path: Path, good: Path) -> None:
    root = tmp_path / "root"
    (root / "inbox" / "alpha").mkdir(parents=True)
    os.link(good, root / "inbox" / "alpha" / "硬链接.xlsx")
    (sub,) = intake_of(root).submissions
    assert sub.status is Status.ACCEPTED


def test_a_fifo_is_reported_and_does_not_block(tmp_path: Path, good: Path) -> None:
    root = tmp_path / "root"
    (root / "inbox" / "alpha").mkdir(parents=True)
    os.mkfifo(root / "inbox" / "alpha" / "管道.xlsx")
    shutil.copy(good, root / "inbox" / "alpha" / "报表.xlsx")
    intake = intake_of(root)
    assert codes(intake) == [("file-not-read", "alpha")]
    assert [s.status for s in intake.submissions] == [Status.ACCEPTED]


def test_a_file_over_the_size_bound_is_refused_before_it_is_read(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inbox" / "alpha").mkdir(parents=True)
    with (root / "inbox" / "alpha" / "大文件.xlsx").open("wb") as f:
        f.truncate(21 * MB)  # sparse: 21 MB stated, nothing written
    intake = intake_of(root)
    assert intake.submissions == []
    (finding,) = intake.findings
    assert (finding.code, finding.actual, finding.expected) == (
        "file-too-large",
        "21.0 MB",
        "20.0 MB",
    )
    assert not (root / "archive").exists()  # not read, so not archived


def _bomb(good: Path, extra: int) -> bytes:
    path = good.with_name("bomb.xlsx")
    shutil.copy(good, path)
    members = parts(path)
    replace_sheet(path, S3, padded(members[sheet_part(members, S3)], extra))
    return path.read_bytes()


def _parse(data: bytes, bounds: ReadBounds | None = None) -> Submission:
    raw = parse_workbook(
        data, datetime(2021, 1, 10, tzinfo=UTC), "alpha", "alpha/a.xlsx", bounds=bounds
    )
    return process_workbook(raw, SPEC, YEAR, UNITS)


def test_a_sheet_that_inflates_past_the_part_bound_is_refused_unparsed(good: Path) -> None:
    data = _bomb(good, 60 * MB)  # 60 MB of XML in a few hundred KB
    assert len(data) < MB
    started = time.perf_counter()
    sub = _parse(data)
    assert time.perf_counter() - started < 2  # the directory is read, the sheet is not
    assert sub.status is Status.REJECTED
    (finding,) = sub.findings
    assert finding.code == "workbook-too-large"
    assert finding.actual.startswith(f"工作表“{S3}”解压后有60.")
    assert finding.expected == "50.0 MB"


def test_ratio_total_and_member_bounds(good: Path) -> None:
    bomb = _bomb(good, 3 * MB)  # whitespace compresses ~1000:1
    (ratio,) = _parse(bomb).findings
    assert (ratio.code, ratio.expected) == ("workbook-too-large", "200:1")
    assert f"工作表“{S3}”的压缩比为" in ratio.actual
    small = ReadBounds(unzipped_bytes=64 * 1024)
    (total,) = _parse(good.read_bytes(), small).findings
    assert total.code == "workbook-too-large" and total.actual.startswith("解压后共有")
    (members,) = _parse(good.read_bytes(), ReadBounds(members=5)).findings
    assert members.code == "workbook-too-large" and members.expected == "5个"
    # within generous bounds the same workbook is accepted
    assert _parse(good.read_bytes()).status is Status.ACCEPTED


FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
# a rectangle without references: 3,000 empty rows, then a row of 1,000 cells
IMPLICIT = b"<row/>" * 3000 + b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>"


@pytest.mark.parametrize(
    ("far", "rows"), [(FAR_CELL, 1048576), (IMPLICIT, 3001)], ids=["references", "implicit"]
)
def test_a_sheet_spanning_too_many_cells_is_refused_before_calamine_allocates_it(
    good: Path, far: bytes, rows: int
) -> None:
    """Two cells far apart in a small sheet would make calamine allocate the whole rectangle
    (terabytes) and abort the process: the sheet's extent is bounded before it is parsed.
    Parsed in a child process, so that a regression fails this test, not the test run."""
    path = good.with_name("far.xlsx")
    shutil.copy(good, path)
    members = parts(path)
    xml = members[sheet_part(members, S3)]
    replace_sheet(path, S3, xml.replace(b"</sheetData>", far + b"</sheetData>"))
    assert path.stat().st_size < MB
    script = (
        "import sys, json; from datetime import datetime, UTC; "
        "from nianbao.io.xlsx_read import parse_workbook; "
        "data = open(sys.argv[1], 'rb').read(); "
        "raw = parse_workbook(data, datetime.now(UTC), 'alpha', 'a.xlsx'); "
        "print(json.dumps([[n.code, n.actual, n.expected] for n in raw.notes]))"
    )
    child = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr[-2000:]
    ((code, actual, expected),) = json.loads(child.stdout)
    assert code == "workbook-too-large"
    assert actual.startswith(f"工作表“{S3}”的数据区域达")
    assert int(actual.split("达")[1].split("行")[0]) >= rows
    assert expected == "1000000个单元格"


def test_sheets_outside_the_template_are_not_read_and_named(tmp_path: Path, good: Path) -> None:
    path = tmp_path / "with-extras.xlsx"
    shutil.copy(good, path)
    add_sheet(path, "附表", rows_xml(200_000))  # ~20 MB of XML
    add_sheet(path, "Sheet1", rows_xml(3))
    started = time.perf_counter()
    raw = read_workbook(path, "alpha", "alpha/with-extras.xlsx", bounds=ReadBounds(part_bytes=MB))
    assert time.perf_counter() - started < 2  # the 200,000 rows are never parsed
    assert "附表" not in raw.grids and "Sheet1" not in raw.grids
    sub = process_workbook(raw, SPEC, YEAR, UNITS)
    assert sub.status is Status.ACCEPTED_WITH_WARNINGS
    assert [(f.code, f.actual) for f in sub.findings] == [("sheets-ignored", "“附表”、“Sheet1”")]
    assert {k: sub.values[k] for k in SPEC.inputs} == unit_figures(3)


def test_cell_text_is_made_safe_for_every_output(tmp_path: Path) -> None:
    texts = {"problems": "MARKER-ONE", "contact_person": "MARKER-TWO"}
    path = make_workbook(tmp_path / "a.xlsx", UNITS["alpha"], unit_figures(3), texts=texts)
    members = parts(path)
    for name, data in members.items():
        members[name] = data.replace(b"MARKER-ONE", b"first_x000B_second_x0000_").replace(
            b"MARKER-TWO", "王_x001F_芳".encode()
        )
    write_parts(path, members)
    sub = _parse(path.read_bytes())
    assert sub.texts["problems"] == "first\nsecond\ufffd"
    assert sub.texts["contact_person"] == "王\ufffd芳"


GBK = "甲局2020年报表.xlsx".encode("gbk")
# the longest names an ext4 folder holds: 83 Chinese characters, and 200 characters mixed
LONG = ("某某县人民政府办公室关于政府信息公开工作年度报告的统计表" * 4)[:83] + ".xlsx"
MIXED = "县政府办公室" * 4 + "-annual-return-" * 11 + "a" * 6 + ".xlsx"
BROKEN = b"PK\x03\x04 broken"


def _place(inbox: Path, folder: bytes, name: bytes) -> Path:
    path = Path(os.fsdecode(os.fsencode(inbox) + b"/" + folder + b"/" + name))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _odd_inbox(inbox: Path, good: Path) -> None:
    """Names as offices make them, one unit each (and a folder of no unit)."""

    def workbook(folder: bytes, name: bytes, code: str) -> None:
        made = make_workbook(inbox.parent / f"{code}.xlsx", UNITS[code], unit_figures(len(code)))
        shutil.copy2(made, _place(inbox, folder, name))

    workbook(b"alpha", GBK, "alpha")  # GBK bytes, as a Chinese zip archive leaves them
    workbook(b"BETA", b"x.xlsx", "beta")  # an upper-case folder for a lower-case code
    _place(inbox, b"gamma", LONG.encode()).write_bytes(BROKEN)
    workbook(b"delta", "报表\n2020.xlsx".encode(), "delta")  # a newline in the name
    workbook(b"epsilon", b".xlsx", "epsilon")  # only the extension
    shutil.copy(good, _place(inbox, "zeta/报表.xlsx".encode(), "报表.xlsx".encode()))
    _place(inbox, b"eta", MIXED.encode()).write_bytes(BROKEN)
    shutil.copy(good, _place(inbox, "测试单位".encode("gbk"), GBK))  # no unit's folder


def test_names_as_offices_make_them_are_read_or_reported(tmp_path: Path, good: Path) -> None:
    assert len(LONG.encode()) <= NAME_MAX and len(MIXED) == 200 and len(MIXED.encode()) <= NAME_MAX
    root = tmp_path / "root"
    _odd_inbox(root / "inbox", good)

    intake = intake_of(root)
    result = consolidate(SPEC, YEAR, ROSTER, intake.submissions, intake.findings)

    accepted, rejected = Status.ACCEPTED, Status.REJECTED
    assert {s.unit: (s.file, s.status) for s in result.submissions} == {
        "alpha": ("alpha/甲局2020年报表.xlsx", accepted),
        "beta": ("BETA/x.xlsx", accepted),
        "gamma": (f"gamma/{LONG}", rejected),
        "delta": ("delta/报表\\x0a2020.xlsx", accepted),
        "epsilon": ("epsilon/.xlsx", accepted),
        "eta": (f"eta/{MIXED}", rejected),
    }
    assert result.current("alpha").path == b"alpha/" + GBK  # type: ignore[union-attr]
    assert [(f.code, f.unit, f.file, f.actual) for f in result.findings] == [
        ("subfolder-ignored", "zeta", "zeta/报表.xlsx", ""),
        ("unknown-unit", "", "测试单位", "测试单位"),
    ]
    # everything downstream takes the names: feedback, quarantine, JSON, the database
    returned = write_returns(SPEC, result, root, workers=1)
    assert returned.findings == []
    assert {code for code, _ in returned.written} == {s.unit for s in result.submissions}
    quarantined = {sub.unit: path for sub, path in returned.quarantined}
    assert set(quarantined) == {"gamma", "eta"}
    for code, path in quarantined.items():
        sha = result.current(code).sha256  # type: ignore[union-attr]
        assert path.name.startswith(f"{sha[:12]}-") and path.name.endswith(".xlsx")
        assert NAME_MAX - 3 < len(path.name.encode()) <= NAME_MAX  # shortened to fit
        assert path.read_bytes() == BROKEN
    json.dumps(status_doc(cycle_status(result)), ensure_ascii=False).encode("utf-8")
    db = root / "nianbao.db"
    store(f"sqlite:///{db}", result)
    with sqlite3.connect(db) as con:
        stored = sorted(r[0] for r in con.execute("SELECT file FROM submissions"))
        found = sorted(r[0] for r in con.execute("SELECT file FROM findings"))
    assert stored == sorted(s.file for s in result.submissions)
    assert "测试单位" in found


def _discover_without_root_powers(inbox: Path) -> dict[str, list[Any]]:
    """Discovery in a process that cannot override file permissions (root can)."""
    script = (
        "import json, sys; from pathlib import Path; "
        "from nianbao.core.model import Unit; from nianbao.io.folder import discover; "
        "roster = (Unit('alpha', '甲'), Unit('beta', '乙')); "
        "found, findings = discover(Path(sys.argv[1]), roster); "
        "print(json.dumps({'found': [a.display for a in found], "
        "'findings': [[f.code, f.unit, f.actual] for f in findings]}))"
    )
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be denied")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [*prefix, sys.executable, "-c", script, str(inbox)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_an_unreadable_unit_folder_is_reported_and_the_others_are_read(
    tmp_path: Path, good: Path
) -> None:
    inbox = tmp_path / "root" / "inbox"
    for code in ("alpha", "beta"):
        (inbox / code).mkdir(parents=True)
        shutil.copy(good, inbox / code / "报表.xlsx")
    (inbox / "alpha").chmod(0)
    try:
        seen = _discover_without_root_powers(inbox)
    finally:
        (inbox / "alpha").chmod(0o755)
    assert seen["found"] == ["beta/报表.xlsx"]
    assert seen["findings"] == [["folder-unreadable", "alpha", "没有访问权限（EACCES）"]]
