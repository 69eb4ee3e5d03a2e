"""One unit's trouble stays that unit's.

Everything nianbao does with one unit's file (reading, checking, archiving, quarantining,
writing its feedback) runs inside ``UnitGuard.unit``: whatever goes wrong there becomes a
finding on that unit and the caller goes on with the next one. Only a fault of the run
itself passes through: a full disk or quota, a read-only filesystem, memory exhausted, an
interrupt. The database is never written inside a guard.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from nianbao.core.findings import Finding
from nianbao.io.names import safe_text

RUN_FAULT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.ENOMEM})
_OS_ERRORS = {
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.ENOENT: "文件不存在（可能已被移走）",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "磁盘读写错误",
    errno.ELOOP: "是符号链接",
    errno.ENOTDIR: "不是文件夹",
    errno.EISDIR: "是文件夹",
}
MAX_DETAIL = 200  # characters of an unexpected error's text kept in the finding


class Refused(Exception):
    """A file nianbao will not read (a link, too large, still being written), with the
    finding that says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


def is_run_fault(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it arose from) is a fault of the run rather than
    of one unit's file."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not isinstance(current, Exception) or isinstance(current, MemoryError):
            return True
        if isinstance(current, OSError) and current.errno in RUN_FAULT_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


def describe(exc: BaseException) -> str:
    """A short Chinese account of an error, safe to show anywhere (no raw path bytes)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        return f"{_OS_ERRORS.get(exc.errno, exc.strerror or '系统错误')}（{name}）"
    text = safe_text(f"{type(exc).__name__}: {exc}")
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


@dataclass
class Outcome:
    """Whether the guarded block failed (its finding is in the guard)."""

    failed: bool = False


@dataclass
class UnitGuard:
    """Collects per-unit failures as findings (``findings``); re-raises faults of the run."""

    findings: list[Finding] = field(default_factory=list)

    @contextmanager
    def unit(self, code: str, file: str, stage: str) -> Iterator[Outcome]:
        """Run the block for unit ``code``'s ``file`` (a display name) at ``stage``
        (读取, 生成反馈文件, …); a failure becomes a finding and the block's outcome."""
        outcome = Outcome()
        try:
            yield outcome
        except Refused as refused:
            self.findings.append(replace(refused.finding, unit=code, file=file))
            outcome.failed = True
        except Exception as exc:
            if is_run_fault(exc):
                raise
            failed = Finding("unit-file-failed", expected=stage, actual=describe(exc))
            self.findings.append(replace(failed, unit=code, file=file))
            outcome.failed = True
