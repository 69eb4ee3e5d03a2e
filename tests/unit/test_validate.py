"""Validation of one unit's figures: types, signs and every identity, as (code, sheet, cell)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from nianbao.core.findings import CATALOGUE, Finding, placeholders
from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.validate import validate_values

S3 = "三、依申请公开"
S2 = "二、主动公开"
S4 = "四、复议诉讼"


def valid_raw() -> dict[str, Any]:
    """A consistent unit return: inputs as Excel gives them (floats), totals left blank."""
    raw: dict[str, Any] = {cid: 0.0 for cid in SPEC.inputs}
    raw.update(
        {
            "s3_new_natural": 4.0,
            "s3_new_commercial": 1.0,
            "s3_carried_in_natural": 1.0,
            "s3_public_natural": 2.0,
            "s3_deny_secret_natural": 1.0,
            "s3_carried_out_natural": 2.0,
            "s3_partial_commercial": 1.0,
            "s4_review_upheld": 2.0,
            "s4_review_corrected": 1.0,
            "s2_licensing_change": -3.0,
            "s2_procurement_amount": 12.5,
        }
    )
    raw.update({cid: "" for cid in SPEC.definitions})
    return raw


def flat(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in findings]


def test_valid_return_has_no_findings_and_totals_are_recomputed() -> None:
    values, findings = validate_values(SPEC, valid_raw())
    assert findings == []
    assert values["s3_new_total"] == 5
    assert values["s3_handled_total_natural"] == 3
    assert values["s3_handled_total_total"] == 4
    assert values["s4_review_total"] == 3
    assert values["s2_licensing_change"] == Decimal(-3)
    assert values["s2_procurement_amount"] == Decimal("12.5")


def test_cached_totals_that_agree_are_accepted() -> None:
    raw = valid_raw()
    raw.update({"s3_new_total": 5.0, "s3_handled_total_total": 4.0, "s4_review_total": 3.0})
    assert validate_values(SPEC, raw)[1] == []


def test_a1_fails_when_a_column_does_not_balance() -> None:
    raw = valid_raw()
    raw["s3_carried_out_natural"] = 3.0
    findings = validate_values(SPEC, raw)[1]
    assert flat(findings) == [("a1-balance", S3, "D29")]
    assert (findings[0].expected, findings[0].actual) == ("5", "6")


def test_a2_fails_when_the_stored_outcome_total_disagrees() -> None:
    raw = valid_raw()
    raw["s3_handled_total_natural"] = 4.0  # parts add up to 3
    assert flat(validate_values(SPEC, raw)[1]) == [("a2-outcome-sum", S3, "D28")]


def test_a3_fails_when_the_stored_row_total_disagrees() -> None:
    raw = valid_raw()
    raw["s3_new_total"] = 6.0  # 4 natural + 1 commercial
    assert flat(validate_values(SPEC, raw)[1]) == [("a3-applicant-sum", S3, "J7")]


def test_b1_fails_when_the_stored_review_total_disagrees() -> None:
    raw = valid_raw()
    raw["s4_review_total"] = 2.0
    assert flat(validate_values(SPEC, raw)[1]) == [("b1-review-sum", S4, "E7")]


def test_b1_passes_for_litigation_groups() -> None:
    raw = valid_raw()
    raw.update({"s4_suit_direct_pending": 2.0, "s4_suit_direct_total": 2.0})
    assert validate_values(SPEC, raw)[1] == []


def test_text_total_is_reported_as_a_mismatch() -> None:
    raw = valid_raw()
    raw["s4_review_total"] = "三"
    assert flat(validate_values(SPEC, raw)[1]) == [("b1-review-sum", S4, "E7")]


@pytest.mark.parametrize(
    ("cell_id", "raw", "code", "ref"),
    [
        ("s3_new_legal", "两件", "not-a-number", "H7"),
        ("s3_new_legal", 1.5, "not-an-integer", "H7"),
        ("s3_new_legal", -1.0, "negative-value", "H7"),
        ("s2_licensing_prev_items", -2.0, "negative-value", "B10"),
        ("s2_procurement_amount", -0.5, "negative-value", "C21"),
        ("s2_fees_change", 0.5, "not-an-integer", "C18"),
        ("s2_licensing_decisions", True, "not-a-number", "D10"),
    ],
)
def test_type_and_sign_errors(cell_id: str, raw: Any, code: str, ref: str) -> None:
    values = valid_raw()
    values[cell_id] = raw
    findings = validate_values(SPEC, values)[1]
    assert flat(findings) == [(code, S3 if cell_id.startswith("s3") else S2, ref)]
    assert findings[0].severity == "error"


def test_signed_change_and_text_numbers_are_accepted() -> None:
    raw = valid_raw()
    raw.update(
        {"s2_licensing_change": "+21", "s2_penalty_change": "-158", "s2_fees_prev_items": "６８"}
    )
    values, findings = validate_values(SPEC, raw)
    assert findings == []
    assert (values["s2_licensing_change"], values["s2_penalty_change"]) == (21, -158)
    assert values["s2_fees_prev_items"] == 68


def test_blank_input_is_a_warning_counted_as_zero() -> None:
    raw = valid_raw()
    raw["s3_deny_law_other"] = ""
    values, findings = validate_values(SPEC, raw)
    assert flat(findings) == [("blank-cell", S3, "I12")]
    assert findings[0].severity == "warning"
    assert values["s3_deny_law_other"] == 0


def test_findings_carry_official_labels() -> None:
    raw = valid_raw()
    raw["s3_deny_secret_research"] = "x"
    (finding,) = validate_values(SPEC, raw)[1]
    assert finding.row_path == ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密")
    assert finding.column_path == ("申请人情况", "法人或其他组织", "科研机构")


def test_several_defects_are_all_collected_in_one_call() -> None:
    raw = valid_raw()
    raw.update({"s3_new_legal": "x", "s4_review_total": 9.0, "s2_fees_change": 0.5})
    assert sorted(flat(validate_values(SPEC, raw)[1])) == sorted(
        [("not-a-number", S3, "H7"), ("b1-review-sum", S4, "E7"), ("not-an-integer", S2, "C18")]
    )


def test_every_catalogue_template_uses_only_finding_fields() -> None:
    fields = set(Finding.__dataclass_fields__) | {"labels", "columns"}
    for kind in CATALOGUE.values():
        assert placeholders(kind.template) <= fields, kind.code
        assert placeholders(kind.hint) <= fields, kind.code
        assert kind.code == kind.code.lower() and " " not in kind.code
