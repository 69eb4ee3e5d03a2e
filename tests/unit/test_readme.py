"""The README's commands are the CLI's: every command listed, every example parses as written."""

from __future__ import annotations

import argparse
import re
import shlex

import pytest

from nianbao.cli import parser
from nianbao.core.roster import UnitKind
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
PROGRAM = ".venv/bin/nianbao"


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


def _table_examples() -> list[str]:
    """The first column of the CLI table: examples as typed, program included."""
    return re.findall(r"^\| `([^`]+)` \|", _section("CLI"), flags=re.M)


def _shell_blocks() -> list[str]:
    """The README's shell code blocks (fenced as sh, bash or without a language)."""
    blocks, current, shell = [], [], False
    inside = False
    for line in README.splitlines():
        if line.startswith("```"):
            if inside:
                if shell:
                    blocks.append("\n".join(current))
                current = []
            shell = line[3:].strip() in ("", "sh", "bash")
            inside = not inside
        elif inside:
            current.append(line)
    return blocks


def _commands(p: argparse.ArgumentParser) -> set[str]:
    """Every runnable command, nested ones as ``db upgrade``."""
    found: set[str] = set()
    for action in p._subparsers._group_actions if p._subparsers else []:
        assert isinstance(action, argparse._SubParsersAction)
        for name, sub in action.choices.items():
            nested = _commands(sub)
            found |= {f"{name} {n}" for n in nested} if nested else {name}
    return found


def _parses(args: list[str]) -> None:
    try:
        parser().parse_args(args)
    except SystemExit as exc:  # argparse's way of refusing
        pytest.fail(f"README example does not parse: nianbao {shlex.join(args)} ({exc})")


def test_the_cli_table_lists_every_command() -> None:
    listed = set()
    commands = _commands(parser())
    for example in _table_examples():
        assert example.startswith(PROGRAM + " "), example  # runs from a fresh clone
        words = example.split()[1:]
        listed.add(" ".join(words[:2]) if " ".join(words[:2]) in commands else words[0])
    assert listed == commands


@pytest.mark.parametrize("example", _table_examples())
def test_every_table_example_parses(example: str) -> None:
    program, *args = shlex.split(example)
    assert program == PROGRAM
    _parses(args)


def test_every_command_line_in_the_readme_names_the_program_and_parses() -> None:
    """From a fresh clone nothing but ``.venv/bin/nianbao`` exists; a bare ``nianbao`` would
    be "command not found"."""
    checked = 0
    for block in _shell_blocks():
        for line in block.replace("\\\n", " ").splitlines():
            for part in re.split(r"&&|\|\||;", line):
                if not re.search(r"(^|[\s/])nianbao(\s|$)", part):
                    continue
                words = shlex.split(part.split("#", 1)[0])
                words = [w for w in words if not re.fullmatch(r"[A-Z_]+=.*", w)]  # VAR=value
                if not words or not words[0].endswith("nianbao"):
                    continue
                assert words[0] == PROGRAM, line
                _parses([w.strip("[]") for w in words[1:]])  # [--optional value]
                checked += 1
    assert checked >= 5


def test_the_kind_vocabulary_table_is_the_codes() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (\S+) \| (.*) \|$", _section("The roster (单位名单)"), re.M)
    table = {
        value: (label, {w.replace("（", "(").replace("）", ")") for w in also.split("、")})
        for value, label, also in rows
    }
    assert table == {k.value: (k.label, set(k.synonyms)) for k in UnitKind}
