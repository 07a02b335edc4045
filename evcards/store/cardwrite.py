"""A card file's TOML written by hand: the fast twin of `tomli_w.dumps` for card data.

tomli-w escapes each string one character at a time in Python and walks its data through
generators; a card file is a handful of strings in three or four fixed tables, so most of
`cardfile.dumps` went to tomli-w (94 us of a caselist card's 190 us, bench/README.md,
"Collections (issue 15)"). `toml_text` writes the shape `cardfile.card_to_dict` gives:
top-level strings, a list of strings (labels), a list of small inline tables (sources), and
tables of strings (cite, location, body), with exactly tomli-w's bytes: each string escaped
by one regex test and one `str.translate`. Anything else (a value of another type, a
sighting too long for tomli-w to write inline) is None, and the caller asks tomli-w
(tests/test_cardwrite.py compares the two on hostile strings and on every corpus card).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# What tomli-w escapes in a basic string ("..."): quotes, backslashes and every control
# character but tab; in a multi-line one ("""..."""), the same but line breaks.
_BASIC_SPECIAL = re.compile(r'[\x00-\x08\x0a-\x1f\x7f"\\]')
_BASIC_ESCAPES = {c: f"\\u{c:04x}" for c in (*range(0x20), 0x7F) if c != 0x09}
_BASIC_ESCAPES.update({0x08: "\\b", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"})
_BASIC_ESCAPES.update({0x22: '\\"', 0x5C: "\\\\"})
_TOML_ESCAPES = {c: f"\\u{c:04x}" for c in (*range(0x20), 0x7F)}
_TOML_ESCAPES.update({0x08: "\\b", 0x0C: "\\f", 0x0D: "\\r", 0x09: "\t", 0x0A: "\n"})
_RARE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_INDENT = "    "
_MAX_LINE = 100  # tomli-w writes a table of an array inline when it fits in this


def multiline(s: str) -> str:
    """A TOML multi-line basic string, as tomli-w writes one (for a string holding a newline)."""
    s = s.replace("\r\n", "\n").replace("\\", "\\\\").replace('"', '\\"')
    if _RARE_CONTROL.search(s):
        s = s.translate(_TOML_ESCAPES)
    return '"""\n' + s + '"""'


def string(s: str) -> str:
    """A string value as tomli-w writes it with multiline_strings=True."""
    if "\n" in s:
        return multiline(s)
    if _BASIC_SPECIAL.search(s) is None:
        return '"' + s + '"'
    return '"' + s.translate(_BASIC_ESCAPES) + '"'


def _scalar(value: object) -> str | None:
    if type(value) is str:
        return string(value)
    if type(value) is int:
        return str(value)
    return None


def _inline_table(table: Mapping[str, Any]) -> str | None:
    """`{ k = v, ... }` of scalars, or None."""
    if not table:
        return "{}"
    parts = []
    for k, v in table.items():
        literal = _scalar(v)
        if literal is None or not _BARE_KEY.match(k):
            return None
        parts.append(f"{k} = {literal}")
    return "{ " + ", ".join(parts) + " }"


def _array(items: list[Any]) -> str | None:
    """An inline array of strings or of small tables, or None (tomli-w would write an
    array of tables, or something this writer does not)."""
    if not items:
        return "[]"
    out = []
    tables = all(isinstance(v, dict) for v in items)
    for item in items:
        literal = _inline_table(item) if tables else _scalar(item)
        if literal is None:
            return None
        line = _INDENT + literal
        if tables and (len(line) + 1 > _MAX_LINE or "\n" in line):
            return None  # tomli-w writes these as [[...]] tables
        out.append(line)
    return "[\n" + ",\n".join(out) + ",\n]"


def _literal(value: object) -> str | None:
    if isinstance(value, list):
        return _array(value)
    return _scalar(value)


def toml_text(data: Mapping[str, Any]) -> str | None:
    """`tomli_w.dumps(data, multiline_strings=True)` for card-shaped data (see the module's
    note), byte for byte; None for data of another shape."""
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in data.items():
        if not _BARE_KEY.match(key):
            return None
        if isinstance(value, dict):
            tables.append((key, value))
            continue
        literal = _literal(value)
        if literal is None:
            return None
        lines.append(f"{key} = {literal}\n")
    for name, table in tables:
        if lines:
            lines.append("\n")
        lines.append(f"[{name}]\n")
        for key, value in table.items():
            literal = _scalar(value)
            if literal is None or not _BARE_KEY.match(key):
                return None
            lines.append(f"{key} = {literal}\n")
    return "".join(lines)
