"""The card markup's tokens and the text rules cards obey, with no heavy imports.

One source of truth for the full parser (core.markup, core.models) and its fast twin for the
search index (core.markup_text, read through index.facts), which must agree to the character
and must not load pydantic.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

# Word's named highlight colours (w:highlight w:val), in OOXML spelling. "none" is not one.
HighlightColor = Literal[
    "yellow",
    "green",
    "cyan",
    "magenta",
    "blue",
    "red",
    "darkBlue",
    "darkCyan",
    "darkGreen",
    "darkMagenta",
    "darkRed",
    "darkYellow",
    "darkGray",
    "lightGray",
    "black",
    "white",
]
HIGHLIGHT_COLORS: tuple[str, ...] = get_args(HighlightColor)
# How `evcards cut` lays a cite out (evcards.core.cite_build), as config.toml names it.
CiteForm = Literal["standard", "frontloaded", "two-line"]
CITE_FORMS: tuple[str, ...] = get_args(CiteForm)

# The RGB Word paints each highlight colour with, for HTML and terminal output.
HIGHLIGHT_RGB: dict[str, str] = {
    "yellow": "FFFF00",
    "green": "00FF00",
    "cyan": "00FFFF",
    "magenta": "FF00FF",
    "blue": "0000FF",
    "red": "FF0000",
    "darkBlue": "000080",
    "darkCyan": "008080",
    "darkGreen": "008000",
    "darkMagenta": "800080",
    "darkRed": "800000",
    "darkYellow": "808000",
    "darkGray": "808080",
    "lightGray": "C0C0C0",
    "black": "000000",
    "white": "FFFFFF",
}

DEFAULT_WPM = 250  # words read a minute, for read times (Verbatim's default)

# A cite's fields, in the order a full cite gives them (the model's and the TOML's).
CITE_FIELDS: tuple[str, ...] = (
    "short",
    "full",
    "author",
    "quals",
    "date",
    "title",
    "publication",
    "url",
    "accessed",
    "initials",
)

# Span text, tags and cite fields are single lines: no line breaks or control characters.
FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# In markup, line breaks are layout; other control characters are dropped (pasted PDFs).
CONTROL_IN_MARKUP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

TOKEN = re.compile(
    r"""
    (?P<para>\n(?:[ \t]*\n)+)
  | (?P<soft>\n[ \t]*)
  | \\(?P<esc>.)
  | (?P<emph>\*\*)
  | (?P<hl>==)(?:\{(?!(?:b|i|box|shade)[}:])(?P<hlcolor>[A-Za-z]+)\})?
  | (?P<under>_)
  | (?P<shrink>~)(?:\{(?P<size>[0-9]+(?:\.[0-9]+)?)\})?
  | \{(?P<close>/?)(?P<name>b|i|box|shade)(?::(?P<hex>[0-9A-Fa-f]{6}))?\}
  | (?P<brace>\{)
    """,
    re.VERBOSE,
)

LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,39}$")  # OpenEv's aff, neg, da, cp, k, t ...

_YEAR = re.compile(r"\b(19[0-9]{2}|20[0-9]{2})\b")
_YY = re.compile(r"(?<![/.-])\b([0-9]{1,2})\s*$")  # 'Meick 18', 'Hellman 8', not 'RM 6/14'
_ACCESSED = re.compile(r"\b(?:accessed|acc\.|retrieved|DOA)\b", re.IGNORECASE)


def cite_year(date: str | None, full: str, short: str) -> int | None:
    """The source's year. The short cite is what the debater reads out, so it decides: its
    full year, else the year in the date or the full cite (up to its access date: an
    'accessed 2026' is when it was cut) that ends in its two digits ('Ahmed 20' whose quals
    mention a 2009 degree is 2020, 'Hellman 8' is 2008), else those digits alone; with no
    year in the short cite, the first year in the date or the full cite."""
    m = _YEAR.search(short)
    if m:
        return int(m.group(1))
    m = _YY.search(short)
    yy = int(m.group(1)) if m else None
    full = _ACCESSED.split(full, maxsplit=1)[0]
    for text in (date or "", full):
        for m in _YEAR.finditer(text):
            if yy is None or int(m.group(1)) % 100 == yy:
                return int(m.group(1))
    if yy is None:
        return None
    return 2000 + yy if yy < 70 else 1900 + yy
