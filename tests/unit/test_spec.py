"""The 2019 format as data: cell counts, official labels, ids, identities, JSON interface."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from nianbao.core.formats import FORMAT_2019, UnknownFormatError, format_for_year
from nianbao.core.spec import CellKind, CellType
from tests.conftest import DATA

REFERENCE = DATA / "report-format.md"


def test_value_cell_counts_per_table() -> None:
    counts = Counter(c.table for c in FORMAT_2019.cells)
    assert counts == {"s2": 22, "s3": 161, "s4": 15}


def test_ids_are_unique_and_usable_as_excel_names() -> None:
    ids = [c.id for c in FORMAT_2019.cells]
    assert len(ids) == len(set(ids))
    for cid in ids:
        assert re.fullmatch(r"s[234]_[a-z0-9_]+", cid), cid


def test_types_and_units() -> None:
    cell = FORMAT_2019.cell
    assert cell["s2_licensing_change"].type is CellType.SIGNED
    assert cell["s2_fees_change"].type is CellType.SIGNED
    assert cell["s2_procurement_amount"].type is CellType.MONEY
    assert cell["s2_procurement_amount"].unit == "万元"
    signed = {c.id for c in FORMAT_2019.cells if c.type is CellType.SIGNED}
    assert signed == {
        f"s2_{r}_change" for r in ("licensing", "other_services", "penalty", "enforcement", "fees")
    }


def test_derived_cells_are_the_totals() -> None:
    derived = {c.id for c in FORMAT_2019.cells if c.kind is CellKind.DERIVED}
    s3_rows = {
        c.id.removesuffix("_natural") for c in FORMAT_2019.cells if c.id.endswith("_natural")
    }
    expected = {f"{r}_total" for r in s3_rows}
    expected |= {c.id for c in FORMAT_2019.cells if c.id.startswith("s3_handled_total_")}
    expected |= {f"s4_{g}_total" for g in ("review", "suit_direct", "suit_after_review")}
    assert derived == expected
    assert len(derived) == 22 + 7 + 3


def _reference_s3_rows() -> list[str]:
    text = REFERENCE.read_text(encoding="utf-8")
    block = text.split("Rows, in order")[1].split("```")[1]
    rows = []
    for line in block.strip().splitlines():
        label = re.sub(r"\s+\[.*?\]|\s+\(20\d\d\)", "", line).strip()
        if "(2021)" in line or not label:
            continue
        rows.append(label)
    return rows


def test_s3_labels_equal_the_reference_character_for_character() -> None:
    ref = _reference_s3_rows()
    spec_labels: list[str] = []
    for c in FORMAT_2019.cells:
        if c.table == "s3" and c.column_path[-1] == "自然人":
            for label in c.row_path:
                if label not in spec_labels:
                    spec_labels.append(label)
    assert sorted(spec_labels) == sorted(ref)
    columns = [c.column_path[-1] for c in FORMAT_2019.cells if c.id.startswith("s3_new_")]
    assert columns == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        in REFERENCE.read_text(encoding="utf-8")
    )


def test_s2_labels_appear_in_the_reference_2019_table() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    table = text.split("2019 format (22 value cells):")[1].split("2021 format")[0]
    for c in FORMAT_2019.cells:
        if c.table == "s2":
            for label in (*c.row_path, *c.column_path):
                assert label in table, label


def test_s4_groups() -> None:
    paths = [c.column_path for c in FORMAT_2019.cells if c.table == "s4"]
    assert paths[0] == ("行政复议", "结果维持")
    assert paths[5] == ("行政诉讼", "未经复议直接起诉", "结果维持")
    assert paths[-1] == ("行政诉讼", "复议后起诉", "总计")


def test_identities_expand_per_column_row_and_group() -> None:
    by_rule = Counter(e.rule for e in FORMAT_2019.equations)
    assert by_rule == {"A1": 7, "A2": 7, "A3": 23, "B1": 3}
    a1 = next(e for e in FORMAT_2019.equations if e.rule == "A1" and e.anchor.endswith("_legal"))
    assert a1.lhs == ("s3_new_legal", "s3_carried_in_legal")
    assert a1.rhs == ("s3_handled_total_legal", "s3_carried_out_legal")


def test_year_selects_format_and_override_is_checked() -> None:
    assert format_for_year(2020).id == "2019"
    assert format_for_year(2019, "2019").id == "2019"
    with pytest.raises(UnknownFormatError):
        format_for_year(2020, "1999")
    with pytest.raises(UnknownFormatError):
        format_for_year(2018)


def test_json_interface_shape() -> None:
    doc = FORMAT_2019.to_json()
    assert set(doc) >= {"format", "cells", "identities"}
    assert len(doc["cells"]) == 198
    cell = next(c for c in doc["cells"] if c["id"] == "s3_deny_secret_commercial")
    assert cell == {
        "id": "s3_deny_secret_commercial",
        "table": "s3",
        "row_path": ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"],
        "column_path": ["申请人情况", "法人或其他组织", "商业企业"],
        "type": "count",
        "unit": None,
        "kind": "input",
    }
    assert [i["id"] for i in doc["identities"]] == ["A1", "A2", "A3", "B1"]
