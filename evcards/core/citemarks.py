"""The parts of a cite found by their own marks, wherever they are: the URL, the access
date after `accessed`/`DOA`, the quoted title, the cutter's initials at the very end. Each
takes its span in a `Spans` and returns its text."""

from __future__ import annotations

import re

from evcards.core.citedates import find_dates
from evcards.core.citespans import SEPARATORS, Spans

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”]+", re.IGNORECASE)
_URL_TAIL = re.compile(r"\)?//+(?:[A-Za-z]{2,8})?\)?$")


def first_of(text: str, words: tuple[str, ...]) -> int | None:
    """Where a match of a case-blind pattern whose every match starts with one of words
    (ASCII letters other than i, k and s, which alone have non-ASCII letters that `re`
    folds onto them) can start first: None when there is none, 0 when the lowered text is
    longer (a letter lowered to two) and its offsets are not the text's."""
    low = text.lower()
    found = [k for k in (low.find(w) for w in words) if k >= 0]
    if not found:
        return None
    return min(found) if len(low) == len(text) else 0


def take_url(spans: Spans) -> str | None:
    url = None
    start = first_of(spans.text, ("http", "www."))
    if start is None:
        return None
    for m in _URL.finditer(spans.text, start):
        a, b = m.span()
        while b > a and spans.text[b - 1] in ".,;:)]}>'’”":
            if spans.text[b - 1] == ")" and "(" in spans.text[a : b - 1]:
                break
            b -= 1
        tail = _URL_TAIL.search(spans.text[a:b])
        if tail and tail.start() > 8:
            b = a + tail.start()  # '.../8711)//RT': the cutter's initials after the URL
        if url is None:
            if spans.take("url", a, b):
                url = spans.text[a:b]
        else:
            spans.take("rest", a, b)
    return url


_ACCESSED = re.compile(
    r"(?<!\w)(?:date\s+accessed|date\s+of\s+access|accessed|accesed|retrieved|DOA|acc\.)"
    r"(?:\s+on)?\s*:?\s*",
    re.IGNORECASE,
)
_SHORT_ACCESSED = re.compile(r"[01]?\d[-/.][0-3]?\d(?:[-/.]\d{2,4})?")


def take_accessed(spans: Spans) -> str | None:
    text = spans.text
    start = first_of(text, ("date", "acc", "retr", "doa"))
    if start is None:
        return None
    for m in _ACCESSED.finditer(text, start):  # its lookbehind still reads text[start - 1]
        if not spans.free(m.start(), m.end()):
            continue
        dates = find_dates(text, m.end(), min(len(text), m.end() + 40))
        short = _SHORT_ACCESSED.match(text[m.end() :])
        spans.take("keyword", m.start(), m.end())
        if dates and dates[0][0] == m.end():
            spans.take("accessed", dates[0][0], dates[0][1])
            return text[dates[0][0] : dates[0][1]]
        if short:
            spans.take("accessed", m.end(), m.end() + short.end())
            return short.group(0)
        return None
    return None


_OPEN_QUOTE = {'"': '"', "“": "”", "”": "”", "„": "“"}
_QUOTE = re.compile('["“”„]')


def take_title(spans: Spans) -> tuple[int, int] | None:
    """The first quoted text of three characters or more, up to its closing quote (or, when
    it is never closed, up to the URL or the end)."""
    for q in _QUOTE.finditer(spans.text):
        found = title_at(spans, q.start())
        if found is not None:
            return found
    return None


def title_at(spans: Spans, k: int) -> tuple[int, int] | None:
    """The title opened by the quote at k, taken; None when it is not one."""
    text = spans.text
    if not spans.free(k, k + 1):
        return None
    c = text[k]
    close = text.find(_OPEN_QUOTE[c], k + 1)
    alt = text.find('"', k + 1) if c != '"' else -1
    if close < 0 or (0 <= alt < close):
        close = alt
    if close < 0:
        close = spans.next_taken(k + 1)
    a, b = k + 1, close
    while a < b and text[a] in SEPARATORS:
        a += 1
    while b > a and text[b - 1] in " \t\n,.;:":
        b -= 1
    if b - a >= 3 and spans.free(a, b) and spans.take("title", a, b):
        return a, b
    return None


_INITIALS = re.compile(
    r"(?:[)\]>”\"]\s*|//+\s*|,\s*|\n\s*)(?P<ini>[A-Za-z][A-Za-z0-9]{1,7})[\s)\]>.]*$",
)
_NOT_INITIALS = frozenset(
    """pdf html htm web and the ed eds pg pp vol no usa uk un us eu nato cnn bbc npr fall
    lexis jstor ebsco online print op ed pg pgs ibid""".split()
)


# What may follow the initials: `\s` (every character `str.isspace` holds, as re reads it)
# and the closing marks.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_AFTER_INITIALS = _WHITESPACE + ")]>."


def initials_from(text: str) -> int:
    """No match of `_INITIALS` starts before this offset. Its initials end where the text's
    end has nothing but whitespace and closing marks left, and are at most 8 characters;
    before them come whitespace and one mark (a slash run for `//`)."""
    k = len(text.rstrip(_AFTER_INITIALS)) - 8
    while k > 0 and text[k - 1].isspace():
        k -= 1
    while k > 0 and text[k - 1] == "/":
        k -= 1
    return max(0, k - 1)


def take_initials(spans: Spans) -> str | None:
    """The cutter's initials at the very end: `) ank`, `//MC`, `..., ADL)`."""
    m = _INITIALS.search(spans.text, initials_from(spans.text))
    if not m:
        return None
    ini = m.group("ini")
    slashes = "//" in m.group(0)
    plain = len(ini) <= 4 and ini.isalpha() and (ini.islower() or ini.isupper())
    if ini.lower() in _NOT_INITIALS or not (plain or slashes):
        return None
    if not spans.take("initials", *m.span("ini")):
        return None
    return ini


def full_citation(text: str, short: tuple[int, int] | None) -> str:
    """The model's `full`: the citation after a leading short cite, its outer bracket pair
    removed (`SHORT (FULL) INI` -> `FULL INI`); otherwise the whole cite. One line."""
    if short is None or text[: short[0]].strip():
        return " ".join(text.split())
    rest = text[short[1] :].lstrip(" \t\r\n,;:–—-")
    if rest[:1] in BRACKETS:
        k = closing_bracket(rest)
        rest = rest[1:] if k is None else rest[1:k] + " " + rest[k + 1 :]
    return " ".join(rest.split()) or " ".join(text.split())


BRACKETS = {"(": ")", "[": "]", "<": ">"}
_BRACKET_OF = {o: re.compile(re.escape(o) + "|" + re.escape(c)) for o, c in BRACKETS.items()}


def closing_bracket(text: str) -> int | None:
    """Where the bracket `text` opens with is closed, nested pairs of its kind counted; None
    when it is not closed (or `text` does not open with a bracket)."""
    close = BRACKETS.get(text[:1])
    if close is None:
        return None
    depth = 0
    for m in _BRACKET_OF[text[0]].finditer(text):
        depth += 1 if m.group(0) == text[0] else -1
        if depth == 0:
            return m.start()
    return None
