"""totals.json and status.json are compact UTF-8 JSON on one line, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from nianbao.io.folder import write_json


def test_one_compact_line_that_reads_back_as_the_document(tmp_path: Path) -> None:
    doc = {"year": 2020, "units": {"alpha": {"s3_new_total": 5, "money": 12.5}}, "名": ["甲局"]}
    path = tmp_path / "out" / "totals.json"
    write_json(path, doc)
    raw = path.read_bytes()
    assert raw == b'{"year":2020,"units":{"alpha":{"s3_new_total":5,"money":12.5}},' + (
        '"名":["甲局"]}\n'.encode()
    )
    assert json.loads(raw) == doc
    assert [p.name for p in path.parent.iterdir()] == ["totals.json"]  # no temporary left
