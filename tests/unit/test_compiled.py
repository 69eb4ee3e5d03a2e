"""Structures built from a format are kept per registered format, by id; the spec is a plain
value: an equal copy (as a pickle gives) or a variant checks returns by its own content."""

from __future__ import annotations

import pickle
from dataclasses import replace

from nianbao.core.compiled import compiled
from nianbao.core.engine import plan
from nianbao.core.formats import FORMAT_2019, FORMAT_2021
from nianbao.core.layout import layouts, sheet_layout
from nianbao.core.spec import FormatSpec
from nianbao.core.validate import validate_values
from tests.unit.test_engine import returns


def test_a_registered_format_is_built_once_per_builder() -> None:
    built: list[str] = []

    def build(spec: FormatSpec) -> object:
        built.append(spec.id)
        return object()

    first = compiled(FORMAT_2019, build)
    assert compiled(FORMAT_2019, build) is first
    assert compiled(FORMAT_2021, build) is not first
    assert built == ["2019", "2021"]
    assert plan(FORMAT_2021) is plan(FORMAT_2021)


def test_an_equal_copy_checks_returns_as_the_registered_format() -> None:
    copy = pickle.loads(pickle.dumps(FORMAT_2021))
    assert copy == FORMAT_2021 and copy is not FORMAT_2021
    assert plan(copy) is not plan(copy)  # not the registry's object: nothing kept for it
    for raw in returns(FORMAT_2021, 12, seed=5):
        assert validate_values(copy, raw) == validate_values(FORMAT_2021, raw)


def test_a_variant_with_a_registered_id_gets_its_own_structures() -> None:
    renamed = "改过的标题"
    tables = tuple(replace(t, title=renamed) if t.key == "s2" else t for t in FORMAT_2019.tables)
    variant = replace(FORMAT_2019, tables=tables)
    assert sheet_layout(variant, "s2").labels[0].text == renamed
    assert sheet_layout(FORMAT_2019, "s2").labels[0].text == FORMAT_2019.table("s2").title
    assert layouts(FORMAT_2019) is layouts(FORMAT_2019)
    assert layouts(variant) is not layouts(variant)
