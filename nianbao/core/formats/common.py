"""Parts shared by both national formats: tables 三 and 四, their identities, texts.

Labels are the official ones (国办公开办函〔2019〕60号 and 〔2021〕30号), character for character.
"""

from __future__ import annotations

from nianbao.core.roster import UnitKind
from nianbao.core.spec import (
    Block,
    CarryRule,
    KindRule,
    Node,
    Rule,
    Severity,
    Table,
    Term,
    TextField,
)

S3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

S3_COLUMNS = (
    Node(
        "申请人情况",
        children=(
            Node("自然人", "natural"),
            Node(
                "法人或其他组织",
                children=(
                    Node("商业企业", "commercial"),
                    Node("科研机构", "research"),
                    Node("社会公益组织", "nonprofit"),
                    Node("法律服务机构", "legal"),
                    Node("其他", "other"),
                ),
            ),
            Node("总计", "total"),
        ),
    ),
)
HANDLED_TOTAL = "handled_total"  # the row key of 三（七）总计
S3_PARTS = ("natural", "commercial", "research", "nonprofit", "legal", "other")
S3_ALL_COLUMNS = (*S3_PARTS, "total")

S3_WITHHELD = Node(
    "（三）不予公开",
    children=(
        Node("1.属于国家秘密", "deny_secret"),
        Node("2.其他法律行政法规禁止公开", "deny_law"),
        Node("3.危及“三安全一稳定”", "deny_security"),
        Node("4.保护第三方合法权益", "deny_third_party"),
        Node("5.属于三类内部事务信息", "deny_internal"),
        Node("6.属于四类过程性信息", "deny_process"),
        Node("7.属于行政执法案卷", "deny_enforcement"),
        Node("8.属于行政查询事项", "deny_query"),
    ),
)
S3_UNAVAILABLE = Node(
    "（四）无法提供",
    children=(
        Node("1.本机关不掌握相关政府信息", "unable_no_info"),
        Node("2.没有现成信息需要另行制作", "unable_create"),
        Node("3.补正后申请内容仍不明确", "unable_unclear"),
    ),
)
S3_NOT_PROCESSED = Node(
    "（五）不予处理",
    children=(
        Node("1.信访举报投诉类申请", "reject_petition"),
        Node("2.重复申请", "reject_repeat"),
        Node("3.要求提供公开出版物", "reject_publication"),
        Node("4.无正当理由大量反复申请", "reject_mass"),
        Node("5.要求行政机关确认或重新出具已获取信息", "reject_confirm"),
    ),
)


def s2_table(blocks: tuple[Block, ...]) -> Table:
    """Table 二 made of a format's blocks."""
    return Table(key="s2", title="二、主动公开政府信息情况", sheet="二、主动公开", blocks=blocks)


def s3_table(other: Node) -> Table:
    """Table 三 with the format's （六）其他处理 node (a leaf in 2019, a group in 2021)."""
    results = Node(
        "三、本年度办理结果",
        children=(
            Node("（一）予以公开", "public"),
            Node("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partial"),
            S3_WITHHELD,
            S3_UNAVAILABLE,
            S3_NOT_PROCESSED,
            other,
            Node("（七）总计", HANDLED_TOTAL),
        ),
    )
    rows = (
        Node("一、本年新收政府信息公开申请数量", "new"),
        Node("二、上年结转政府信息公开申请数量", "carried_in"),
        results,
        Node("四、结转下年度继续办理", "carried_out"),
    )
    return Table(
        key="s3",
        title="三、收到和处理政府信息公开申请情况",
        sheet="三、依申请公开",
        blocks=(Block(columns=S3_COLUMNS, rows=rows, corner=S3_NOTE),),
    )


def s3_outcome_keys(table: Table) -> tuple[str, ...]:
    """Row keys of the outcome rows that add up to （七）总计: the other leaves of the row
    group that holds it."""
    (results,) = (
        row
        for block in table.blocks
        for row in block.rows
        if any(path[-1].key == HANDLED_TOTAL for path in row.leaves())
    )
    keys = [path[-1].key for path in results.leaves()]
    return tuple(k for k in keys if k and k != HANDLED_TOTAL)


