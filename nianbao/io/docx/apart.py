"""The report draft rendered by a process of its own, beside the flow's other outputs.

python-docx and its template cost the process that renders them ~0.25 s of imports and
0.3-0.5 s of rendering at any size (0.34 s at N = 100, 0.5 s at 10,000 units), in the
process (and under the interpreter lock) that also writes totals.json, 汇总表 and the status
files, and at 10,000 units pickles the cycle for the store process. Apart, they run on the
other core: at 10,000 units ~0.75 CPU s less in the flow's process while its outputs are
written; at N = 100 it is even (a first run 3.57 s here, 3.55 s apart, medians of seven).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import wait
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao.io.atomic import atomic_write_bytes
from nianbao.io.workers import apart, prepare

if TYPE_CHECKING:  # the flow imports this module at start-up (``nianbao.io.ahead``)
    from nianbao.core.report.types import Report

# What the draft's worker imports to render: python-docx, lxml and the renderer.
DRAFT_MODULES = ("nianbao.io.docx.apart", "nianbao.io.docx.render", "nianbao.io.docx.template")


def prepare_drafting() -> None:
    """Start the worker of the next ``drafting`` now: its imports are done by the time the
    draft is due."""
    prepare(DRAFT_MODULES)


def render(report: Report, template: Path | None) -> bytes | str:
    """In the worker: the draft's bytes, or a broken template's message (the caller raises
    ``TemplateError`` with it). The worker writes nothing: a run stopped meanwhile leaves no
    file of it behind."""
    from nianbao.io.docx.render import docx_bytes
    from nianbao.io.docx.template import TemplateError

    try:
        return docx_bytes(report, template)
    except TemplateError as exc:
        return str(exc)


@contextmanager
def drafting(report: Report, path: Path, template: Path | None, separate: bool) -> Iterator[None]:
    """Render the draft to ``path`` while the block runs: in a worker process when
    ``separate`` (its bytes written here once the block has ended without an error), else
    first, here. Leaving the block raises what rendering raised; a block that fails waits
    for the worker and writes no draft."""
    if not separate:
        from nianbao.io.docx.render import render_docx

        render_docx(report, path, template)
        yield
        return
    pending = apart(render, report, template)
    try:
        yield
    except BaseException:
        wait([pending])
        raise
    made = pending.result()
    if isinstance(made, str):
        from nianbao.io.docx.template import TemplateError

        raise TemplateError(made)
    atomic_write_bytes(path, made)
