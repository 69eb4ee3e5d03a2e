"""The 2021 format: 《中华人民共和国政府信息公开工作年度报告格式》.

Issued with 国办公开办函〔2021〕30号; used for report years 2021 onward.
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
from nianbao.core.spec import (
    Block,
    CarryRule,
    CellType,
    FormatSpec,
    Node,
    Severity,
    Term,
    TextField,
)

_DECISIONS = (Node("本年处理决定数量", "decisions"),)

S2 = (
    Block(
        caption="第二十条第（一）项",
        corner="信息内容",
        columns=(
            Node("本年制发件数", "issued"),
            Node("本年废止件数", "repealed"),
            Node("现行有效件数", "in_force"),
        ),
        rows=(Node("规章", "regulations"), Node("行政规范性文件", "normative_docs")),
    ),
    Block(
        caption="第二十条第（五）项",
        corner="信息内容",
        columns=_DECISIONS,
        rows=(Node("行政许可", "licensing"),),
    ),
    Block(
        caption="第二十条第（六）项",
        corner="信息内容",
        columns=_DECISIONS,
        rows=(Node("行政处罚", "penalty"), Node("行政强制", "enforcement")),
    ),
    Block(
        caption="第二十条第（八）项",
        corner="信息内容",
        columns=(Node("本年收费金额（单位：万元）", "amount", type=CellType.MONEY, unit="万元"),),
        rows=(Node("行政事业性收费", "fees"),),
    ),
)

_S3 = s3_table(
    Node(
        "（六）其他处理",
        children=(
            Node(
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "other_overdue_fix",
            ),
            Node(
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "other_unpaid",
            ),
            Node("3.其他", "other_other"),
        ),
    )
)

FORMAT_2021 = FormatSpec(
    id="2021",
    title="中华人民共和国政府信息公开工作年度报告格式",
    notice="国办公开办函〔2021〕30号",
    tables=(
        s2_table(S2),
        _S3,
        S4,
    ),
    rules=standard_rules(_S3),
    carry_rules=(
        carry_over_rule(),
        CarryRule(
            id="C3",
            code="c3-in-force-continuity",
            title="现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数",
            severity=Severity.WARNING,
            lhs="s2_{row}_in_force",
            rhs=(
                Term("s2_{row}_in_force", last_year=True),
                Term("s2_{row}_issued"),
                Term("s2_{row}_repealed", sign=-1),
            ),
            each=(("row", ("regulations", "normative_docs")),),
        ),
    ),
    texts=(
        *TEXTS,
        TextField(
            "processing_fee", "本年收取信息处理费（单位：元）", type=CellType.MONEY, unit="元"
        ),
    ),
    key_figures=(
        "s2_normative_docs_issued",
        "s2_licensing_decisions",
        "s2_penalty_decisions",
        "s2_enforcement_decisions",
        *KEY_FIGURES,
    ),
    kind_rules=(regulations_rule(("issued", "repealed", "in_force")),),
)