_RESULTS = (
    Node("结果维持", "upheld"),
    Node("结果纠正", "corrected"),
    Node("其他结果", "other"),
    Node("尚未审结", "pending"),
    Node("总计", "total"),
)
S4 = Table(
    key="s4",
    title="四、政府信息公开行政复议、行政诉讼情况",
    sheet="四、复议诉讼",
    blocks=(
        Block(
            columns=(
                Node("行政复议", "review", children=_RESULTS),
                Node(
                    "行政诉讼",
                    children=(
                        Node("未经复议直接起诉", "suit_direct", children=_RESULTS),
                        Node("复议后起诉", "suit_after_review", children=_RESULTS),
                    ),
                ),
            ),
        ),
    ),
)
S4_GROUPS = ("review", "suit_direct", "suit_after_review")
S4_PARTS = ("upheld", "corrected", "other", "pending")


def standard_rules(s3: Table) -> tuple[Rule, ...]:
    """Identities A1, A2, A3 and B1 for a format whose table 三 is ``s3``."""
    outcomes = s3_outcome_keys(s3)
    row_keys = tuple(p[-1].key or "" for p in s3.blocks[0].row_paths)
    col = (("col", S3_ALL_COLUMNS),)
    return (
        Rule(
            id="A1",
            code="a1-balance",
            title="每列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理",
            severity=Severity.ERROR,
            lhs=("s3_new_{col}", "s3_carried_in_{col}"),
            rhs=("s3_handled_total_{col}", "s3_carried_out_{col}"),
            anchor="s3_carried_out_{col}",
            each=col,
        ),
        Rule(
            id="A2",
            code="a2-outcome-sum",
            title="每列：（七）总计 = 各项办理结果之和",
            severity=Severity.ERROR,
            lhs=("s3_handled_total_{col}",),
            rhs=tuple(f"s3_{k}_{{col}}" for k in outcomes),
            anchor="s3_handled_total_{col}",
            each=col,
            defines=True,
        ),
        Rule(
            id="A3",
            code="a3-applicant-sum",
            title="每行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他",
            severity=Severity.ERROR,
            lhs=("s3_{row}_total",),
            rhs=tuple(f"s3_{{row}}_{p}" for p in S3_PARTS),
            anchor="s3_{row}_total",
            each=(("row", row_keys),),
            defines=True,
        ),
        Rule(
            id="B1",
            code="b1-review-sum",
            title="每组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
            severity=Severity.ERROR,
            lhs=("s4_{group}_total",),
            rhs=tuple(f"s4_{{group}}_{p}" for p in S4_PARTS),
            anchor="s4_{group}_total",
            each=(("group", S4_GROUPS),),
            defines=True,
        ),
    )


TEXTS = (
    TextField("problems", "存在的主要问题及改进情况", multiline=True),
    TextField("other_matters", "其他需要报告的事项", multiline=True),
    TextField("contact_person", "填报人"),
    TextField("contact_phone", "联系电话"),
    TextField("filled_date", "填报日期"),
    TextField("explanation", "说明（对校验提示的解释，如机构调整导致数据不衔接）", multiline=True),
)


def carry_over_rule() -> CarryRule:
    """A6: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, per column."""
    return CarryRule(
        id="A6",
        code="a6-carry-over",
        title="本年“二、上年结转”= 上年“四、结转下年度继续办理”（每列）",
        severity=Severity.WARNING,
        lhs="s3_carried_in_{col}",
        rhs=(Term("s3_carried_out_{col}", last_year=True),),
        each=(("col", S3_PARTS),),
    )


# Key figures of tables 三 and 四 (both formats), for the plausibility checks: 本年新收申请总数,
# 办理结果总计 and the 行政复议 and 行政诉讼 totals. Each format adds its 主动公开 counts.
KEY_FIGURES = (
    "s3_new_total",
    "s3_handled_total_total",
    "s4_review_total",
    "s4_suit_direct_total",
    "s4_suit_after_review_total",
)


def regulations_rule(columns: tuple[str, ...]) -> KindRule:
    """Townships and streets make no 规章 (《立法法》: only the State Council's departments and
    the governments of provinces and 设区的市 do): any figure in the 规章 row of table 二."""
    return KindRule(
        kinds=frozenset({UnitKind.TOWNSHIP.value}),
        cells=tuple(f"s2_regulations_{c}" for c in columns),
        reason="乡镇人民政府、街道办事处无权制定规章（规章由国务院部门和省级、设区的市级人民政府制定）",
    )
