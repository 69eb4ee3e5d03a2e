"""Build a demo shared folder: roster, templates, filled unit workbooks in the inbox."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from nianbao.core.formats import format_for_year
from nianbao.core.roster import roster_csv
from nianbao.core.split import split_cycle
from nianbao.demo import seed
from nianbao.io.folder import ensure_layout
from nianbao.io.template_fill import fill_workbook
from nianbao.io.templates import write_cycle_templates


@dataclass(frozen=True)
class DemoCycle:
    """The figures of one demo cycle."""

    year: int
    issue_date: str
    inputs: Mapping[str, Decimal]
    new_applications: Mapping[str, int]


CYCLES = {
    seed.YEAR: DemoCycle(seed.YEAR, seed.ISSUE_DATE, seed.INPUTS, seed.NEW_APPLICATIONS),
    seed.YEAR_2021: DemoCycle(
        seed.YEAR_2021, seed.ISSUE_DATE_2021, seed.INPUTS_2021, seed.NEW_APPLICATIONS_2021
    ),
}

TEXTS = {
    "shibenji": {
        "problems": "依法主动公开意识有待增强，推进重大决策公开力度不够。"
        "下一步将强化机制落实和业务培训。",
        "contact_person": "张明",
        "contact_phone": "0453-3920000",
    },
    "zrzyj": {
        "problems": "公开平台和载体建设管理水平有待提升。下一步将加强平台管理。",
        "contact_person": "李华",
        "contact_phone": "0453-3920001",
    },
}


def build_demo_root(
    root: Path,
    year: int = seed.YEAR,
    last: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> list[Path]:
    """Put every demo unit's filled workbook for ``year`` into ``root``'s inbox.

    ``last`` is last year's accepted figures per unit (pre-filled into the templates).
    Existing inbox files are kept as they are, so running the demo twice is a true rerun.
    """
    cycle = CYCLES[year]
    spec = format_for_year(year)
    ensure_layout(root, seed.ROSTER)
    (root / "roster.csv").write_text(roster_csv(seed.ROSTER), encoding="utf-8")
    config = (
        f'region = "{seed.REGION}"\nissuer = "{seed.ISSUER}"\nissue_date = "{cycle.issue_date}"\n'
    )
    (root / "nianbao.toml").write_text(config, encoding="utf-8")
    new = [cycle.new_applications[u.code] for u in seed.ROSTER]
    figures = split_cycle(spec, cycle.inputs, new, seed=year)
    templates = write_cycle_templates(spec, seed.ROSTER, year, root / "templates" / str(year), last)
    received = datetime(year + 1, 1, 10, tzinfo=UTC).timestamp()
    dropped = []
    for i, (unit, values) in enumerate(zip(seed.ROSTER, figures, strict=True)):
        target = root / "inbox" / unit.code / f"{unit.name}{year}年报表.xlsx"
        if not target.exists():
            texts = {"filled_date": f"{year + 1}-01-10", **TEXTS.get(unit.code, {})}
            fill_workbook(templates[unit.code], values, texts, out=target)
            stamp = received + i * 3600  # fixed, so reruns see identical files
            os.utime(target, (stamp, stamp))
        dropped.append(target)
    return dropped
