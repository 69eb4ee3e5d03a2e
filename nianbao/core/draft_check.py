"""Compare an edited report draft with the draft the database implies.

Pure: the draft arrives as plain text (``DraftText``, extracted by
``nianbao.io.docx.read.read_draft``), the expectation as a ``Report`` rebuilt from the
database. Tables are compared cell by cell at the positions the layout gives; each
generated sentence that states a figure is looked up in the draft's paragraphs by its
wording with the digits left open, and the digits found are compared with the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from nianbao.core.report.data import UnitGap
from nianbao.core.report.notice import INCOMPLETE_MARK, gap_list
from nianbao.core.report.types import Report, Sentence, TableCell, TableModel
from nianbao.core.spec import FormatSpec

# Full-width digits and signs a person may type in Word; spaces are dropped.
_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "．": ".",
        "＋": "+",
        "－": "-",
        "−": "-",
    }
)
_SPACES = re.compile(r"\s+")
_NUMBER = r"([+-]?\d+(?:\.\d+)?)"
_UNITS = ("万元", "元", "件", "项", "条", "个")


@dataclass(frozen=True)
class DraftText:
    """What a draft says: body paragraphs and tables (rows of cell texts per grid column,
    a merged cell's text repeated in every position it covers)."""

    paragraphs: tuple[str, ...]
    tables: tuple[tuple[tuple[str, ...], ...], ...]


class Problem(StrEnum):
    """Kinds of difference."""

    TABLE_VALUE = "table-value"  # a table figure differs
    TABLE_SHAPE = "table-shape"  # a table is missing or has other rows/columns
    SENTENCE_VALUE = "sentence-value"  # a figure in a generated sentence differs
    SENTENCE_MISSING = "sentence-missing"  # a generated sentence is not in the draft
    INCOMPLETE = "incomplete"  # the notice that units are not included still stands


@dataclass(frozen=True)
class Difference:
    """One place where the draft and the database disagree; ``where`` and ``what`` are
    Chinese, for the office."""

    problem: Problem
    where: str
    what: str
    expected: str
    actual: str
    ref: str = ""

    @property
    def message(self) -> str:
        """One line for the office."""
        if self.problem is Problem.SENTENCE_MISSING:
            return f"{self.where}：未找到生成的语句“{self.expected}”，请核对其中的数字"
        if self.problem is Problem.INCOMPLETE:
            return f"{self.where}：{self.what}（{self.expected}）"
        if self.problem is Problem.TABLE_SHAPE:
            return f"{self.where}：{self.what}（应为{self.expected}，初稿为{self.actual}）"
        return f"{self.where}〔{self.what}〕：初稿为“{self.actual}”，数据库为“{self.expected}”"


@dataclass(frozen=True)
class CheckResult:
    """Differences found, and what was compared."""

    differences: tuple[Difference, ...]
    table_figures: int
    sentences: int
    unchecked: tuple[Sentence, ...]  # sentences whose figures the database does not hold
    not_included: tuple[UnitGap, ...] = ()  # roster units the database's totals leave out

    @property
    def ok(self) -> bool:
        """Whether the draft agrees with the database."""
        return not self.differences


def normalise(text: str) -> str:
    """Half-width digits and signs, no spaces."""
    return _SPACES.sub("", text.translate(_NORMALISE))


def parse_number(text: str) -> Decimal | None:
    """The number a table cell or sentence slot shows (unit after it allowed), or None."""
    t = normalise(text)
    for unit in _UNITS:
        if t.endswith(unit):
            t = t[: -len(unit)]
            break
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _same(expected: Decimal | None, shown: str) -> bool:
    actual = parse_number(shown)
    return expected is not None and actual is not None and actual == expected


# ---------------------------------------------------------------- tables


def _cell_labels(spec: FormatSpec, cell: TableCell) -> str:
    cs = spec.cell[cell.cell_id or ""]
    caption = spec.table(cs.table).blocks[cs.block].caption
    return " / ".join((*([caption] if caption else []), *cs.row_path, *cs.column_path))


def _check_table(
    spec: FormatSpec, index: int, model: TableModel, grid: tuple[tuple[str, ...], ...] | None
) -> list[Difference]:
    where = f"第{index}个表格（{model.title}）"
    if grid is None:
        return [Difference(Problem.TABLE_SHAPE, where, "表格缺失", "存在", "没有这个表格")]
    shape = (len(grid), max((len(r) for r in grid), default=0))
    if shape != (model.rows, model.cols) or any(len(r) != model.cols for r in grid):
        return [
            Difference(
                Problem.TABLE_SHAPE,
                where,
                "表格的行列数与生成的初稿不同，无法逐格核对",
                f"{model.rows}行{model.cols}列",
                f"{shape[0]}行{shape[1]}列",
            )
        ]
    out = []
    for cell in model.value_cells:
        shown = grid[cell.row][cell.col]
        if not _same(cell.value, shown):
            out.append(
                Difference(
                    Problem.TABLE_VALUE,
                    f"{where}第{cell.row + 1}行第{cell.col + 1}列",
                    _cell_labels(spec, cell),
                    cell.text,
                    shown.strip() or "（空）",
                    cell.cell_id or "",
                )
            )
    return out


# ---------------------------------------------------------------- sentences


def _pattern(s: Sentence) -> re.Pattern[str]:
    """The sentence's wording with each figure's digits replaced by a number group."""
    out, pos = [], 0
    for slot in s.slots:
        out += [re.escape(normalise(s.text[pos : slot.start])), _NUMBER]
        pos = slot.end
    out.append(re.escape(normalise(s.text[pos:])))
    return re.compile("".join(out))


def _check_sentence(s: Sentence, paragraphs: list[str]) -> list[Difference]:
    pattern = _pattern(s)
    found = [(i, m) for i, p in enumerate(paragraphs) for m in pattern.finditer(p)]
    if not found:
        return [Difference(Problem.SENTENCE_MISSING, "正文", s.text, s.text, "")]
    out = []
    for i, match in found:
        for k, slot in enumerate(s.slots, start=1):
            expected = s.text[slot.start : slot.end]
            if not _same(parse_number(expected), match.group(k)):
                out.append(
                    Difference(
                        Problem.SENTENCE_VALUE,
                        f"第{i + 1}段“{match.group(0)}”",
                        f"第{k}个数字，{slot.figure.ref}",
                        expected,
                        match.group(k),
                        slot.figure.ref,
                    )
                )
    return out


# ---------------------------------------------------------------- completeness


def _notices(expected: Report, paragraphs: list[str]) -> list[Difference]:
    """The notice of an incomplete draft, wherever it still stands: a draft carrying it is
    not ready, whether the database still leaves units out or has since been completed."""
    if expected.not_included:
        gaps = gap_list(expected.not_included)
        why = f"数据库中的汇总未包含{gaps}；补齐后请重新汇总、生成初稿"
    else:
        why = "数据库中的汇总现已包含全部单位，请重新生成初稿"
    mark = normalise(INCOMPLETE_MARK)
    return [
        Difference(Problem.INCOMPLETE, f"第{i + 1}段", "初稿仍有“数据不完整”的提示", why, p)
        for i, p in enumerate(paragraphs)
        if mark in p
    ]


# ---------------------------------------------------------------- whole draft


def check_draft(expected: Report, spec: FormatSpec, draft: DraftText) -> CheckResult:
    """Every table figure and every figure of a generated sentence that differs, and the
    notice of an incomplete draft while it stands."""
    out: list[Difference] = []
    for i, model in enumerate(expected.tables):
        grid = draft.tables[i] if i < len(draft.tables) else None
        out += _check_table(spec, i + 1, model, grid)
    paragraphs = [normalise(p) for p in draft.paragraphs]
    checked, unchecked = 0, []
    for s in expected.sentences:
        if not s.figures:
            continue
        if not all(f.from_database for f in s.figures):
            unchecked.append(s)
            continue
        checked += 1
        out += _check_sentence(s, paragraphs)
    out += _notices(expected, paragraphs)
    figures = sum(len(t.value_cells) for t in expected.tables)
    return CheckResult(tuple(out), figures, checked, tuple(unchecked), expected.not_included)
