"""Figures of the seed report (绥芬河市2020年政府信息公开工作年度报告), input cells only.

Transcribed from the published tables; every cell not listed is 0. Derived 总计 cells follow
from these by the format's identities.
"""

from __future__ import annotations

from decimal import Decimal

from nianbao.core.model import Unit
from nianbao.core.roster import UnitKind

REGION = "绥芬河市"
ISSUER = "绥芬河市人民政府"
YEAR = 2020
ISSUE_DATE = "2021-01-25"

ROSTER = (
    Unit("shibenji", "市本级", UnitKind.GOVERNMENT),
    Unit("kouanwei", "口岸委", UnitKind.DEPARTMENT),
    Unit("zrzyj", "自然资源局", UnitKind.DEPARTMENT),
    Unit("funingzhen", "阜宁镇", UnitKind.TOWNSHIP),
)

# 本年新收 applications per unit, as the seed's section 一（二） states.
NEW_APPLICATIONS = {"shibenji": 5, "kouanwei": 2, "zrzyj": 3, "funingzhen": 1}

INPUTS: dict[str, Decimal] = {
    "s2_normative_docs_made": Decimal(11),
    "s2_normative_docs_published": Decimal(11),
    "s2_normative_docs_total": Decimal(11),
    "s2_licensing_prev_items": Decimal(305),
    "s2_licensing_change": Decimal(-74),
    "s2_licensing_decisions": Decimal(63407),
    "s2_other_services_prev_items": Decimal(71),
    "s2_other_services_change": Decimal(21),
    "s2_other_services_decisions": Decimal(19036),
    "s2_penalty_prev_items": Decimal(1745),
    "s2_penalty_change": Decimal(-158),
    "s2_penalty_decisions": Decimal(472),
    "s2_enforcement_prev_items": Decimal(78),
    "s2_enforcement_change": Decimal(29),
    "s2_enforcement_decisions": Decimal(3),
    "s2_fees_prev_items": Decimal(68),
    "s2_fees_change": Decimal(-1),
    "s2_procurement_items": Decimal(121),
    "s2_procurement_amount": Decimal("2911.14"),
    "s3_new_natural": Decimal(11),
    "s3_public_natural": Decimal(11),
    "s4_review_corrected": Decimal(1),
}

# A synthetic 2021 cycle (2021 format) for the same units, so a new user sees both formats.
# Its 上年结转 follows from the seed's 2020 结转下年度 (all zero), as carry-over requires.
YEAR_2021 = 2021
ISSUE_DATE_2021 = "2022-01-25"
NEW_APPLICATIONS_2021 = {"shibenji": 6, "kouanwei": 3, "zrzyj": 5, "funingzhen": 2}
INPUTS_2021: dict[str, Decimal] = {
    "s2_normative_docs_issued": Decimal(9),
    "s2_normative_docs_repealed": Decimal(2),
    "s2_normative_docs_in_force": Decimal(18),
    "s2_licensing_decisions": Decimal(60211),
    "s2_penalty_decisions": Decimal(503),
    "s2_enforcement_decisions": Decimal(7),
    "s3_new_natural": Decimal(14),
    "s3_new_commercial": Decimal(2),
    "s3_public_natural": Decimal(10),
    "s3_partial_natural": Decimal(1),
    "s3_partial_commercial": Decimal(1),
    "s3_unable_no_info_natural": Decimal(2),
    "s3_other_overdue_fix_commercial": Decimal(1),
    "s3_carried_out_natural": Decimal(1),
    "s4_review_upheld": Decimal(1),
    "s4_review_pending": Decimal(1),
    "s4_suit_direct_upheld": Decimal(1),
}
