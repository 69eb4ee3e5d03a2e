"""Build a demo shared folder: roster, templates, filled unit workbooks in the inbox."""

from __future__ import annotations

import os
from pathlib import Path

from nianbao.core.formats import format_for_year
from nianbao.core.roster import roster_csv
from nianbao.core.split import split_cycle
from nianbao.demo import seed
from nianbao.io.folder import ensure_layout
from nianbao.io.template_fill import fill_workbook
from nianbao.io.template_writer import write_template

CONFIG = f'region = "{seed.REGION}"\nissuer = "{seed.ISSUER}"\nissue_date = "{seed.ISSUE_DATE}"\n'

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


def build_demo_root(root: Path) -> list[Path]:
    """Create ``root`` with the seed roster and each unit's filled 2020 workbook in the inbox.

    Existing inbox files are kept as they are, so running the demo twice is a true rerun.
    """
    spec = format_for_year(seed.YEAR)
    ensure_layout(root, seed.ROSTER)
    (root / "roster.csv").write_text(roster_csv(seed.ROSTER), encoding="utf-8")
    (root / "nianbao.toml").write_text(CONFIG, encoding="utf-8")
    new = [seed.NEW_APPLICATIONS[u.code] for u in seed.ROSTER]
    figures = split_cycle(spec, seed.INPUTS, new, seed=seed.YEAR)
    templates = root / "templates" / str(seed.YEAR)
    templates.mkdir(parents=True, exist_ok=True)
    dropped = []
    for unit, values in zip(seed.ROSTER, figures, strict=True):
        target = root / "inbox" / unit.code / f"{unit.name}{seed.YEAR}年报表.xlsx"
        if target.exists():  # a rerun keeps the same bytes, so nothing changes downstream
            dropped.append(target)
            continue
        blank = templates / f"{unit.code}.xlsx"
        write_template(spec, unit, seed.YEAR, blank)
        texts = {"filled_date": f"{seed.YEAR + 1}-01-10", **TEXTS.get(unit.code, {})}
        fill_workbook(blank, values, texts, out=target)
        stamp = 1610236800 + len(dropped) * 3600  # 2021-01-10, fixed so reruns are identical
        os.utime(target, (stamp, stamp))
        dropped.append(target)
    return dropped
