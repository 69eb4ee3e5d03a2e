"""Write ``totals.json`` (``nianbao.core.outputs.totals_doc``) with each unit's figures
through one template per format.

``json.dumps`` of the whole document at 10,000 units took ~1.3 CPU s (~0.6 s making two
million JSON numbers from decimals, ~0.7 s encoding them); here a unit whose every cell is
present is one ``%`` of the format's template over its figures' texts, each text made once
per distinct value (~0.2 s). The bytes are those of ``json.dumps`` (a test compares them).
"""

from __future__ import annotations

import json
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from nianbao.core.model import CycleResult
from nianbao.core.outputs import cells_json, totals_groups, totals_head
from nianbao.core.spec import CellType, FormatSpec
from nianbao.io.atomic import atomic_write_text
from nianbao.io.memo import Memo


def _dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


class _Units:
    """Each unit's figures as the JSON object ``cells_json`` gives, as text."""

    def __init__(self, spec: FormatSpec) -> None:
        self.spec = spec
        ids = [c.id for c in spec.cells]
        self.size = len(ids)
        self.pick = itemgetter(*ids)
        self.money = [i for i, c in enumerate(spec.cells) if c.type is CellType.MONEY]
        self.template = "{" + ",".join(f"{_dumps(i)}:%s" for i in ids) + "}"
        self.texts: Memo[Decimal, str] = Memo(_count_text)  # made once per distinct value

    def text(self, values: dict[str, Decimal]) -> str:
        if len(values) != self.size or self.size < 2:  # not every cell: as the core does
            return _dumps(cells_json(self.spec, values))
        try:
            figures = self.pick(values)
        except KeyError:  # other cells than the format's
            return _dumps(cells_json(self.spec, values))
        texts = list(map(self.texts.__getitem__, figures))
        for i in self.money:
            texts[i] = _dumps(float(figures[i]))
        return self.template % tuple(texts)


def _count_text(value: Decimal) -> str:
    """A count's JSON text: ``int`` of the figure, as ``cells_json`` makes it."""
    return str(int(value))


def write_totals(path: Path, spec: FormatSpec, result: CycleResult) -> None:
    """Write ``totals.json`` for ``result`` atomically: compact UTF-8 JSON on one line,
    the same bytes as ``json.dumps(totals_doc(spec, result))`` and a newline."""
    units = _Units(spec)
    parts = [_dumps(totals_head(spec, result))[:-1], ',"units":{']
    figures = result.breakdown.items()
    parts.append(",".join(f"{_dumps(code)}:{units.text(values)}" for code, values in figures))
    parts.append("}")
    groups = totals_groups(spec, result)
    if groups:
        parts.append("," + _dumps(groups)[1:-1])
    parts.append("}\n")
    atomic_write_text(path, "".join(parts))
