"""An independent reading of the seed report's three tables, for comparing against outputs."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from nianbao.core.spec import FormatSpec

NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _numbers(line: str) -> list[Decimal]:
    tokens = [t.replace("万元", "").strip() for t in line.split("\t")]
    tail: list[Decimal] = []
    for token in reversed([t for t in tokens if t]):
        if not NUMBER.match(token):
            break
        tail.insert(0, Decimal(token))
    return tail


def seed_tables(path: Path, spec: FormatSpec) -> dict[str, Decimal]:
    """Cell id -> figure for every cell of sections 二, 三 and 四 as printed in the seed."""
    text = path.read_text(encoding="utf-8")
    s2 = text.split("二、主动公开政府信息情况")[1].split("三、收到和处理政府信息公开申请情况")[0]
    s3 = text.split("三、收到和处理政府信息公开申请情况")[-1].split("四、政府信息公开行政复议")[0]
    s4 = text.split("四、政府信息公开行政复议、行政诉讼情况")[-1].split("五、存在的主要问题")[0]
    out: dict[str, Decimal] = {}

    s2_rows = [n for line in s2.splitlines() if (n := _numbers(line)) and "第二十条" not in line]
    s2_cells = [c for c in spec.cells if c.table == "s2"]
    by_row: dict[tuple[int, int], list[str]] = {}
    for c in s2_cells:
        by_row.setdefault((c.block, c.row), []).append(c.id)
    assert len(s2_rows) == len(by_row), (len(s2_rows), len(by_row))
    for ids, nums in zip(by_row.values(), s2_rows, strict=True):
        out.update(zip(ids, nums, strict=True))

    s3_rows = [n for line in s3.splitlines() if len(n := _numbers(line)) == 7]
    s3_ids = [c.id for c in spec.cells if c.table == "s3"]
    assert len(s3_rows) * 7 == len(s3_ids)
    out.update(zip(s3_ids, [v for row in s3_rows for v in row], strict=True))

    (s4_row,) = [n for line in s4.splitlines() if len(n := _numbers(line)) == 15]
    out.update(zip([c.id for c in spec.cells if c.table == "s4"], s4_row, strict=True))
    return out
