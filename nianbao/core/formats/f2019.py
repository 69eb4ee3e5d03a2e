"""The 2019 format: 《中华人民共和国政府信息公开工作年度报告格式（试行）》.

Issued with 国办公开办函〔2019〕60号; used for report years 2019 and 2020.
"""

from __future__ import annotations

from nianbao.core.formats.common import (
    KEY_FIGURES,
    S4,
    TEXTS,
    carry_over_rule,
    regulations_rule,
    s2_table,
    s3_table,
    standard_rules,
)
from nianbao.core.spec import Block, CarryRule, CellType, FormatSpec, Node, Severity, Term

_ITEMS = (
    Node("上一年项目数量", "prev_items"),
    Node("本年增/减", "change", type=CellType.SIGNED),
)
_DECISIONS = Node("处理决定数量", "decisions")

S2 = (
    Block(
        caption="第二十条第（一）项",
        corner="信息内容",
        columns=(
            Node("本年新制作数量", "made"),
            Node("本年新公开数量", "published"),
            Node("对外公开总数量", "total"),
        ),
        rows=(Node("规章", "regulations"), Node("规范性文件", "normative_docs")),
    ),
    Block(
        caption="第二十条第（五）项",
        corner="信息内容",
        columns=(*_ITEMS, _DECISIONS),
        rows=(Node("行政许可", "licensing"), Node("其他对外管理服务事项", "other_services")),
    ),
    Block(
        caption="第二十条第（六）项",
        corner="信息内容",
        columns=(*_ITEMS, _DECISIONS),
        rows=(Node("行政处罚", "penalty"), Node("行政强制", "enforcement")),
    ),
    Block(
        caption="第二十条第（八）项",
        corner="信息内容",
        columns=_ITEMS,
        rows=(Node("行政事业性收费", "fees"),),
    ),
    Block(
        caption="第二十条第（九）项",
        corner="信息内容",
        columns=(
            Node("采购项目数量", "items"),
            Node("采购总金额", "amount", type=CellType.MONEY, unit="万元"),
        ),
        rows=(Node("政府集中采购", "procurement"),),
    ),
)

_S3 = s3_table(Node("（六）其他处理", "other"))

FORMAT_2019 = FormatSpec(
    id="2019",
    title="中华人民共和国政府信息公开工作年度报告格式（试行）",
    notice="国办公开办函〔2019〕60号",
    tables=(
        s2_table(S2),
        _S3,
        S4,
    ),
    rules=standard_rules(_S3),
    carry_rules=(
        carry_over_rule(),
        CarryRule(
            id="C1",
            code="c1-item-continuity",
            title="上一年项目数量 = 上年的上一年项目数量 + 上年的本年增/减",
            severity=Severity.WARNING,
            lhs="s2_{row}_prev_items",
            rhs=(
                Term("s2_{row}_prev_items", last_year=True),
                Term("s2_{row}_change", last_year=True),
            ),
            each=(("row", ("licensing", "other_services", "penalty", "enforcement", "fees")),),
        ),
    ),
    texts=TEXTS,
    key_figures=(
        "s2_normative_docs_made",
        "s2_normative_docs_published",
        "s2_licensing_decisions",
        "s2_penalty_decisions",
        "s2_enforcement_decisions",
        *KEY_FIGURES,
    ),
    kind_rules=(regulations_rule(("made", "published", "total")),),
)
