"""Regenerate the editable Word template of the report draft.

    .venv/bin/python scripts/make_report_template.py [OUT]

writes ``templates/report-template.docx`` (or OUT): page setup, styles, page numbers and
the fixed wording of ``nianbao.core.report.wording.WORDING``. The file is byte-for-byte
reproducible (fixed timestamps inside the zip), so regenerating it without changes leaves
git clean (a test compares it with the committed file). The office edits a copy in Word,
saved as ``ROOT/report-template.docx``, which the publish task prefers.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nianbao.core.report.wording import WORDING, WORDING_USES  # noqa: E402
from nianbao.io.docx.template import TEMPLATE_NAME, make_template  # noqa: E402

FIXED_TIME = (2025, 1, 1, 0, 0, 0)


def reproducible(path: Path) -> None:
    """Rewrite a zip with fixed entry timestamps and attributes, entries in their order."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else REPO / "templates" / TEMPLATE_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    make_template(out, WORDING, WORDING_USES)
    reproducible(out)
    print(f"已生成报告模板：{out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
