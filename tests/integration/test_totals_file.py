"""totals.json as written (``nianbao.io.totals_file``): the same bytes as the document of
``nianbao.core.outputs.totals_doc`` encoded by ``json.dumps``, for both formats, flat and
grouped rosters, units missing cells, money with decimals, and units with odd codes."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.core.formats import FORMATS
from nianbao.core.model import CycleResult, Group, Status, Submission, Unit
from nianbao.core.outputs import totals_doc
from nianbao.core.spec import CellType, FormatSpec
from nianbao.io.folder import write_json
from nianbao.io.totals_file import write_totals


def _figures(spec: FormatSpec, rnd: random.Random, complete: bool) -> dict[str, Decimal]:
    out = {}
    for c in spec.cells:
        if not complete and rnd.random() < 0.2:
            continue
        whole = rnd.choice([0, 0, 1, 7, 10**6, 99_999_999_999, -3])
        if c.type is CellType.MONEY:
            out[c.id] = Decimal(whole) + Decimal(rnd.randint(0, 9999)).scaleb(-4)
        else:
            out[c.id] = Decimal(whole) if rnd.random() < 0.9 else Decimal(f"{whole}.0000")
    return out


@st.composite
def results(draw: st.DrawFn) -> tuple[FormatSpec, CycleResult]:
    spec = FORMATS[draw(st.sampled_from(sorted(FORMATS)))]
    rnd = random.Random(draw(st.integers(0, 2**32)))
    grouped = draw(st.booleans())
    groups = (Group("g1", "第一组", ""), Group("g2", '第二"组', "g1")) if grouped else ()
    codes = draw(st.lists(st.text('ab"\\é单位0', min_size=1, max_size=4), max_size=6, unique=True))
    roster = tuple(
        Unit(code, f"单位{i}", parent=rnd.choice(["", "g1", "g2"]) if grouped else "")
        for i, code in enumerate(codes)
    )
    complete = grouped or rnd.random() < 0.7  # a group's sums need every cell
    subs = tuple(
        Submission(
            u.code,
            f"{i}.xlsx",
            f"{i:064d}",
            datetime(2021, 1, 10, tzinfo=UTC),
            spec.id,
            rnd.choice([Status.ACCEPTED, Status.ACCEPTED_WITH_WARNINGS, Status.REJECTED]),
            _figures(spec, rnd, complete or rnd.random() < 0.5),
            {},
            (),
        )
        for i, u in enumerate(roster)
        if rnd.random() < 0.8
    )
    totals = _figures(spec, rnd, complete=True)
    return spec, CycleResult(2021, spec.id, roster, subs, totals, groups=groups)


@settings(max_examples=80, deadline=None)
@given(results())
def test_the_same_bytes_as_the_document_encoded(case: tuple[FormatSpec, CycleResult]) -> None:
    spec, result = case
    with tempfile.TemporaryDirectory() as tmp:
        fast, plain = Path(tmp) / "fast.json", Path(tmp) / "plain.json"
        write_totals(fast, spec, result)
        write_json(plain, totals_doc(spec, result))
        assert fast.read_bytes() == plain.read_bytes()
        assert json.loads(fast.read_bytes())["units"].keys() == result.breakdown.keys()
