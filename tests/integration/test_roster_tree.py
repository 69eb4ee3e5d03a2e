"""A roster with a tree of groups through the outputs a run publishes, read back from disk:
汇总表 (xlsx and csv) with subtotal rows in tree order, totals.json and status.json with the
groups, the board grouped, the draft's sentence at the office's level, ``totals --group``;
and a roster without the column: byte for byte the outputs of a flat roster."""

from __future__ import annotations

import csv
import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook, load_workbook

from nianbao.cli import main
from nianbao.core.export_rows import SUBTOTAL_MARK
from nianbao.core.formats import FORMATS
from nianbao.core.model import CycleResult
from nianbao.core.process import consolidate, process_workbook
from nianbao.io.db.last_year import LastYear
from nianbao.io.db.migrate import make_engine, upgrade
from nianbao.io.db.write import store_cycle
from nianbao.io.roster_file import load_roster_tree
from nianbao.io.staging import Staging
from nianbao.io.xlsx_read import read_workbook
from nianbao.settings import Settings
from tasks import publish
from tasks.inputs import CycleInputs
from tests.helpers import make_workbook, unit_figures

pytestmark = pytest.mark.integration

SPEC = FORMATS["2021"]
YEAR = 2021
AT = datetime(2022, 1, 10, 2, tzinfo=UTC)
OUTPUTS = ("totals.json", "status.json", "status.xlsx", "汇总表.xlsx", "汇总表.csv", "report.docx")
FLAT = """单位代码,单位名称,单位类型,联系人
shibenji,市本级,本级,张明
caizhengju,财政局,部门,
ziranju,自然资源局,部门,李华
xizhen,西镇,乡镇,
dongzhen,东镇,乡镇,王强
nanxiang,南乡,乡镇,
"""
# Three levels: 全市 ⊃ 市直部门, 乡镇街道 ⊃ 东片乡镇; 市本级 directly under 全市.
TREE = """单位代码,单位名称,单位类型,联系人,上级单位
quanshi,全市,分组,,
shibenji,市本级,本级,张明,quanshi
shizhi,市直部门,分组,,quanshi
caizhengju,财政局,部门,,shizhi
ziranju,自然资源局,部门,李华,shizhi
xiangzhen,乡镇街道,分组,,quanshi
xizhen,西镇,乡镇,,xiangzhen
dongpian,东片乡镇,分组,,xiangzhen
dongzhen,东镇,乡镇,王强,dongpian
nanxiang,南乡,乡镇,,dongpian
"""


@dataclass
class Run:
    root: Path
    result: CycleResult

    def out(self, name: str) -> Path:
        return self.root / "output" / str(YEAR) / name


SENDERS = ("shibenji", "caizhengju", "ziranju", "xizhen", "dongzhen")  # 南乡 sends nothing


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The units' returns, written once: every run reads the same bytes."""
    folder = tmp_path_factory.mktemp("returns")
    (folder / "roster.csv").write_text(FLAT, encoding="utf-8")
    units = {u.code: u for u in load_roster_tree(folder).units}
    for seed, code in enumerate(SENDERS):
        path = folder / code / "报表.xlsx"
        make_workbook(path, units[code], unit_figures(seed, SPEC), YEAR, SPEC, received=AT)
    return folder


def run(
    root: Path,
    returns: Path,
    monkeypatch: pytest.MonkeyPatch,
    level: int = 0,
    store: bool = False,
) -> Run:
    """The run's consolidation and publication over the roster in ``root`` and the
    ``returns`` copied into its inbox."""
    tree = load_roster_tree(root)
    units = {u.code: u for u in tree.units}
    subs = []
    for code in SENDERS:
        path = root / "inbox" / code / "报表.xlsx"
        path.parent.mkdir(parents=True)
        shutil.copy2(returns / code / "报表.xlsx", path)
        raw = read_workbook(path, code, f"{code}/报表.xlsx")
        subs.append(process_workbook(raw, SPEC, YEAR, units))
    result = consolidate(SPEC, YEAR, tree.units, subs, groups=tree.groups)
    monkeypatch.setattr(publish, "get_run_logger", lambda: logging.getLogger("test"))
    out = root / "output" / str(YEAR)
    out.mkdir(parents=True, exist_ok=True)
    staging = Staging(out)
    settings = Settings(
        root=root,
        region="某市",
        issuer="某市人民政府",
        issue_date=date(2022, 1, 25),
        report_group_level=level,
    )
    inputs = CycleInputs(YEAR, SPEC.id, tree.units, settings, LastYear(), tree.groups)
    publish.publish_outputs.fn(inputs, result, staging)
    assert staging.publish() == []
    if store:
        engine = make_engine(settings.database_url)
        try:
            upgrade(engine)
            store_cycle(engine, result)
        finally:
            engine.dispose()
    return Run(root, result)


