"""``json.dumps(doc, ensure_ascii=False, indent=2)``, byte for byte, for large documents.

With ``indent`` the standard library falls back to its pure-Python encoder, which builds
one small string per token (hundreds of megabytes and seconds for a 汇总 of ten thousand
units × 200 cells). Here containers that hold only scalars (each unit's cells) go through
the C encoder in one call, with the indentation as its item separator; the containers
above them are laid out as the standard library does. The text comes in large chunks.
Anything unusual (non-string keys of nested containers, other types) is left to
``json.dumps``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

_encode_str = json.encoder.encode_basestring
_INF = float("inf")


class _Unusual(Exception):
    """A value this writer does not lay out itself."""


def _leaf(value: Any) -> str:
    """A scalar as ``json`` writes it (the same type checks, in the same order)."""
    if isinstance(value, str):
        return str(_encode_str(value))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (_INF, -_INF):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _Unusual


_CONTAINERS = (list, tuple, dict)


def _flat(value: Any, level: int) -> str:
    """A non-empty container of scalars: one C-encoder call with the indented separators."""
    inner = "\n" + "  " * (level + 1)
    text = json.dumps(value, ensure_ascii=False, separators=("," + inner, ": "))
    return text[0] + inner + text[1:-1] + "\n" + "  " * level + text[-1]


def _chunks(value: Any, level: int) -> Iterator[str]:
    if isinstance(value, _CONTAINERS) and value:
        items = value.values() if isinstance(value, dict) else value
        if not any(issubclass(kind, _CONTAINERS) for kind in set(map(type, items))):
            yield _flat(value, level)
            return
    if isinstance(value, (list, tuple)):
        if not value:
            yield "[]"
            return
        inner = "\n" + "  " * (level + 1)
        buf = ["["]
        for i, item in enumerate(value):
            buf.append(inner if i == 0 else "," + inner)
            if isinstance(item, _CONTAINERS):
                yield "".join(buf)
                buf = []
                yield from _chunks(item, level + 1)
            else:
                buf.append(_leaf(item))
        buf.append("\n" + "  " * level + "]")
        yield "".join(buf)
    elif isinstance(value, dict):
        if not value:
            yield "{}"
            return
        inner = "\n" + "  " * (level + 1)
        buf = ["{"]
        for i, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _Unusual
            buf.append(("" if i == 0 else ",") + inner + _encode_str(key) + ": ")
            if isinstance(item, _CONTAINERS):
                yield "".join(buf)
                buf = []
                yield from _chunks(item, level + 1)
            else:
                buf.append(_leaf(item))
        buf.append("\n" + "  " * level + "}")
        yield "".join(buf)
    else:
        yield _leaf(value)


def dump_chunks(doc: Any) -> list[str]:
    """The text of ``json.dumps(doc, ensure_ascii=False, indent=2)`` as a few large chunks."""
    try:
        out, pending = [], []
        for chunk in _chunks(doc, 0):
            pending.append(chunk)
            if len(pending) >= 4096:
                out.append("".join(pending))
                pending = []
        out.append("".join(pending))
        return out
    except _Unusual:
        return [json.dumps(doc, ensure_ascii=False, indent=2)]
