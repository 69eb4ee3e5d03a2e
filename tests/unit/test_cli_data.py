"""The data commands' argument handling and clean errors (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.cli import main, parser
from nianbao.io.db.migrate import head_revision


def test_totals_explain_and_db_are_registered() -> None:
    args = parser().parse_args(["totals", "--year", "2021", "--compare", "2020", "--json"])
    assert (args.year, args.compare, args.json) == (2021, 2020, True)
    args = parser().parse_args(["explain", "--year", "2020", "s3_new_total", "--unit", "a"])
    assert (args.cell_id, args.unit) == ("s3_new_total", "a")
    args = parser().parse_args(["db", "upgrade", "--db", "sqlite:///x.db"])
    assert args.db_url == "sqlite:///x.db"


def test_db_upgrade_takes_db_or_root_not_both() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["db", "upgrade", "--db", "sqlite:///x.db", "--root", "r"])


@pytest.mark.parametrize(
    "argv",
    [
        ["totals", "--year", "2020"],
        ["totals", "--year", "2021", "--compare", "2020"],
        ["explain", "--year", "2020", "s3_new_total"],
    ],
)
def test_reading_a_missing_database_is_a_chinese_error_and_creates_nothing(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--root", str(tmp_path)]) == 2
    assert "错误：数据库文件不存在" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unmigrated_database_asks_for_db_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nianbao.db").touch()
    assert main(["totals", "--year", "2020", "--root", str(tmp_path)]) == 2
    assert "nianbao db upgrade" in capsys.readouterr().err


def test_db_upgrade_creates_then_reports_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--root", str(tmp_path)]) == 0
    assert f"已升级到最新版本 {head_revision()}（原为空数据库）" in capsys.readouterr().out
    assert main(["db", "upgrade", "--root", str(tmp_path)]) == 0
    assert f"数据库已是最新版本（{head_revision()}）" in capsys.readouterr().out
    assert main(["totals", "--year", "2020", "--root", str(tmp_path)]) == 2
    assert "数据库中没有2020年度的汇总数据" in capsys.readouterr().err
