"""Database faults as one clear message each, naming the database without its password."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

from nianbao.io.faults import RunFault


def shown_url(url: str | URL) -> str:
    """``url`` as it may be shown: the password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)


class DatabaseFault(RunFault):
    """The database cannot be used."""


class DatabaseUnavailable(DatabaseFault):
    """The database cannot be reached (stopped, wrong address) or the connection was lost."""


class UnknownSchema(DatabaseFault):
    """The database's schema revision is not one this version knows (a newer nianbao made it)."""


def _first_line(detail: str) -> str:
    lines = [line.strip() for line in detail.strip().splitlines() if line.strip()]
    return lines[0] if lines else "原因不明"


def unavailable(url: str | URL, detail: str, lost: bool = False) -> DatabaseUnavailable:
    """The database at ``url`` cannot be reached, or (``lost``) the connection broke."""
    what = f"与数据库 {shown_url(url)} 的连接中断" if lost else f"无法连接数据库 {shown_url(url)}"
    return DatabaseUnavailable(
        f"{what}（{_first_line(detail)}），请确认数据库已启动、地址正确后重试"
    )


def unknown_schema(url: str | URL, revision: str, known: list[str]) -> UnknownSchema:
    """The database at ``url`` carries a schema revision this version does not know."""
    return UnknownSchema(
        f"数据库 {shown_url(url)} 的结构版本为“{revision}”，本版本的 nianbao 不认识"
        f"（只认识 {'、'.join(known)}），可能已被更新版本的 nianbao 升级；数据库未作任何改动，"
        "请使用与数据库相符的 nianbao 版本"
    )


def database_full(url: str | URL, detail: str) -> DatabaseFault:
    """The disk under the database at ``url`` is full."""
    return DatabaseFault(
        f"数据库 {shown_url(url)} 所在磁盘空间不足（{_first_line(detail)}），请清理磁盘后重试"
    )
