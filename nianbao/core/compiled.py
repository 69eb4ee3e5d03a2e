"""What the code builds from a format (the engine's plan, sheet layouts, label checks, …), built
once per registered format and kept here, by format id: the spec itself stays a plain value.

Each module that needs such a structure states how to build it (a function of the spec) and
asks ``compiled`` for it. Work that crosses processes sends the format id, and the other side
takes the spec from the registry (``nianbao.core.formats.FORMATS``), so its structures are
built there once too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from nianbao.core.formats import FORMATS
from nianbao.core.spec import FormatSpec

T = TypeVar("T")

_BUILT: dict[tuple[str, Callable[[FormatSpec], Any]], Any] = {}


def compiled(spec: FormatSpec, build: Callable[[FormatSpec], T]) -> T:
    """``build(spec)``, built once per registered format (kept by format id and ``build``).

    ``build`` is a module-level function of the spec alone. A spec that is not the registry's
    own object (a variant a test makes) is built afresh on every call: nothing is kept for a
    format the registry does not hold.
    """
    if FORMATS.get(spec.id) is not spec:
        return build(spec)
    key = (spec.id, build)
    if key not in _BUILT:
        _BUILT.setdefault(key, build(spec))  # two threads may build it: one result is kept
    return cast(T, _BUILT[key])
