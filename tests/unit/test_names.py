"""Names from the shared folder made safe once; names nianbao makes stay bounded."""

from __future__ import annotations

import errno
import json
import os
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.findings import Finding
from nianbao.io.guard import Refused, UnitGuard, describe, is_run_fault
from nianbao.io.names import (
    NAME_MAX,
    clean_cell_text,
    display_name,
    fit_name,
    is_ignored,
    safe_text,
    suffix_of,
)

GBK_NAME = "甲局2020年报表.xlsx"


def test_utf8_names_are_shown_as_they_are() -> None:
    assert display_name("甲局 报表（终稿）.xlsx".encode()) == "甲局 报表（终稿）.xlsx"
    assert display_name("　全角空格.xlsx") == "　全角空格.xlsx"  # an ideographic space stays


def test_gbk_bytes_are_read_as_gb18030() -> None:
    raw = GBK_NAME.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert display_name(raw) == GBK_NAME
    assert display_name(os.fsdecode(raw)) == GBK_NAME  # as os.listdir hands it over


def test_bytes_of_no_encoding_are_escaped() -> None:
    assert display_name(b"\xff\xfe\x80.xlsx") == "\\xff\\xfe\\x80.xlsx"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("报表\n2020.xlsx", "报表\\x0a2020.xlsx"),
        ("a\tb.xlsx", "a\\x09b.xlsx"),
        ("\u202exslx.exe", "\\u202exslx.exe"),  # a right-to-left override cannot disguise
    ],
)
def test_control_and_format_characters_are_escaped(name: str, shown: str) -> None:
    assert display_name(name.encode()) == shown


@given(st.binary(min_size=1, max_size=80).filter(lambda b: b"/" not in b and b"\0" not in b))
def test_every_name_shows_as_one_line_of_valid_utf8(raw: bytes) -> None:
    shown = display_name(raw)
    shown.encode("utf-8")  # no surrogates: JSON, XML and database drivers accept it
    json.dumps(shown, ensure_ascii=False).encode("utf-8")
    assert all(c.isprintable() or unicodedata.category(c) == "Zs" for c in shown)


@given(st.text(min_size=1, max_size=60).filter(lambda t: "/" not in t and "\0" not in t))
def test_printable_utf8_names_are_unchanged(text: str) -> None:
    if text.isprintable():
        assert display_name(text.encode("utf-8", "surrogatepass")) == text


@given(
    st.sampled_from(["", "0123456789ab-", "2020年-0123456789ab-"]),
    st.text(min_size=0, max_size=300),
)
def test_made_names_fit_in_255_bytes_and_keep_the_prefix(prefix: str, human: str) -> None:
    name = fit_name(prefix, safe_text(human))
    assert len(name.encode("utf-8")) <= NAME_MAX
    assert name.startswith(prefix)
    assert "/" not in name and "\\" not in name and "\0" not in name


def test_a_long_chinese_name_is_shortened_at_a_character_and_keeps_its_extension() -> None:
    human = "某某县人民政府办公室" * 20 + ".xlsx"  # 600 bytes
    name = fit_name("0123456789ab-", human)
    assert name.endswith(".xlsx") and name.startswith("0123456789ab-某某县")
    assert NAME_MAX - 3 < len(name.encode()) <= NAME_MAX
    assert fit_name("", "a/b\\c:d.xlsx") == "a_b_c_d.xlsx"


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("a.XLSX", ".xlsx"),
        ("a.xlsx ", ""),
        ("a." + "一" * 40, ""),
        ("noext", ""),
        (".xlsx", ".xlsx"),
    ],
)
def test_only_short_plain_extensions_are_kept(name: str, suffix: str) -> None:
    assert suffix_of(name) == suffix


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("~$报表.xlsx", True),
        ("._报表.xlsx", True),  # macOS metadata on a share
        (".hidden.xlsx", True),
        ("报表.xlsx.tmp", True),
        ("报表.xlsx.crdownload", True),
        (".xlsx", False),  # a workbook whose name is only its extension, as Windows shows it
        (".XLSX", False),
        ("报表.xlsx", False),
    ],
)
def test_lock_hidden_and_temporary_files_are_ignored(name: str, ignored: bool) -> None:
    assert is_ignored(name) is ignored


def test_cell_text_loses_what_xml_and_postgresql_cannot_hold() -> None:
    assert clean_cell_text("第一行\x0b第二行\x00。\ufffe") == "第一行\n第二行\ufffd。\ufffd"
    assert clean_cell_text("正常\t文字\n") == "正常\t文字\n"


def _raise(exc: BaseException) -> None:
    raise exc


def test_a_unit_failure_becomes_a_finding_and_the_caller_goes_on() -> None:
    guard = UnitGuard()
    with guard.unit("alpha", "alpha/报表.xlsx", "读取") as first:
        _raise(PermissionError(errno.EACCES, "Permission denied", "/x/\udcb5"))
    with guard.unit("beta", "beta/b.xlsx", "读取") as second:
        _raise(Refused(Finding("file-arriving")))
    with guard.unit("gamma", "gamma/c.xlsx", "读取") as third:
        pass
    assert (first.failed, second.failed, third.failed) == (True, True, False)
    assert [(f.code, f.unit, f.file) for f in guard.findings] == [
        ("unit-file-failed", "alpha", "alpha/报表.xlsx"),
        ("file-arriving", "beta", "beta/b.xlsx"),
    ]
    assert guard.findings[0].expected == "读取"
    assert guard.findings[0].actual == "没有访问权限（EACCES）"  # no path, no surrogate
    json.dumps([f.message for f in guard.findings], ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS])
def test_a_full_or_read_only_disk_is_a_fault_of_the_run(code: int) -> None:
    guard = UnitGuard()
    with pytest.raises(OSError) as caught, guard.unit("alpha", "alpha/a.xlsx", "归档"):
        _raise(OSError(code, os.strerror(code)))
    assert caught.value.errno == code
    assert guard.findings == []


def test_a_disk_fault_behind_another_error_is_still_a_run_fault() -> None:
    try:
        try:
            _raise(OSError(errno.ENOSPC, "No space left on device"))
        except OSError as exc:
            raise ValueError("writer failed") from exc
    except ValueError as exc:
        assert is_run_fault(exc)
    assert is_run_fault(KeyboardInterrupt())
    assert is_run_fault(MemoryError())
    assert not is_run_fault(ValueError("bad cell"))
    assert not is_run_fault(OSError(errno.ENAMETOOLONG, "File name too long"))


def test_an_unexpected_error_is_described_briefly_and_safely() -> None:
    text = describe(UnicodeEncodeError("utf-8", "\udcb5" * 500, 0, 1, "surrogates not allowed"))
    assert text.startswith("UnicodeEncodeError")
    assert len(text) <= 200
    text.encode("utf-8")


def test_clean_grids_are_checked_in_one_search_and_kept_as_they_are() -> None:
    from nianbao.io.xlsx_read import _clean

    grid = [["二、主动公开", None, 3], ["第一行\n第二行", "", 0.5]]
    assert _clean(grid) is grid  # the common case costs one search, no copy
    assert _clean([["a\x0bb", 1]]) == [["a\nb", 1]]
