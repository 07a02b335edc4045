"""The TOML of a card file as `cardfile.dumps` writes it, read fast.

`loads_card_toml` is the fast twin of `tomllib.loads` for the small, fixed shape of a card
file (what tomli-w writes for `cardfile.card_to_dict`); it raises NotPlain on anything else,
and the caller then uses tomllib. tests/test_cardtoml.py checks the agreement with hypothesis
and on the corpus.
"""

from __future__ import annotations

import re

from evcards.core.markup_text import NotPlain

# -- reading the TOML that cardfile.dumps (tomli_w) writes, fast ---------------------------------
# tomllib is pure Python and reads strings a character at a time (~0.8 ms for a 5 KB card).
# Card files have a small, fixed shape, so `loads_card_toml` reads that shape line by line with
# C-speed regexes and gives up (NotPlain) on anything else, which then goes to tomllib. What it
# accepts it reads exactly as tomllib does (tests/test_cardtoml.py checks that with hypothesis).
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
_ITEM_STR = re.compile(rf"[ \t]*{_BASIC},[ \t]*\Z")
_ITEM_TABLE = re.compile(r"[ \t]*\{ (.*) \},[ \t]*\Z")
_PAIR = re.compile(rf"{_KEY} = (?:{_BASIC}|(0|[1-9][0-9]*))(?:, |\Z)")
_ESCAPE = re.compile(r'\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))')
_ML_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
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


def loads_card_toml(text: str) -> dict[str, object]:
    """The TOML of a card file as tomllib would give it; NotPlain for any other shape."""
    if "\r" in text:
        raise NotPlain("carriage return")
    root: dict[str, object] = {}
    table = root
    aots: set[str] = set()
    pos, end = 0, len(text)
    while pos < end:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = end
        line = text[pos:nl]
        pos = nl + 1
        m = _LINE.match(line)
        if m is None:
            raise NotPlain("line")
        if m.group("blank") is not None:
            continue
        if m.group("table"):
            name = m.group("table")
            if name in root:
                raise NotPlain("table twice")
            table = root[name] = {}
            continue
        if m.group("aot"):
            name = m.group("aot")
            if name not in aots and name in root:
                raise NotPlain("array of tables")
            aots.add(name)
            table = {}
            root.setdefault(name, []).append(table)  # type: ignore[attr-defined]
            continue
        key = m.group(4)
        if m.group(5) is not None:
            _set(table, key, _unescape(m.group(5)))
        elif m.group("int") is not None:
            _set(table, key, int(m.group("int")))
        elif m.group("empty"):
            _set(table, key, [])
        elif m.group("open"):
            items: list[object] = []
            while True:
                nl = text.find("\n", pos)
                if nl < 0:
                    raise NotPlain("array")
                line = text[pos:nl]
                pos = nl + 1
                if line == "]":
                    break
                im = _ITEM_STR.match(line)
                if im:
                    items.append(_unescape(im.group(1)))
                    continue
                im = _ITEM_TABLE.match(line)
                if not im:
                    raise NotPlain("array item")
                inline: dict[str, object] = {}
                inner, at = im.group(1), 0
                while at < len(inner):
                    pm = _PAIR.match(inner, at)
                    if pm is None:
                        raise NotPlain("inline table")
                    value = _unescape(pm.group(2)) if pm.group(2) is not None else pm.group(3)
                    _set(inline, pm.group(1), int(value) if pm.group(3) is not None else value)
                    at = pm.end()
                if inner.endswith(", "):
                    raise NotPlain("trailing comma in an inline table")
                items.append(inline)
            if items and len({type(i) for i in items}) > 1:
                raise NotPlain("mixed array")
            _set(table, key, items)
        else:  # a multi-line basic string
            if not line.endswith('"""'):
                raise NotPlain("text after opening quotes")  # it would be content
            # (the line break right after the opening quotes, which TOML trims, is behind pos)
            close = text.find('"""', pos)
            if close < 0 or text.startswith('"', close + 3):
                raise NotPlain("multi-line string end")  # none, or quotes before the end
            content = text[pos:close]
            if (len(content) - len(content.rstrip("\\"))) % 2:
                raise NotPlain("escaped quote before the end")
            if _ML_BAD.search(content) or ("\\" in content and "\\" in _ESCAPE.sub("", content)):
                raise NotPlain("multi-line string content")
            nl = text.find("\n", close)
            if text[close + 3 : end if nl < 0 else nl].strip(" \t"):
                raise NotPlain("text after a multi-line string")
            _set(table, key, _unescape(content))
            pos = end if nl < 0 else nl + 1
    return root