def _roster_xlsx(path: Path, text: str, extra_empty: str | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in csv.reader(text.splitlines()):
        ws.append([*row, ""] if extra_empty else row)
    if extra_empty:
        ws.cell(1, ws.max_column, extra_empty)
    wb.save(path)


def test_a_roster_without_parents_gives_byte_identical_outputs(
    tmp_path: Path, returns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flat roster as CSV, the same with an empty 上级单位 column, and as a workbook with
    an empty parent column: the same bytes in every output (the draft's parts but its
    package timestamp)."""
    roots = [tmp_path / name for name in ("csv", "csv-empty-parent", "xlsx-empty-parent")]
    for root in roots:
        root.mkdir()
    (roots[0] / "roster.csv").write_text(FLAT, encoding="utf-8")
    with_column = "\n".join(
        f"{line},{'上级单位' if i == 0 else ''}" for i, line in enumerate(FLAT.splitlines())
    )
    (roots[1] / "roster.csv").write_text(with_column + "\n", encoding="utf-8")
    _roster_xlsx(roots[2] / "roster.xlsx", FLAT, extra_empty="parent")
    runs = [run(root, returns, monkeypatch) for root in roots]
    assert all(r.result.groups == () for r in runs)
    for name in OUTPUTS:
        contents = [_content(r.out(name)) for r in runs]
        assert contents[1] == contents[0] and contents[2] == contents[0], name
    totals = json.loads(runs[0].out("totals.json").read_text(encoding="utf-8"))
    status = json.loads(runs[0].out("status.json").read_text(encoding="utf-8"))
    assert "groups" not in totals and "groups" not in status
    assert all("parent" not in u for u in status["units"])
    summary = list(
        csv.reader(runs[0].out("汇总表.csv").read_text(encoding="utf-8-sig").splitlines())
    )
    assert [r[0] for r in summary[2:]] == [*(u.code for u in runs[0].result.roster), ""]


def _content(path: Path) -> object:
    """A file's bytes; a .docx as its parts' bytes, without docProps/core.xml (which holds
    the time it was written)."""
    if path.suffix != ".docx":
        return path.read_bytes()
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.fixture
def tree_run(tmp_path: Path, returns: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    root = tmp_path / "root"
    root.mkdir()
    (root / "roster.csv").write_text(TREE, encoding="utf-8")
    return run(root, returns, monkeypatch, level=2, store=True)


def _number(value: object) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def test_summary_has_subtotal_rows_in_tree_order_equal_to_their_units(tree_run: Run) -> None:
    ws = load_workbook(tree_run.out("汇总表.xlsx")).active
    assert ws is not None
    _, ids, *rows, total = list(ws.iter_rows(values_only=True))
    assert [r[0] for r in rows] == [
        "quanshi",
        "shibenji",
        "shizhi",
        "caizhengju",
        "ziranju",
        "xiangzhen",
        "xizhen",
        "dongpian",
        "dongzhen",
        "nanxiang",
    ]
    subtotal = {r[0]: r for r in rows if str(r[2]).startswith(SUBTOTAL_MARK)}
    assert list(subtotal) == ["quanshi", "shizhi", "xiangzhen", "dongpian"]
    assert subtotal["dongpian"][2] == "小计（已接收1个，共2个单位）"
    leaves = {
        "quanshi": ["shibenji", "caizhengju", "ziranju", "xizhen", "dongzhen", "nanxiang"],
        "shizhi": ["caizhengju", "ziranju"],
        "xiangzhen": ["xizhen", "dongzhen", "nanxiang"],
        "dongpian": ["dongzhen", "nanxiang"],
    }
    by_code = {r[0]: r for r in rows}
    for group, codes in leaves.items():
        for col in range(3, len(ids)):
            assert _number(subtotal[group][col]) == sum(
                (_number(by_code[c][col]) for c in codes), Decimal(0)
            ), (group, ids[col])
    # the top group is the whole city: its row equals 合计
    assert [_number(v) for v in subtotal["quanshi"][3:]] == [_number(v) for v in total[3:]]
    csv_rows = list(
        csv.reader(tree_run.out("汇总表.csv").read_text(encoding="utf-8-sig").splitlines())
    )
    assert [r[0] for r in csv_rows[2:-1]] == [r[0] for r in rows]
    assert ws.cell(3 + 3, 2).alignment.indent == 2  # 财政局, two levels down


def test_json_board_and_draft_follow_the_tree(
    tree_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    totals = json.loads(tree_run.out("totals.json").read_text(encoding="utf-8"))
    assert list(totals["groups"]) == ["quanshi", "shizhi", "xiangzhen", "dongpian"]
    assert totals["groups"]["quanshi"]["totals"] == totals["totals"]
    status = json.loads(tree_run.out("status.json").read_text(encoding="utf-8"))
    assert [u["parent"] for u in status["units"]][:3] == ["quanshi", "shizhi", "shizhi"]

    board = load_workbook(tree_run.out("status.xlsx"))["报送情况"]
    names = [r[0] for r in board.iter_rows(min_row=3, values_only=True)]
    assert names[:4] == ["全市", "\u3000市本级", "\u3000市直部门", "\u3000\u3000财政局"]
    statuses = [r[1] for r in board.iter_rows(min_row=3, values_only=True)]
    assert statuses[0] == "已接收5个，共6个单位"

    body = "\n".join(p.text for p in docx.Document(str(tree_run.out("report.docx"))).paragraphs)
    figures = tree_run.result.breakdown
    new = {c: int(v["s3_new_total"]) for c, v in figures.items()}
    # level 2: the groups directly under 全市, and 市本级, a unit at that depth
    expected = f"其中市本级{new['shibenji']}项，市直部门{new['caizhengju'] + new['ziranju']}项"
    assert expected in body
    assert f"乡镇街道{new['xizhen'] + new['dongzhen']}项" in body
    root = str(tree_run.root)
    report = str(tree_run.out("report.docx"))
    (tree_run.root / "nianbao.toml").write_text("report_group_level = 2\n", encoding="utf-8")
    # the group-level sentences agree with the database (not final: 南乡 is missing)
    assert main(["check-draft", "--year", str(YEAR), report, "--root", root]) == 1
    assert "生成语句中的数字与数据库一致" in capsys.readouterr().out

    args = ["totals", "--year", str(YEAR), "--group", "shizhi", "--root", root]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["units"] == ["caizhengju", "ziranju"]
    assert doc["totals"]["s3_new_total"] == new["caizhengju"] + new["ziranju"]
    assert main(["totals", "--year", str(YEAR), "--group", "nosuch", "--root", root]) == 2
    assert "shizhi" in capsys.readouterr().err
