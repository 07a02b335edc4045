"""Dates as cites write them: `9-2-2018`, `9/2/18`, `Sept 2, 2018`, `Summer 2019`, `(2021)`,
the short cite's `18`, `'18`, `2K`, `6/14`, and `No Date`.

Pure functions over strings; positions are offsets into the text searched, so the cite parser
can record where each date came from.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_MONTH_NUMBERS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_SEASON = r"(?:Spring|Summer|Fall|Autumn|Winter)"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_Y4 = r"(?:1[6-9]|20)\d{2}"
NO_DATE = re.compile(r"\b(?:No\s+Date|N\.\s?D\.|n\.d\.?|ND)(?![\w.])", re.IGNORECASE)

# Each pattern names its parts; tried in order, most specific first.
_FULL_DATES = [
    rf"(?P<y>{_Y4})-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)",
    r"(?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)[-/.](?P<y>\d{4}|\d{2})",
    rf"(?P<mn>{MONTH})\s+(?P<d>{_DAY}),?\s+(?P<y>{_Y4})",
    rf"(?P<d>{_DAY})\s+(?P<mn>{MONTH}),?\s+(?P<y>{_Y4})",
    rf"(?P<mn>{MONTH})(?:\s*[-/]\s*{MONTH})?,?\s+(?P<y>{_Y4})",
    rf"(?P<season>{_SEASON})\s+(?P<y>{_Y4})",
    rf"(?P<mn>{MONTH})\s+(?P<d>{_DAY})",
]
_FULL_ALTERNATIVES = "|".join(re.sub(r"\(\?P<\w+>", "(?:", p) for p in _FULL_DATES)
FULL_REFERENCE = re.compile(rf"(?<![\w/.-])(?:{_FULL_ALTERNATIVES})(?![\w/-])", re.IGNORECASE)
# The same, led by what every date starts with (a word boundary, then a digit or a month's
# or a season's first letter), which fails fast at most positions.
_FULL = re.compile(
    rf"\b(?=[0-9jfmasondw])(?<![\w/.-])(?:{_FULL_ALTERNATIVES})(?![\w/-])", re.IGNORECASE
)
# `_FULL` once more, led by the character before the date (which its lookbehind reads) taken
# as a class, so that re scans for that class in C; then a quick look for a digit or a
# month's or a season's name, which every date starts with. The date is group 1, at least
# one character after where the search starts (`full_spans` tries that first place itself).
_FULL_LED = re.compile(
    r"[^\w/.-]\b(?=[0-9jfmasondw])"
    r"(?=\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|spring|summer|fall|autumn|winter)"
    rf"((?:{_FULL_ALTERNATIVES})(?![\w/-]))",
    re.IGNORECASE,
)
# Python forbids a group name twice in one pattern: compile each form on its own.
_FORMS = [re.compile(rf"(?:{p})$", re.IGNORECASE) for p in _FULL_DATES]
YEAR_REFERENCE = re.compile(rf"(?<![\w/.-]){_Y4}(?![\w/-])")
# The same with its lookbehind after the first digit, so that the scan looks for a 1 or a 2.
_YEAR = re.compile(r"(?:1(?<![\w/.-]1)[6-9]|2(?<![\w/.-]2)0)\d{2}(?![\w/-])")
# The date in a short cite: 18, '18, ’18, 2018, 2K, 2k9, 6/14, 6/6/13, 14-, 97+.
SHORT_DATE = (
    rf"(?:{MONTH}[-\s]\d{{1,2}}(?:-\d{{2,4}})?|"
    r"[`'‘’]\s?\d{1,2}|[01]?\d[/.-][0-3]?\d(?:[/.-](?:\d{4}|\d{2}))?|(?:1[6-9]|20)\d{2}"
    r"|\d[kK]\d{0,2}|\d{1,2}|No\s+Date|N\.\s?D\.|n\.d\.?|ND)[-+]?"
)
_SHORT_PARTS = re.compile(
    r"^(?:(?P<m>[01]?\d)[/.-](?P<d>[0-3]?\d)(?:[/.-](?P<y>\d{4}|\d{2}))?"
    r"|(?P<k>\d)[kK](?P<kk>\d{0,2})|[`'‘’]?\s?(?P<yy>\d{1,4}))[-+]?$"
)


@dataclass(frozen=True)
class CiteDate:
    """A date as written, with what could be read from it (no year for `No Date`)."""

    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None


def expand_year(digits: str, hint: int | None = None) -> int:
    """'18' -> 2018, '94' -> 1994, '3' -> 2003; `hint` (a full year seen elsewhere) wins
    when it ends in the same digits."""
    n = int(digits)
    if len(digits) >= 3:
        return n
    if hint is not None and hint % 100 == n:
        return hint
    return 2000 + n if n < 30 else 1900 + n


def _month(name: str) -> int | None:
    return _MONTH_NUMBERS.get(name.lower()[:3])


# A date is read again and again (each candidate, then the one taken with its hint; the same
# dates in a file's cites): pure, and a CiteDate is immutable, so the reading is kept.
@functools.lru_cache(maxsize=4096)
def read_date(text: str, hint: int | None = None) -> CiteDate:
    """What a date's text says; never raises (unreadable text is a date with no parts)."""
    t = text.strip().strip("()")
    if NO_DATE.fullmatch(t):
        return CiteDate(text)
    for form in _FORMS:
        m = form.match(t)
        if m:
            return _from_groups(text, m.groupdict(), hint)
    m = _SHORT_PARTS.match(t)
    if m:
        return read_short_date(text, hint)
    y = _YEAR.search(t)
    return CiteDate(text, int(y.group(0)) if y else None)


