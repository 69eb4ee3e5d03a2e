"""The notice at the top of a draft whose totals leave roster units out, and the list of
those units (which check-draft also prints)."""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.core.model import ReviewState, Status
from nianbao.core.report.data import UnitGap
from nianbao.core.report.types import Paragraph, ParagraphKind, Sentence
from nianbao.core.report.wording import PLACEHOLDER_PREFIX, PLACEHOLDER_SUFFIX

# The words that mark the notice of an incomplete draft; check-draft looks for them.
INCOMPLETE_MARK = "本初稿数据不完整"
NOTICE_NAMES = 20  # names listed per status in the notice; more are counted


def _names(gaps: Sequence[UnitGap]) -> str:
    names = "、".join(g.name for g in gaps[:NOTICE_NAMES])
    return names if len(gaps) <= NOTICE_NAMES else f"{names}等{len(gaps)}个单位"


def gap_list(gaps: Sequence[UnitGap]) -> str:
    """``民政局（未报送）、卫健局（已退回）`` (the first ``NOTICE_NAMES``, then a count)."""
    listed = "、".join(f"{g.name}（{g.why}）" for g in gaps[:NOTICE_NAMES])
    return listed if len(gaps) <= NOTICE_NAMES else f"{listed}等{len(gaps)}个单位"


def incomplete_notice(gaps: Sequence[UnitGap]) -> Paragraph | None:
    """The highlighted notice at the top of a draft whose totals leave units out (None when
    none is left out): which units and why, and that the draft cannot be final as it is."""
    if not gaps:
        return None
    missing = [g for g in gaps if g.status is Status.MISSING]
    pending = [g for g in gaps if g.review is ReviewState.PENDING]
    rejected = [g for g in gaps if g.status is not Status.MISSING and g not in pending]
    why = [
        *([f"{_names(missing)}未报送"] if missing else []),
        *([f"{_names(rejected)}的报表已退回、尚未改正"] if rejected else []),
        *([f"{_names(pending)}的报表尚待审核"] if pending else []),
    ]
    text = (
        f"{PLACEHOLDER_PREFIX}{INCOMPLETE_MARK}：{'，'.join(why)}，上述单位的数据未计入汇总，"
        "本报告中的数字和“未发生”“未收到”等表述只反映已汇总单位的报表。请督促上述单位报送"
        "或改正后重新汇总、生成初稿；确定不再等待的，在报告中说明情况后删除本段。"
        f"{PLACEHOLDER_SUFFIX}"
    )
    return Paragraph((Sentence(text),), ParagraphKind.PLACEHOLDER)
