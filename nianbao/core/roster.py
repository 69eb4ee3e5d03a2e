"""The roster: which units are expected to return figures in a cycle.

A roster is a table: a CSV text or the rows of a spreadsheet. Its columns are found by their
header, in any order, in English or as the Chinese label offices use (``COLUMNS``); a new
column is one more entry there and a field of ``Unit``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from nianbao.core.model import Group, Unit

CODE_RE = re.compile(r"^[a-z0-9_-]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # line breaks included: a roster value is one line
HEADER_ROWS = 10  # the header is the first of this many rows that names every required column


class RosterError(ValueError):
    """The roster cannot be used; ``str()`` is one Chinese line naming the file and row."""

    def __init__(
        self, message: str, *, row: int | None = None, hint: str = "", file: str = ""
    ) -> None:
        super().__init__(message)
        self.message, self.row, self.hint, self.file = message, row, hint, file

    def __str__(self) -> str:
        where = f"单位名单 {self.file}" if self.file else "单位名单" if self.row else ""
        if self.row is not None:
            where += f" 第{self.row}行"
        return f"{where}：{self.message}" if where else self.message

    def in_file(self, file: str) -> RosterError:
        """The same error, naming the file it is about."""
        return RosterError(self.message, row=self.row, hint=self.hint, file=file)


class UnitKind(StrEnum):
    """What sort of body a unit is (the roster's ``kind`` / 单位类型); empty is allowed.

    Plausibility rules may treat kinds differently (townships and streets report few
    applications). The value is stored; ``label`` is what the office reads and writes.
    """

    GOVERNMENT = "government"
    DEPARTMENT = "department"
    TOWNSHIP = "township"
    ZONE = "zone"
    OTHER = "other"
    GROUP = "group"  # not a reporting unit: a row that only groups others (上级单位)

    @property
    def label(self) -> str:
        """The Chinese label written in rosters."""
        return _KIND_WORDS[self][0]

    @property
    def synonyms(self) -> tuple[str, ...]:
        """Other words accepted for this kind (besides the label and the English value)."""
        return _KIND_WORDS[self][1:]

    @classmethod
    def parse(cls, text: str) -> UnitKind | None:
        """The kind a roster cell names; ``None`` for an empty cell. Unknown: ValueError."""
        word = _normalise(text).lower()
        if not word:
            return None
        for kind in cls:
            if word == kind.value or word in _KIND_WORDS[kind]:
                return kind
        raise ValueError(text)


_KIND_WORDS: dict[UnitKind, tuple[str, ...]] = {
    UnitKind.GOVERNMENT: ("本级", "市本级", "县本级", "区本级", "本级政府", "政府本级"),
    UnitKind.DEPARTMENT: ("部门", "政府部门", "工作部门", "市直部门", "县直部门", "委办局"),
    UnitKind.TOWNSHIP: (
        "乡镇街道",
        "乡镇(街道)",
        "乡镇",
        "街道",
        "乡",
        "镇",
        "苏木",
        "街道办事处",
        "乡镇人民政府",
    ),
    UnitKind.ZONE: ("开发区", "园区", "开发区(园区)", "管委会"),
    UnitKind.OTHER: ("其他", "其它", "其他单位"),
    UnitKind.GROUP: ("分组", "汇总分组", "分组汇总", "汇总组"),
}


_KIND_VALUES = frozenset(k.value for k in UnitKind)


def kind_labels() -> str:
    """The accepted kind labels, for messages: 本级、部门、……"""
    return "、".join(k.label for k in UnitKind)


class _Invalid(ValueError):
    """A cell value a column does not accept; the message is Chinese, the hint optional."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def _code(value: str) -> str:
    if not CODE_RE.match(value):
        raise _Invalid(
            f"单位代码“{value}”只能包含小写字母、数字、下划线和连字符",
            "单位代码也是收件箱中该单位文件夹的名称，如 ziranziyuanju 或 dept-01",
        )
    return value


def _parent(value: str) -> str:
    if not CODE_RE.match(value):
        raise _Invalid(
            f"上级单位“{value}”不是单位代码",
            "上级单位填所属分组的单位代码（小写字母、数字、下划线、连字符），不填名称",
        )
    return value


def _kind(value: str) -> str:
    try:
        kind = UnitKind.parse(value)
    except ValueError:
        raise _Invalid(
            f"单位类型“{value}”无法识别",
            f"单位类型可填{kind_labels()}（乡镇、街道等常见写法也可以，"
            "见 README 的“单位名单”一节），或留空",
        ) from None
    return "" if kind is None else kind.value


@dataclass(frozen=True)
class Column:
    """A roster column: the ``Unit`` field it fills and the headers that name it."""

    field: str
    headers: tuple[str, ...]  # English first, then the Chinese label, then other names
    required: bool = False
    check: Callable[[str], str] | None = None  # normalises a value or raises _Invalid

    @property
    def label(self) -> str:
        """The Chinese header shown in messages."""
        return self.headers[1]


COLUMNS: tuple[Column, ...] = (
    Column("code", ("code", "单位代码", "代码"), required=True, check=_code),
    Column("name", ("name", "单位名称", "名称"), required=True),
    Column("kind", ("kind", "单位类型", "类型", "单位类别"), check=_kind),
    Column("contact", ("contact", "联系人", "联系人姓名")),  # shown on the 催报名单
    Column("phone", ("phone", "联系电话", "电话")),
    Column(
        "parent", ("parent", "上级单位", "上级单位代码", "所属分组"), check=_parent
    ),  # the tree; optional
)
IGNORED = (
    "序号",
    "no",
    "no.",
    "备注",
    "note",
    "notes",
)  # columns offices keep that mean nothing here

_BY_HEADER = {h.lower(): c for c in COLUMNS for h in c.headers}
HEADER_HINT = (
    "表头应含 单位代码、单位名称，可另加 单位类型、联系人、联系电话、上级单位"
    "（或英文 code,name,kind,contact,phone,parent），序号、备注列会被忽略"
)


def _normalise(text: str) -> str:
    """Spaces (full-width too) removed, full-width parentheses made half-width."""
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


def cell_text(value: object) -> str:
    """A spreadsheet cell as roster text: whole numbers without ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


@dataclass
class _Header:
    row: int  # 1-based
    columns: dict[int, Column] = field(default_factory=dict)  # position -> column


def _header_of(cells: list[str], row: int) -> _Header | None:
    """The row as a header when it names every required column; unknown names refused."""
    header = _Header(row)
    seen: dict[str, str] = {}
    unknown = []
    for pos, text in enumerate(cells):
        name = _normalise(text).lower()
        if not name or name in IGNORED:
            continue
        column = _BY_HEADER.get(name)
        if column is None:
            unknown.append(text)
            continue
        if column.field in seen:
            raise RosterError(
                f"“{seen[column.field]}”和“{text}”是同一列（{column.label}）",
                row=row,
                hint="请删除重复的列",
            )
        seen[column.field] = text
        header.columns[pos] = column
    if any(c.field not in seen for c in COLUMNS if c.required):
        return None
    if unknown:
        raise RosterError(
            f"不认识的列“{'”“'.join(unknown)}”", row=row, hint=f"请删除或改名这些列；{HEADER_HINT}"
        )
    return header


def _find_header(rows: Sequence[list[str]]) -> _Header:
    for n, cells in enumerate(rows[:HEADER_ROWS], start=1):
        header = _header_of(cells, n)
        if header is not None:
            return header
    needed = "、".join(f"{c.label}（{c.headers[0]}）" for c in COLUMNS if c.required)
    raise RosterError(f"前{HEADER_ROWS}行中找不到表头（应有{needed}列）", hint=HEADER_HINT)


@dataclass(frozen=True)
class Roster:
    """A roster's reporting units and its groups (rows of kind 分组), each in roster order."""

    units: tuple[Unit, ...]
    groups: tuple[Group, ...] = ()


def parse_rows(rows: Sequence[Sequence[object]]) -> tuple[Unit, ...]:
    """The reporting units of a table's rows (``parse_table``'s units)."""
    return parse_table(rows).units


def parse_table(rows: Sequence[Sequence[object]]) -> Roster:
    """Units and groups from a table's rows (row 1 first): a header row, then one per row.

    Rows above the header (a title) and empty rows are skipped; cells under no header are
    ignored. Raises RosterError naming the row (also for a parent that is not a group of
    the roster, and for groups that contain themselves).
    """
    texts = [[cell_text(v) for v in row] for row in rows]
    header = _find_header(texts)
    entries: list[tuple[int, Unit]] = []
    seen: dict[str, int] = {}
    for n, cells in enumerate(texts[header.row :], start=header.row + 1):
        values = {c.field: "" for c in COLUMNS}
        for pos, column in header.columns.items():
            values[column.field] = cells[pos] if pos < len(cells) else ""
        if not any(values.values()):
            continue
        for column in COLUMNS:
            value = values[column.field]
            if CONTROL.search(value):
                raise RosterError(
                    f"{column.label}中有换行或不可见的控制字符",
                    row=n,
                    hint="请在Excel中重新输入这个单元格",
                )
            if column.required and not value:
                raise RosterError(
                    f"缺少{column.label}", row=n, hint="每行一个单位，单位代码和单位名称都要填写"
                )
            if column.check is not None and value:
                try:
                    values[column.field] = column.check(value)
                except _Invalid as exc:
                    raise RosterError(exc.message, row=n, hint=exc.hint) from None
        code = values["code"]
        if code in seen:
            raise RosterError(
                f"单位代码“{code}”与第{seen[code]}行重复", row=n, hint="每个单位的代码须不同"
            )
        seen[code] = n
        entries.append((n, Unit(**values)))
    roster = _tree(entries)
    if not roster.units:
        raise RosterError("名单中没有任何单位", hint="在表头下面每行填写一个单位")
    return roster


TREE_HINT = (
    "上级单位填所属分组的单位代码；分组本身也占名单的一行，单位类型填“分组”"
    "（分组不报送报表，它的合计是其下各单位之和），见 README 的“单位名单”一节"
)


def _tree(entries: Sequence[tuple[int, Unit]]) -> Roster:
    """Split entries into reporting units and groups, checking every parent: it must be a
    group of the roster, and no group may be (indirectly) its own member."""
    rows = {u.code: n for n, u in entries}
    groups = {u.code: u for _, u in entries if u.kind == UnitKind.GROUP}
    for n, entry in entries:
        if not entry.parent:
            continue
        if entry.parent not in rows:
            raise RosterError(f"上级单位“{entry.parent}”不在名单中", row=n, hint=TREE_HINT)
        if entry.parent not in groups:
            raise RosterError(
                f"上级单位“{entry.parent}”（第{rows[entry.parent]}行）不是分组",
                row=n,
                hint=TREE_HINT,
            )
    for code in groups:
        path = [code]
        while groups[path[-1]].parent:
            path.append(groups[path[-1]].parent)
            if path[-1] == code:
                raise RosterError(
                    f"上级单位形成循环：{' → '.join(path)}",
                    row=rows[code],
                    hint="分组不能直接或间接属于它自己；请改正其中一行的上级单位",
                )
            if path[-1] in path[:-1]:
                break  # a loop that does not pass through ``code``: reported from its own row
    return Roster(
        units=tuple(u for _, u in entries if u.kind != UnitKind.GROUP),
        groups=tuple(Group(g.code, g.name, g.parent) for g in groups.values()),
    )


def parse_roster(text: str) -> tuple[Unit, ...]:
    """Reporting units from roster CSV text (``parse_csv``'s units)."""
    return parse_csv(text).units


def parse_csv(text: str) -> Roster:
    """Units and groups from roster CSV text (comma- or tab-separated; a leading BOM is
    ignored)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error:
        raise RosterError(
            "无法按CSV格式读取（如含有不可见的控制字符）",
            row=reader.line_num,
            hint="请在Excel中打开检查这一行，或另存为 roster.xlsx",
        ) from None
    return parse_table(rows)


def roster_csv(units: Sequence[Unit]) -> str:
    """Roster CSV text for units, with the Chinese headers and kind labels offices read."""
    used = [c for c in COLUMNS if c.required or any(getattr(u, c.field) for u in units)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(c.label for c in used)
    for u in units:
        writer.writerow(_shown(c, getattr(u, c.field)) for c in used)
    return out.getvalue()


def _shown(column: Column, value: str) -> str:
    if column.field == "kind" and value in _KIND_VALUES:
        return UnitKind(value).label
    return value