def _from_groups(text: str, g: dict[str, str | None], hint: int | None) -> CiteDate:
    y, m, mn, day_text = g.get("y"), g.get("m"), g.get("mn"), g.get("d")
    year = expand_year(y, hint) if y else None
    month = int(m) if m else (_month(mn) if mn else None)
    day = int(re.sub(r"\D", "", day_text)) if day_text else None
    if month is not None and not 1 <= month <= 12:
        month = day = None
    if day is not None and not 1 <= day <= 31:
        day = None
    return CiteDate(text, year, month, day)


@functools.lru_cache(maxsize=4096)
def read_short_date(text: str, hint: int | None = None) -> CiteDate:
    """The date of a short cite: `18`, `'18`, `2K`, `2k9`, `6/14` (month/day), `6/6/13`."""
    t = text.strip()
    if NO_DATE.fullmatch(t):
        return CiteDate(text)
    m = _SHORT_PARTS.match(t)
    if not m:
        return _month_short(text, hint) if t else CiteDate(text)
    if m.group("yy"):
        return CiteDate(text, expand_year(m.group("yy"), hint))
    if m.group("k"):
        return CiteDate(text, 1000 * int(m.group("k")) + int(m.group("kk") or 0))
    return _from_groups(text, {"m": m.group("m"), "d": m.group("d"), "y": m.group("y")}, hint)


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """(start, end, rank) of every date in text[start:end]; rank 0 is a full date (a day or a
    month), 1 a bare four-digit year. Overlaps resolved in favour of the longer, earlier one."""
    end = len(text) if end is None else end
    found = [(a, b, 0) for a, b in full_spans(text, start, end)]
    if not found:
        return [(m.start(), m.end(), 1) for m in _YEAR.finditer(text, start, end)]
    taken = bytearray(end - start)  # 1 where a full date lies
    for a, b, _ in found:
        taken[a - start : b - start] = b"\x01" * (b - a)
    for m in _YEAR.finditer(text, start, end):
        if 1 not in taken[m.start() - start : m.end() - start]:
            found.append((m.start(), m.end(), 1))
    return sorted(found)


def full_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of `_FULL.finditer(text, start, end)`, found by `_FULL_LED`. A match of
    `_FULL` at q > start is one of `_FULL_LED` at q - 1 (its first character is the one the
    lookbehind reads, the rest the same pattern); none can start where the one before ends
    (it ends before a character that is not a word's), so after a match the next is found
    the same way. Only at `start` itself, where the character before is not in the range,
    is `_FULL` tried."""
    out = []
    m = _FULL.match(text, start, end)
    if m is not None:
        out.append(m.span())
        start = m.end()
    out += [m.span(1) for m in _FULL_LED.finditer(text, start, end)]
    return out


def full_spans_reference(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [m.span() for m in _FULL.finditer(text, start, end)]


_MONTH_SHORT = re.compile(rf"(?P<mn>{MONTH})[-\s](?P<a>\d{{1,2}})(?:-(?P<b>\d{{2,4}}))?$", re.I)


def _month_short(text: str, hint: int | None) -> CiteDate:
    """'Mar-98' (March 1998), 'Aug-1-13' (August 1, 2013); else whatever read_date reads."""
    m = _MONTH_SHORT.match(text.strip())
    if not m:
        return read_date(text, hint)
    month = _month(str(m.group("mn")))
    if m.group("b"):
        day = int(m.group("a")) or None
        return CiteDate(text, expand_year(str(m.group("b")), hint), month, day)
    return CiteDate(text, expand_year(str(m.group("a")), hint), month)
