"""Staged files stay invisible until published, are moved (not copied), and a killed run's
staging folder is swept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nianbao.io.atomic import atomic_write_bytes, is_temporary, sweep_temporaries
from nianbao.io.staging import Staging


def test_nothing_is_visible_until_published_then_each_file_is_renamed_into_place(
    tmp_path: Path,
) -> None:
    out = tmp_path / "output" / "2020"
    atomic_write_bytes(out / "totals.json", b"old")
    staging = Staging(out)
    atomic_write_bytes(staging.path(out / "totals.json"), b"new")
    atomic_write_bytes(staging.path(out / "report.docx"), b"draft")
    assert (out / "totals.json").read_bytes() == b"old"
    assert not (out / "report.docx").exists()
    assert [p.name for p in out.iterdir() if is_temporary(p.name)] == [staging.folder.name]

    inode = staging.path(out / "report.docx").stat().st_ino
    assert staging.publish() == []
    assert (out / "totals.json").read_bytes() == b"new"
    assert (out / "report.docx").stat().st_ino == inode  # moved, not copied
    assert sorted(p.name for p in out.iterdir()) == ["report.docx", "totals.json"]


def test_files_for_other_folders_get_distinct_names_and_their_folders_are_made(
    tmp_path: Path,
) -> None:
    feedback = tmp_path / "feedback"
    staging = Staging(feedback)
    a, b = feedback / "alpha" / "回执.xlsx", feedback / "beta" / "回执.xlsx"
    atomic_write_bytes(staging.path(a), b"a")
    atomic_write_bytes(staging.path(b), b"b")
    assert staging.path(a) != staging.path(b)
    assert staging.path(a) == staging.path(a)  # a retried writer overwrites its own file
    assert staging.publish() == []
    assert (a.read_bytes(), b.read_bytes()) == (b"a", b"b")
    assert sorted(p.name for p in feedback.iterdir()) == ["alpha", "beta"]


def test_adopted_files_and_unwritten_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    staging = Staging(out)
    written = staging.folder / "汇总表.csv"
    atomic_write_bytes(written, b"x")
    assert staging.adopt(written, out / "汇总表.csv") == out / "汇总表.csv"
    staging.path(out / "never.json")  # asked for, never written: skipped
    assert staging.publish() == []
    assert sorted(p.name for p in out.iterdir()) == ["汇总表.csv"]


def test_discard_publishes_nothing(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    atomic_write_bytes(staging.path(tmp_path / "a.json"), b"{}")
    staging.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_cannot_be_moved_is_reported_and_the_others_are_published(
    tmp_path: Path,
) -> None:
    feedback = tmp_path / "feedback"
    (feedback / "blocked").mkdir(parents=True)
    staging = Staging(feedback)
    atomic_write_bytes(staging.path(feedback / "ok" / "a.xlsx"), b"a")
    atomic_write_bytes(staging.path(feedback / "blocked" / "b.xlsx"), b"b")
    (feedback / "blocked" / "b.xlsx").mkdir()  # a folder where the file should go
    ((path, error),) = staging.publish()
    assert path == feedback / "blocked" / "b.xlsx"
    assert isinstance(error, OSError)
    assert (feedback / "ok" / "a.xlsx").read_bytes() == b"a"
    assert not staging.folder.exists()


def test_a_killed_runs_staging_folder_is_swept_with_its_contents(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    atomic_write_bytes(staging.path(tmp_path / "report.docx"), b"half a run")
    (tmp_path / "kept.json").write_bytes(b"{}")
    assert sweep_temporaries(tmp_path, min_age=3600) == []  # young: maybe still being written
    assert sweep_temporaries(tmp_path) == [staging.folder]
    assert [p.name for p in tmp_path.iterdir()] == ["kept.json"]


def test_sweep_does_not_follow_a_symlink_named_like_a_staging_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_bytes(b"keep")
    folder = tmp_path / "root"
    folder.mkdir()
    link = folder / Staging(folder).folder.name
    link.symlink_to(outside, target_is_directory=True)
    sweep_temporaries(folder)
    assert (outside / "precious.txt").read_bytes() == b"keep"


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o027])
def test_published_files_keep_the_mode_the_umask_gives(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        staging = Staging(tmp_path / "out")
        atomic_write_bytes(staging.path(tmp_path / "out" / "status.json"), b"{}")
        staging.publish()
    finally:
        os.umask(old)
    assert (tmp_path / "out" / "status.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_nothing_is_published_through_a_folder_replaced_by_a_link(tmp_path: Path) -> None:
    feedback, outside = tmp_path / "feedback", tmp_path / "outside"
    outside.mkdir()
    staging = Staging(feedback)
    atomic_write_bytes(staging.path(feedback / "unit" / "回执.xlsx"), b"r")
    (feedback / "unit").symlink_to(outside, target_is_directory=True)  # swapped meanwhile
    ((path, error),) = staging.publish()
    assert path == feedback / "unit" / "回执.xlsx" and "link" in str(error)
    assert list(outside.iterdir()) == []


def test_a_withdrawn_file_is_not_published_and_goes_with_the_folder(tmp_path: Path) -> None:
    feedback = tmp_path / "feedback"
    atomic_write_bytes(feedback / "alpha" / "newer.xlsx", b"answered meanwhile")
    staging = Staging(feedback)
    older, beta = feedback / "alpha" / "older.xlsx", feedback / "beta" / "回执.xlsx"
    atomic_write_bytes(staging.path(older), b"stale")
    atomic_write_bytes(staging.path(beta), b"b")
    staging.withdraw({older})
    assert staging.publish() == []
    assert not older.exists() and beta.read_bytes() == b"b"
    assert sorted(p.name for p in (feedback / "alpha").iterdir()) == ["newer.xlsx"]
    assert not staging.folder.exists()
