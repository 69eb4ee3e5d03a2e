"""The lower levels of a centre: where their shared folders are, and handing their totals up.

Each unit of a centre's roster may be a lower level (a county) with a shared folder of its
own: ``ROOT/lower/<code>`` by default, or the folder a fan-out names for it. Its stored
totals become its return in the centre's inbox (``inbox/<code>/<year>年度汇总上报.xlsx``), a
workbook of the centre's own template, so the centre's ordinary cycle validates, stores and
reports it like any unit's. The workbook is the lower level's 上报 (``nianbao.io.upward``:
the totals and the 下级单位明细 breakdown the centre's intake checks).
"""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from nianbao.core.levels import LevelOutcome, LevelState
from nianbao.core.model import Unit
from nianbao.core.spec import FormatSpec
from nianbao.io.db.read import read_stored_totals
from nianbao.io.folder import write_json
from nianbao.io.template_writer import write_template
from nianbao.io.upward import UpwardError, export_upward
from nianbao.settings import ROOT_CONFIG, Settings, load_settings

LOWER = "lower"  # ROOT/lower/<code>: a lower level's shared folder by default
REPORT = "下级汇总情况.json"  # in output/<year>/ of the centre


class HandUpError(Exception):
    """A lower level's totals cannot be handed up; ``str()`` says why (Chinese)."""


@dataclass(frozen=True)
class Lower:
    """A lower level to run: its unit in the centre's roster and its own settings."""

    unit: Unit
    settings: Settings

    @property
    def root(self) -> Path:
        return self.settings.root


def return_path(centre: Settings, code: str, year: int) -> Path:
    """Where a lower level's return lands in the centre's inbox."""
    return centre.inbox / code / f"{year}年度汇总上报.xlsx"


def plan_lower(
    centre: Settings,
    roster: tuple[Unit, ...],
    year: int,
    roots: Mapping[str, str] | None,
    only: list[str] | None,
) -> tuple[list[Lower], list[LevelOutcome]]:
    """The lower levels to run now, and the outcomes of those that will not run: not
    selected by ``only``, without a shared folder, or sharing a database with another."""
    roots = roots or {}
    selected = set(only) if only else {u.code for u in roster}
    unknown = (selected | set(roots)) - {u.code for u in roster}
    if unknown:
        raise HandUpError(f"本级单位名单中没有这些下级：{'、'.join(sorted(unknown))}")
    run: list[Lower] = []
    outcomes: list[LevelOutcome] = []
    seen: dict[str, Unit] = {}
    for unit in roster:
        root = Path(roots.get(unit.code) or centre.root / LOWER / unit.code).resolve()
        if unit.code not in selected:
            kept = return_path(centre, unit.code, year).is_file()
            state = LevelState.KEPT if kept else LevelState.NOT_RUN
            outcomes.append(LevelOutcome(unit.code, unit.name, str(root), state))
            continue
        if not root.is_dir():
            why = f"未找到{unit.name}的共享文件夹 {root}"
            outcomes.append(_failed(unit, root, why))
            continue
        settings = lower_settings(root)
        url = settings.database_url
        if url == centre.database_url or url in seen:
            other = seen[url].name if url in seen else "本级"
            why = f"{unit.name}与{other}使用同一个数据库（{url}），请为每一级设置各自的数据库"
            outcomes.append(_failed(unit, root, why))
            continue
        seen[url] = unit
        run.append(Lower(unit, settings))
    return run, outcomes


def lower_settings(root: Path) -> Settings:
    """A lower level's settings: its database is the one its own ``nianbao.toml`` names, or
    ``ROOT/nianbao.db``; never the centre's ``NIANBAO_DB_URL`` (one database per level)."""
    config = root / ROOT_CONFIG
    own = tomllib.loads(config.read_text(encoding="utf-8")) if config.is_file() else {}
    url = own.get("db_url") or f"sqlite:///{root / 'nianbao.db'}"
    return load_settings(root=root, db_url=str(url))


def _failed(unit: Unit, root: Path, why: str, run_id: str | None = None) -> LevelOutcome:
    return LevelOutcome(unit.code, unit.name, str(root), LevelState.FAILED, run_id, why)


def deliver(
    centre: Settings,
    spec: FormatSpec,
    year: int,
    lower: Lower,
    held: Mapping[str, Mapping[str, Decimal]],
    run_id: str | None,
) -> LevelOutcome:
    """Hand a lower level's totals up into the centre's inbox, unless the centre already
    holds exactly these figures for it (a rerun changes nothing)."""
    unit, root = lower.unit, str(lower.root)
    try:
        stored = read_stored_totals(lower.settings.database_url, year, cells=())
        if stored is None:
            raise HandUpError(f"汇总运行已完成，但数据库中没有{year}年度的汇总结果")
        if stored.format != spec.id:
            raise HandUpError(f"{year}年度汇总使用{stored.format}格式，本级使用{spec.id}格式")
        target = return_path(centre, unit.code, year)
        current = held.get(unit.code)
        if target.is_file() and current is not None and _same(spec, current, stored.totals):
            return LevelOutcome(unit.code, unit.name, root, LevelState.UNCHANGED, run_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".nianbao-", dir=centre.root) as tmp:
            template = Path(tmp) / f"{unit.code}.xlsx"
            write_template(spec, unit, year, template)
            export_upward(lower.settings, year, template, target)
    except (HandUpError, UpwardError, OSError) as exc:
        return _failed(unit, lower.root, f"{unit.name}的汇总结果未能上报：{exc}", run_id)
    return LevelOutcome(unit.code, unit.name, root, LevelState.HANDED_UP, run_id)


def _same(spec: FormatSpec, held: Mapping[str, Decimal], totals: Mapping[str, Decimal]) -> bool:
    zero = Decimal(0)
    return all(held.get(c, zero) == totals.get(c, zero) for c in spec.inputs)


def held_figures(centre: Settings, spec: FormatSpec, year: int) -> dict[str, dict[str, Decimal]]:
    """Each unit's accepted input figures the centre's database holds for ``year``."""
    stored = read_stored_totals(centre.database_url, year, cells=spec.inputs)
    return {} if stored is None or stored.format != spec.id else stored.units


def write_report(centre: Settings, year: int, outcomes: list[LevelOutcome]) -> Path:
    """``output/<year>/下级汇总情况.json``: every lower level's outcome, in roster order."""
    path = centre.output_dir(year) / REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {"year": year, "lower": [o.as_json() for o in outcomes]})
    return path
