"""Helpers shared by the CLI command modules: user errors, settings, the shared folder."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from nianbao.settings import ROOT_CONFIG, Settings, load_settings

SubParsers = Any  # argparse's _SubParsersAction is private

ROOT_HINT = (
    "用 --root 指定共享文件夹，或设置环境变量 NIANBAO_ROOT；两者都没有时为当前目录下的 nianbao-root"
)


class CliError(Exception):
    """An error to show the user as-is (Chinese) with exit status 2; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def command(
    sub: SubParsers, name: str, help_text: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """Add a sub-command whose handler is ``func``."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(func=func)
    return p


def settings_for(**overrides: Any) -> Settings:
    """``load_settings``, with a mistake in ``nianbao.toml`` or ``NIANBAO_*`` as a CliError."""
    try:
        return load_settings(**overrides)
    except tomllib.TOMLDecodeError as exc:
        raise CliError(
            f"{ROOT_CONFIG} 格式有误：{exc}", hint='请按 TOML 格式填写，如 region = "某某市"'
        ) from None
    except UnicodeDecodeError:
        raise CliError(f"{ROOT_CONFIG} 不是UTF-8编码", hint="请用记事本另存为 UTF-8") from None
    except ValidationError as exc:
        raise CliError(
            f"设置有误：{validation_message(exc, Settings)}",
            hint=f"设置来自共享文件夹中的 {ROOT_CONFIG}、NIANBAO_* 环境变量和命令行参数",
        ) from None


def require_root(settings: Settings) -> Path:
    """The shared folder, which must exist; a missing one says how to name the right one."""
    root = settings.root
    if root.is_dir():
        return root
    given = "root" in settings.model_fields_set
    what = "共享文件夹" if given else "默认的共享文件夹"
    problem = "不是文件夹" if root.exists() else "不存在"
    raise CliError(f"{what} {root.resolve()} {problem}", hint=ROOT_HINT)


_PYDANTIC_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "greater_than_equal": lambda ctx: f"不能小于{ctx['ge']}",
    "less_than_equal": lambda ctx: f"不能大于{ctx['le']}",
    "int_parsing": lambda ctx: "应为整数",
    "int_from_float": lambda ctx: "应为整数",
    "date_parsing": lambda ctx: "应为日期，如 2021-01-25",
    "date_from_datetime_parsing": lambda ctx: "应为日期，如 2021-01-25",
    "datetime_parsing": lambda ctx: "应为日期和时间，如 2021-01-26T18:00:00+08:00",
    "datetime_from_date_parsing": lambda ctx: "应为日期和时间，如 2021-01-26T18:00:00+08:00",
    "value_error": lambda ctx: str(ctx.get("error", "")),
}


def validation_message(exc: ValidationError, model: type[BaseModel]) -> str:
    """A pydantic error in Chinese: each field's title (or description) and what is wrong."""
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        info = model.model_fields.get(name)
        label = (info.title or info.description or name) if info else name
        label = re.split(r"[，；;（(]", label, maxsplit=1)[0]
        wording = _PYDANTIC_WORDS.get(error["type"])
        problem = wording(error.get("ctx", {})) if wording else error["msg"]
        if error["type"] != "value_error":  # our validators' messages name the value
            problem += f"，实为“{error.get('input')}”"
        parts.append(f"{label}（{name}）：{problem}")
    return "；".join(parts)


def program() -> str:
    """How to call nianbao again, as the user did: ``.venv/bin/nianbao`` or ``nianbao``."""
    argv0 = Path(sys.argv[0])
    if argv0.name != "nianbao":
        return "nianbao"
    found = shutil.which("nianbao")
    if found and Path(found).resolve() == argv0.resolve():
        return "nianbao"
    try:
        return str(argv0.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(argv0)


def shown_path(path: Path) -> str:
    """A path relative to the current directory when inside it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path.resolve())
