"""Numbers a unit quotes in its narrative that contradict themselves or its own tables (N1)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

from nianbao.core.findings import Finding
from nianbao.core.layout import TEXT_SHEET, a1, text_cells
from nianbao.core.numbers import fmt
from nianbao.core.spec import FormatSpec

COUNT = r"(\d+(?:\.\d+)?)\s*(?:条|件|项|起|个)"
TOTAL = re.compile(r"(?:总计|共计|合计|共)\D{0,20}?" + COUNT)
PART = re.compile(r"(?<![\d.])" + COUNT)


@dataclass(frozen=True)
class Claim:
    """A phrase whose quoted count must equal the sum of some cells."""

    keyword: str
    cells: tuple[str, ...]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The keyword, a few non-digit characters, then a count."""
        return re.compile(re.escape(self.keyword) + r"[^，。；;,\d]{0,8}?" + COUNT)


# Phrases that name a table figure; cells a format lacks are skipped.
CLAIMS = (
    Claim("政府信息公开申请", ("s3_new_total",)),
    Claim("依申请公开事项", ("s3_new_total",)),
    Claim("行政复议", ("s4_review_total",)),
    Claim("行政诉讼", ("s4_suit_direct_total", "s4_suit_after_review_total")),
)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。！？\n]", text) if s.strip()]


TOTAL_WORDS = ("共", "总计", "合计")  # what TOTAL needs (共计 contains 共)


def _sum_mismatches(text: str) -> Iterator[tuple[str, Decimal]]:
    """(quoted total, sum of its parts) where a total is followed by a 其中 sentence."""
    if "其中" not in text or not any(word in text for word in TOTAL_WORDS):
        return
    for paragraph in text.split("\n"):
        for match in TOTAL.finditer(paragraph):
            rest = paragraph[match.end() :]
            head = rest.lstrip("，。；、,. ")
            if not head.startswith("其中"):
                continue
            listing = re.split(r"[。！？]", head, maxsplit=1)[0]
            parts = [Decimal(m.group(1)) for m in PART.finditer(listing)]
            total = Decimal(match.group(1))
            if len(parts) > 1 and sum(parts) != total:
                yield match.group(0), sum(parts, Decimal(0))


def check_narrative(
    spec: FormatSpec, texts: Mapping[str, str], values: Mapping[str, Decimal]
) -> Iterator[Finding]:
    """Warnings for quoted totals whose parts disagree, and quoted figures unlike the tables."""
    positions = text_cells(spec)
    for field in spec.texts:
        text = texts.get(field.key, "")
        if field.type is not None or not text:
            continue
        here = Finding(
            "narrative-sum-mismatch",
            sheet=TEXT_SHEET,
            cell=a1(*positions[field.key]),
            row_path=(field.label,),
        )
        for quoted, parts in _sum_mismatches(text):
            yield replace(here, expected=fmt(parts), actual=quoted)
        claims = [c for c in CLAIMS if c.keyword in text and all(k in values for k in c.cells)]
        sentences = _sentences(text) if claims else []
        for claim in claims:
            table = sum((values[c] for c in claim.cells), Decimal(0))
            for sentence in sentences:
                for match in claim.pattern.finditer(sentence):
                    if Decimal(match.group(1)) != table:
                        yield replace(
                            here,
                            code="narrative-table-mismatch",
                            expected=fmt(table),
                            actual=match.group(0),
                        )
