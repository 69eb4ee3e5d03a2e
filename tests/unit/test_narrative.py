"""N1: numbers quoted in a unit's narrative against themselves and its tables."""

from __future__ import annotations

from decimal import Decimal

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.narrative import check_narrative

SEED_SENTENCE = (
    "2020年行政单位主动公开各类政府信息总计92054条。其中政府规章和规范性文件共11条；"
    "处理行政许可和对外服务事项82443条；处理行政处罚和行政强制475条；行政事业性收费项目67项；"
    "政府集中采购项目数量为121项，采购总金额为2911.14万元；其它各类政府信息8209条。"
)
VALUES = {
    "s3_new_total": Decimal(11),
    "s4_review_total": Decimal(1),
    "s4_suit_direct_total": Decimal(0),
    "s4_suit_after_review_total": Decimal(0),
}


def found(text: str) -> list[tuple[str, str, str]]:
    return [
        (f.code, f.expected, f.actual) for f in check_narrative(SPEC, {"problems": text}, VALUES)
    ]


def test_the_seeds_own_total_disagrees_with_its_parts() -> None:
    assert found(SEED_SENTENCE) == [("narrative-sum-mismatch", "91326", "总计92054条")]


def test_a_total_whose_parts_add_up_is_fine() -> None:
    assert (
        found("总计收到依申请公开事项11项，其中市本级5项，口岸委2项，自然资源局3项，阜宁镇1项。")
        == []
    )


def test_figures_quoted_against_the_tables() -> None:
    assert found("全年收到政府信息公开申请11件，行政复议1件。") == []
    assert found("全年收到政府信息公开申请12件，发生行政复议2件。") == [
        ("narrative-table-mismatch", "11", "政府信息公开申请12件"),
        ("narrative-table-mismatch", "1", "行政复议2件"),
    ]


def test_findings_point_at_the_text_cell_and_are_warnings() -> None:
    (f,) = check_narrative(SPEC, {"other_matters": "收到政府信息公开申请3件。"}, VALUES)
    assert (f.sheet, f.cell, f.severity) == ("五六、文字材料及联系人", "B4", "warning")
