"""Build a demo shared folder: roster, templates, filled unit workbooks in the inbox."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from nianbao.core.formats import format_for_year
from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from nianbao.core.split import split_cycle
from nianbao.demo import seed
from nianbao.io.atomic import atomic_write_text
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

# What a newcomer should see in the seed year: one unit's first return has a slip and is sent
# back, then corrected; another quotes a figure its tables do not have (a warning) and says
# why in its 说明. The final figures are the seed's.
SLIP_UNIT = "kouanwei"
SLIP_CELL = "s3_new_natural"  # one application too many: 一、本年新收 + 上年结转 no longer balance
EXPLAINED_UNIT = "zrzyj"
EXPLAINED_TEXTS = {
    "other_matters": "本年共收到政府信息公开申请4件，其中1件申请人在受理前撤回。",
    "explanation": "文字材料中的4件含受理前撤回的1件申请；报表按规定只统计受理的3件。",
}


@dataclass(frozen=True)
class Correction:
    """A unit's corrected return, dropped after its first one was sent back."""

    unit: Unit
    template: Path
    values: Mapping[str, Decimal]
    texts: Mapping[str, str]
    target: Path
    stamp: float


@dataclass(frozen=True)
class DemoInbox:
    """The returns a demo cycle put into the inbox, and the correction still to come."""

    files: list[Path]
    correction: Correction | None


def build_demo_root(
    root: Path,
    year: int = seed.YEAR,
    last: Mapping[str, Mapping[str, Decimal]] | None = None,
    story: bool = True,
) -> DemoInbox:
    """Put every demo unit's filled workbook for ``year`` into ``root``'s inbox.

    ``last`` is last year's accepted figures per unit (pre-filled into the templates). In the
    seed year, ``SLIP_UNIT``'s workbook has a slip (``drop_correction`` adds its corrected one)
    and ``EXPLAINED_UNIT`` explains a warning; without ``story``, every return is plainly right.
    Existing inbox files are kept as they are, so running the demo twice is a true rerun.
    """
    cycle = CYCLES[year]
    spec = format_for_year(year)
    ensure_layout(root, seed.ROSTER)
    atomic_write_text(root / "roster.csv", roster_csv(seed.ROSTER))
    config = (
        f'region = "{seed.REGION}"\nissuer = "{seed.ISSUER}"\nissue_date = "{cycle.issue_date}"\n'
    )
    atomic_write_text(root / "nianbao.toml", config)
    new = [cycle.new_applications[u.code] for u in seed.ROSTER]
    figures = split_cycle(spec, cycle.inputs, new, seed=year)
    templates = write_cycle_templates(spec, seed.ROSTER, year, root / "templates" / str(year), last)
    received = datetime(year + 1, 1, 10, tzinfo=UTC).timestamp()
    story = story and year == seed.YEAR
    dropped = []
    correction = None
    for i, (unit, values) in enumerate(zip(seed.ROSTER, figures, strict=True)):
        texts = {"filled_date": f"{year + 1}-01-10", **TEXTS.get(unit.code, {})}
        if story and unit.code == EXPLAINED_UNIT:
            texts.update(EXPLAINED_TEXTS)
        target = root / "inbox" / unit.code / f"{unit.name}{year}年报表.xlsx"
        if story and unit.code == SLIP_UNIT:
            slipped = {**values, SLIP_CELL: values.get(SLIP_CELL, Decimal(0)) + 1}
            later = target.with_name(f"{unit.name}{year}年报表（修改后）.xlsx")
            texts_later = {**texts, "filled_date": f"{year + 1}-01-12"}
            stamp_later = received + 2 * 86400
            correction = Correction(
                unit, templates[unit.code], values, texts_later, later, stamp_later
            )
            values = slipped
        _drop(templates[unit.code], values, texts, target, received + i * 3600)
        dropped.append(target)
    return DemoInbox(dropped, correction)


def drop_correction(c: Correction) -> bool:
    """Put the corrected return into the inbox; False when it is there already."""
    return _drop(c.template, c.values, c.texts, c.target, c.stamp)


def _drop(
    template: Path,
    values: Mapping[str, Decimal],
    texts: Mapping[str, str],
    target: Path,
    stamp: float,
) -> bool:
    """Fill ``template`` into ``target`` unless it exists; its time is fixed, so reruns see
    identical files."""
    if target.exists():
        return False
    fill_workbook(template, values, texts, out=target)
    os.utime(target, (stamp, stamp))
    return True
