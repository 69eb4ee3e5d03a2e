"""One atomic write helper: old or new file, never a part; temporaries swept; umask honoured."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nianbao.io.atomic import atomic_path, atomic_write_bytes, is_temporary, sweep_temporaries


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "totals.json"
    atomic_write_bytes(target, b"old")
    with pytest.raises(OSError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["totals.json"]


def test_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.json", b"{}")
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644


def test_sweep_removes_only_old_temporaries(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "x.docx") as tmp:
        tmp.write_bytes(b"x")
        (tmp_path / "left.tmp").write_bytes(b"not ours")
        leftover = tmp_path / tmp.name.replace(".tmp", "0.tmp")
        leftover.write_bytes(b"killed")
        raise KeyboardInterrupt
    assert is_temporary(leftover.name)
    assert sweep_temporaries(tmp_path, min_age=3600) == []
    assert sweep_temporaries(tmp_path) == [leftover]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["left.tmp"]
