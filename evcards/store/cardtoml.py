"""The TOML of a card file as `cardfile.dumps` writes it (through tomli-w), read fast.

tomllib is pure Python and reads strings a character at a time (~0.8 ms for a 5 KB card).
Card files have a small, fixed shape, so `loads_card_toml`, the fast twin of `tomllib.loads`,
reads that shape line by line with C-speed regexes and gives up (NotPlain) on anything else,
which the caller then gives to tomllib. What it accepts it reads exactly as tomllib does
(tests/test_cardtoml.py checks that with hypothesis and on the corpus).
"""

from __future__ import annotations

import re

from evcards.core.markup_text import NotPlain

_BASIC = r'"((?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))*)"'
_KEY = r"([A-Za-z0-9_-]+)"
_LINE = re.compile(
    rf"""(?:
        (?P<blank>[ \t]*(?:\#[^\x00-\x08\x0a-\x1f\x7f]*)?)
      | \[(?P<table>[A-Za-z0-9_-]+)\][ \t]*
      | \[\[(?P<aot>[A-Za-z0-9_-]+)\]\][ \t]*
      | {_KEY}[ \t]*=[ \t]*(?:
            {_BASIC}
          | (?P<int>0|[1-9][0-9]*)
          | (?P<empty>\[\])
          | (?P<open>\[)
          | (?P<ml>\"\"\")
        )[ \t]*
    )\Z""",
    re.VERBOSE,
)
# Most lines of a card file are `key = "text"` with nothing to unescape, several in a row:
# each such stretch is matched at once and split by findall, both in C; the general
# pattern above reads only the other lines (a sixth of the cost per line).
_PLAIN = r'([A-Za-z0-9_-]+) = "([^"\\\x00-\x08\x0a-\x1f\x7f]*)"'
_PLAIN_PAIR = re.compile(_PLAIN)
_PLAIN_LINES = re.compile(rf"(?:{_PLAIN}(?:\n|\Z))+")
_ITEM_STR = re.compile(rf"[ \t]*{_BASIC},[ \t]*\Z")
_ITEM_TABLE = re.compile(r"[ \t]*\{ (.*) \},[ \t]*\Z")
_PAIR = re.compile(rf"{_KEY} = (?:{_BASIC}|(0|[1-9][0-9]*))(?:, |\Z)")
_ESCAPE = re.compile(r'\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))')
_ML_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The same characters as bytes: `bytes.translate` deletes them at memcpy speed, where the
# pattern above scans a 5 KB body at a few ns a character (the reader's largest cost).
_ML_BAD_BYTES = bytes((*range(0x09), *range(0x0B, 0x20), 0x7F))
_SIMPLE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unescape_one(m: re.Match[str]) -> str:
    if m.group(1):
        return _SIMPLE[m.group(1)]
    code = int(m.group(2) or m.group(3), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise NotPlain("escape")
    return chr(code)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(_unescape_one, text) if "\\" in text else text


def _set(table: dict[str, object], key: str, value: object) -> None:
    if key in table:
        raise NotPlain("duplicate key")
    table[key] = value


def loads_card_toml(text: str, raw: bytes | None = None) -> dict[str, object]:
    """The TOML of a card file as tomllib would give it; NotPlain for any other shape.
    `raw`: the bytes `text` was decoded from, when the caller has them (checked for control
    characters without encoding the text again)."""
    if "\r" in text:
        raise NotPlain("carriage return")
    reader = _Reader(text, raw)
    root: dict[str, object] = {}
    table = root
    aots: set[str] = set()  # the arrays of tables seen: [[sources]] may repeat, [cite] not
    plain, pairs = _PLAIN_LINES.match, _PLAIN_PAIR.findall
    while True:
        pm = plain(text, reader.pos)
        if pm is not None:
            for key, value in pairs(text, reader.pos, pm.end()):
                _set(table, key, value)
            reader.pos = pm.end()
        line = reader.line()
        if line is None:
            break
        m = _LINE.match(line)
        if m is None:
            raise NotPlain("line")
        if m.group("blank") is not None:
            continue
        if m.group("table") or m.group("aot"):
            table = _open_table(root, aots, m)
        else:
            _set(table, m.group(4), reader.value(m, line))
    return root


def _open_table(root: dict[str, object], aots: set[str], m: re.Match[str]) -> dict[str, object]:
    """The table a `[name]` or `[[name]]` line starts."""
    table: dict[str, object] = {}
    name = m.group("table")
    if name:
        if name in root:
            raise NotPlain("table twice")
        root[name] = table
        return table
    name = m.group("aot")
    if name not in aots and name in root:
        raise NotPlain("array of tables")
    aots.add(name)
    root.setdefault(name, []).append(table)  # type: ignore[attr-defined]
    return table


class _Reader:
    """The text of a card file, read a line at a time (a value may take several)."""

    __slots__ = ("text", "pos", "end", "_clean", "_raw")

    def __init__(self, text: str, raw: bytes | None = None) -> None:
        self.text = text
        self.pos = 0
        self.end = len(text)
        self._clean: bool | None = None  # no control character but tab and newline at all?
        self._raw = raw

    def clean(self) -> bool:
        """Whether the whole text is free of the characters no multi-line string may hold
        raw; worked out once, for the first multi-line string."""
        if self._clean is None:
            raw = self._raw if self._raw is not None else self.text.encode("utf-8", "surrogatepass")
            self._clean = len(raw.translate(None, _ML_BAD_BYTES)) == len(raw)
        return self._clean

    def line(self) -> str | None:
        """The next line, or None at the end of the text."""
        if self.pos >= self.end:
            return None
        nl = self.text.find("\n", self.pos)
        if nl < 0:
            nl = self.end
        line = self.text[self.pos : nl]
        self.pos = nl + 1
        return line

    def value(self, m: re.Match[str], line: str) -> object:
        """The value of the `key = value` line `m` matched; an array or a multi-line string
        reads on through the lines after it."""
        if m.group(5) is not None:
            return _unescape(m.group(5))
        if m.group("int") is not None:
            return int(m.group("int"))
        if m.group("empty"):
            return []
        if m.group("open"):
            return self.array()
        return self.multiline(line)

    def array(self) -> list[object]:
        """The items of an array written one a line, as tomli-w writes one, up to its `]`."""
        items: list[object] = []
        while True:
            nl = self.text.find("\n", self.pos)
            if nl < 0:
                raise NotPlain("array")
            line = self.text[self.pos : nl]
            self.pos = nl + 1
            if line == "]":
                break
            items.append(_array_item(line))
        if items and len({type(i) for i in items}) > 1:
            raise NotPlain("mixed array")
        return items

    def multiline(self, line: str) -> str:
        """A multi-line basic string whose opening quotes end `line`."""
        text, pos, end = self.text, self.pos, self.end
        if not line.endswith('"""'):
            raise NotPlain("text after opening quotes")  # it would be content
        # (the line break right after the opening quotes, which TOML trims, is behind pos)
        close = text.find('"""', pos)
        if close < 0 or text.startswith('"', close + 3):
            raise NotPlain("multi-line string end")  # none, or quotes before the end
        content = text[pos:close]
        if (len(content) - len(content.rstrip("\\"))) % 2:
            raise NotPlain("escaped quote before the end")
        if not self.clean() and _ML_BAD.search(content):
            raise NotPlain("multi-line string content")
        if "\\" in content and "\\" in _ESCAPE.sub("", content):
            raise NotPlain("multi-line string escape")
        nl = text.find("\n", close)
        if text[close + 3 : end if nl < 0 else nl].strip(" \t"):
            raise NotPlain("text after a multi-line string")
        self.pos = end if nl < 0 else nl + 1
        return _unescape(content)


def _array_item(line: str) -> object:
    """One line of an array: a string, or an inline table (a sighting)."""
    im = _ITEM_STR.match(line)
    if im:
        return _unescape(im.group(1))
    im = _ITEM_TABLE.match(line)
    if not im:
        raise NotPlain("array item")
    return _inline_table(im.group(1))


def _inline_table(inner: str) -> dict[str, object]:
    """`key = value, key = value` of strings and integers, as tomli-w writes them."""
    table: dict[str, object] = {}
    at = 0
    while at < len(inner):
        pm = _PAIR.match(inner, at)
        if pm is None:
            raise NotPlain("inline table")
        if pm.group(3) is not None:
            _set(table, pm.group(1), int(pm.group(3)))
        else:
            _set(table, pm.group(1), _unescape(pm.group(2)))
        at = pm.end()
    if inner.endswith(", "):
        raise NotPlain("trailing comma in an inline table")
    return table


# -- the head of a clean file, by str methods ---------------------------------------------
# Every key `cardfile.dumps` writes outside the body; a line with another goes to the reader
# above (which reads any bare key) by giving up.
_HEAD_KEYS = frozenset(
    "id tag kind labels undertag sources cite location file position short full author"
    " quals date title publication url accessed initials pocket hat block".split()
)


def loads_card_head(text: str) -> dict[str, object] | None:
    """`loads_card_toml(text)` for the part of a card file before its body, read with str
    methods where the reader above runs a regex over every line: `key = "plain"` lines,
    integers, `[table]` and `[[table]]` lines, arrays written one item a line, blank lines.
    None for anything else (an escape but of a quote or backslash, a comment, a multi-line
    string, a key `dumps` does not write), and the caller asks `loads_card_toml`. `text`
    must hold no control character but tab and line break: a plain string's only other
    limits are quotes and backslashes (tests/test_rowbytes.py checks the agreement)."""
    root: dict[str, object] = {}
    table = root
    aots: set[str] = set()
    lines = text.split("\n")
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if not line:
            continue
        if line[0] == "[":
            opened = _head_table(line, root, aots)
            if opened is None:
                return None
            table = opened
            continue
        key, sep, value = line.partition(" = ")
        if not sep or key not in _HEAD_KEYS or key in table or not value:
            return None
        found: object
        if value == "[":
            found, i = _head_array(lines, i)
        else:
            found = _head_scalar(value)
        if found is None:
            return None
        table[key] = found
    return root


def _head_table(line: str, root: dict[str, object], aots: set[str]) -> dict[str, object] | None:
    """The table a `[name]` or `[[name]]` line opens (`_open_table`); None for another line."""
    if line[-1] != "]":
        return None
    name = line[2:-2] if line[1] == "[" and line[-2] == "]" else line[1:-1]
    if name not in _HEAD_KEYS:
        return None
    table: dict[str, object] = {}
    if len(name) + 2 == len(line):
        if name in root:
            return None
        root[name] = table
        return table
    if name not in aots and name in root:
        return None
    aots.add(name)
    root.setdefault(name, []).append(table)  # type: ignore[attr-defined]
    return table


def _head_scalar(value: str) -> str | int | None:
    """A plain string's value (its only escapes `\\\\` and `\\"`) or an integer's."""
    if value[0] == '"':
        inner = value[1:-1]
        if value[-1] != '"' or len(value) < 2:
            return None
        return quoted(inner) if '"' in inner or "\\" in inner else inner
    if value.isascii() and value.isdigit() and (value == "0" or value[0] != "0"):
        return int(value)
    return None


def _head_array(lines: list[str], i: int) -> tuple[list[object] | None, int]:
    """The items of an array from line `i` on, up to its `]`, and the line after it."""
    items: list[object] = []
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "]":
            if items and len({type(item) for item in items}) > 1:
                return None, i
            return items, i
        try:
            items.append(_array_item(line))
        except NotPlain:
            return None, i
    return None, i


def quoted(inner: str) -> str | None:
    """A basic string's value whose only escapes are `\\\\` and `\\"` and whose every quote
    is escaped (what tomli-w writes for a quote or backslash); None for any other."""
    pieces = inner.split("\\\\")  # each escaped backslash, left to right as TOML reads
    for i, piece in enumerate(pieces):
        if "\\" in piece or '"' in piece:
            quotes = piece.count('\\"')
            if piece.count("\\") != quotes or piece.count('"') != quotes:
                return None
            pieces[i] = piece.replace('\\"', '"')
    return "\\".join(pieces)
