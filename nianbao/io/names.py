"""Names from the shared folder made safe once, and names nianbao makes kept bounded.

A name on disk is bytes. Offices' machines write UTF-8, but a Chinese zip archive or an old
SMB copy leaves GBK bytes, which Python lists with surrogate escapes (``\\udcb5``) that no
JSON, XML or database driver accepts. The intake keeps the bytes (to open the file again)
and shows everything else a *display name*: valid UTF-8 (undecodable bytes read as GB18030,
else escaped as ``\\xb5``), with control characters (a newline in a name) and bidirectional
overrides escaped. The same goes for the text of a unit's cells (``clean_cell_text``).
"""

from __future__ import annotations

import os
import re
import unicodedata

NAME_MAX = 255  # bytes in one file name on the filesystems nianbao writes to

# Lock, hidden and temporary files are never submissions (``._x.xlsx`` is macOS metadata).
IGNORED_PREFIXES = ("~$", ".", "~")
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", "~")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"})  # Cn: unassigned
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_SUFFIX = re.compile(r"\.[0-9a-z]{1,8}")
# What calamine can hand back from a cell (``_x000B_`` escapes): C0 controls but tab, line
# feed and carriage return; DEL; the two XML non-characters.
_BAD_CELL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}  # Word's soft line break pasted into a cell


def is_ignored(name: str) -> bool:
    """Whether a file name is a lock, hidden or temporary file (never a submission).

    A name that is only an Excel suffix (``.xlsx``) is a workbook with an empty name, as
    Windows shows it, not a hidden file.
    """
    if name.lower() in WORKBOOK_SUFFIXES:
        return False
    return name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES)


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte Python could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` with control, format, private-use and unassigned characters, line and
    paragraph separators and lone surrogates shown as escapes (a line feed as ``\\x0a``): one line
    of valid UTF-8."""
    if text.isprintable():
        return text
    return "".join(
        _escape(c) if unicodedata.category(c) in _ESCAPED_CATEGORIES else c for c in text
    )


def display_name(raw: bytes | str) -> str:
    """What a clerk (and every output) sees for a name on disk: UTF-8 if it is, else
    GB18030 if it decodes as that, else UTF-8 with the undecodable bytes escaped."""
    if isinstance(raw, str):
        raw = os.fsencode(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "surrogateescape")
    return safe_text(text)


def clean_cell_text(text: str) -> str:
    """A cell's text without the characters no XML file or PostgreSQL text can hold
    (soft line breaks become line breaks, the rest U+FFFD)."""
    return _BAD_CELL_CHARS.sub(lambda m: _LINE_BREAKS.get(m.group(), "\ufffd"), text)


def has_bad_cell_text(text: str) -> bool:
    """Whether ``clean_cell_text`` would change ``text``."""
    return _BAD_CELL_CHARS.search(text) is not None


def suffix_of(name: str) -> str:
    """The lower-case extension of ``name`` when it is a short plain one (``.xlsx``), else ''."""
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot >= 0 else ""
    return suffix if _SUFFIX.fullmatch(suffix) else ""


def fit_name(prefix: str, human: str, limit: int = NAME_MAX) -> str:
    """``prefix`` + ``human`` as one file name of at most ``limit`` UTF-8 bytes.

    ``human`` (a display name) loses characters that no filesystem or share accepts, then,
    when too long, characters at the end of its stem (its extension is kept); ``prefix``
    (a hash, a date) is always kept whole.
    """
    human = _UNSAFE_IN_NAME.sub("_", human)
    suffix = suffix_of(human)
    stem = human[: len(human) - len(suffix)] if suffix else human
    room = limit - len(prefix.encode()) - len(suffix.encode())
    if len(stem.encode()) > room:
        stem = stem.encode()[: max(room, 0)].decode("utf-8", "ignore")
    return f"{prefix}{stem}{suffix}"
