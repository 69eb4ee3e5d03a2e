"""The chunked JSON writer gives json.dumps(doc, ensure_ascii=False, indent=2), byte for byte."""

from __future__ import annotations

import json
import random
from enum import IntEnum, StrEnum
from typing import Any

from nianbao.io.json_out import dump_chunks


class Kind(StrEnum):
    A = "a"


class Level(IntEnum):
    X = 3


def random_doc(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 4 and roll < 0.2:
        keys = ["a", "中文", '"q"', "\n", "é", "x y"]
        return {
            f"{rng.choice(keys)}{i}": random_doc(rng, depth + 1) for i in range(rng.randrange(4))
        }
    if depth < 4 and roll < 0.35:
        return [random_doc(rng, depth + 1) for _ in range(rng.randrange(4))]
    if depth < 4 and roll < 0.4:
        return tuple(random_doc(rng, depth + 1) for _ in range(rng.randrange(3)))
    scalars = [None, True, False, 0, -5, 10**20, 1.5, 2911.14, 1e-7, float("nan"), "x"]
    return rng.choice([*scalars, float("inf"), "中文\t\x01", "", Kind.A, Level.X, 0.1 + 0.2])


def test_random_documents_match_the_standard_library() -> None:
    rng = random.Random(8)
    for _ in range(2000):
        doc = random_doc(rng)
        assert "".join(dump_chunks(doc)) == json.dumps(doc, ensure_ascii=False, indent=2)


def test_totals_shape_and_unusual_keys() -> None:
    doc = {"year": 2020, "units": {f"u{i}": {"s3": i, "m": i / 4} for i in range(300)}}
    assert "".join(dump_chunks(doc)) == json.dumps(doc, ensure_ascii=False, indent=2)
    odd = {"a": {1: 2, None: [3]}, "b": []}
    assert "".join(dump_chunks(odd)) == json.dumps(odd, ensure_ascii=False, indent=2)
