"""A card body seen as words, and the marks a selection of them can take (no Textual here).

The body text is never edited while marking, so a word keeps its index through every mark:
the cursor and the selection are word indices (`Word`), and a mark applies to the text from
the first selected word's start to the last one's end (the spaces between them included), the
way a selection in Word covers them. Condensing joins paragraphs but keeps every word, so the
indices stay valid across it too. Each function returns a new canonical body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from rich.cells import cell_len

from evcards.core import transforms
from evcards.core.markup import DEFAULT_SHRINK
from evcards.core.models import Span, normalize_body

Body = list[list[Span]]
_WORD = re.compile(r"\S+")


class Word(NamedTuple):
    """A word of the body: its paragraph and its character range there."""

    para: int
    start: int
    end: int


def words_of(body: Body) -> list[Word]:
    out: list[Word] = []
    for p, para in enumerate(body):
        text = "".join(s.text for s in para)
        out.extend(Word(p, m.start(), m.end()) for m in _WORD.finditer(text))
    return out


Point = tuple[int, int]  # (paragraph, character offset)


def selection_range(words: list[Word], a: int, b: int) -> tuple[Point, Point]:
    """The text words a..b (either order, both included) cover: from one's start to one's end."""
    lo, hi = min(a, b), max(a, b)
    return (words[lo].para, words[lo].start), (words[hi].para, words[hi].end)


def _bounds(body: Body, p: int, start: Point, end: Point) -> tuple[int, int]:
    a = start[1] if p == start[0] else 0
    b = end[1] if p == end[0] else sum(len(s.text) for s in body[p])
    return a, b


def pieces(body: Body, start: Point, end: Point) -> Iterator[Span]:
    """The spans between two points, cut at the points."""
    for p in range(start[0], end[0] + 1):
        a, b = _bounds(body, p, start, end)
        pos = 0
        for span in body[p]:
            s, e = pos, pos + len(span.text)
            pos = e
            if e > a and s < b:
                yield span.with_text(span.text[max(s, a) - s : min(e, b) - s])


def restyle(body: Body, start: Point, end: Point, change: Callable[[Span], Span]) -> Body:
    """The body with `change` applied to the text between two points."""
    out = list(body)
    for p in range(start[0], end[0] + 1):
        a, b = _bounds(body, p, start, end)
        new: list[Span] = []
        pos = 0
        for span in body[p]:
            s, e = pos, pos + len(span.text)
            pos = e
            if e <= a or s >= b:
                new.append(span)
                continue
            lo, hi = max(s, a) - s, min(e, b) - s
            if lo > 0:
                new.append(span.with_text(span.text[:lo]))
            new.append(change(span.with_text(span.text[lo:hi])))
            if hi < len(span.text):
                new.append(span.with_text(span.text[hi:]))
        out[p] = new
    return normalize_body(out)


def _all(body: Body, start: Point, end: Point, test: Callable[[Span], bool]) -> bool:
    """Whether every piece with a word in it passes `test` (the spaces do not count)."""
    return all(test(s) for s in pieces(body, start, end) if s.text.strip())


def _set(**marks: object) -> Callable[[Span], Span]:
    return lambda s: s.model_copy(update=marks)


def underline(body: Body, start: Point, end: Point) -> Body:
    """Verbatim's F9: the selection underlined (emphasis becomes plain underline); pressed on
    text that is all plainly underlined already, the underline comes off."""
    if _all(body, start, end, lambda s: s.underline and not s.emphasis):
        return restyle(body, start, end, _set(underline=False))
    return restyle(body, start, end, _set(underline=True, emphasis=False))


def emphasis(body: Body, start: Point, end: Point) -> Body:
    """F10: the selection emphasised; on text all emphasised, emphasis off, leaving it
    underlined (emphasis is bold and underline: taking the bold away keeps the line)."""
    if _all(body, start, end, lambda s: s.emphasis):
        return restyle(body, start, end, _set(emphasis=False, underline=True))
    return restyle(body, start, end, _set(emphasis=True))


def highlight(body: Body, start: Point, end: Point, color: str) -> Body:
    """F11: the selection highlighted in `color`; on text all highlighted in it, off."""
    if _all(body, start, end, lambda s: s.highlight == color):
        return restyle(body, start, end, _set(highlight=None))
    return restyle(body, start, end, _set(highlight=color))


def clear(body: Body, start: Point, end: Point) -> Body:
    """F12: every mark off the selection (Verbatim's clear to normal)."""
    return restyle(body, start, end, lambda s: Span(text=s.text))


def condense(body: Body, first_para: int, last_para: int) -> Body:
    """F3: the paragraphs the selection spans joined into one; a selection inside one
    paragraph condenses the whole card."""
    if first_para == last_para:
        return transforms.condense(body)
    joined = transforms.condense(body[first_para : last_para + 1])
    return normalize_body([*body[:first_para], *joined, *body[last_para + 1 :]])


def shrink(body: Body) -> Body:
    """Alt+F3: text neither underlined nor highlighted shrunk (transforms.shrink); on a card
    with nothing left to shrink, the shrinking comes off again, as Verbatim's key toggles."""
    shrunk = transforms.shrink(body)
    if shrunk != body:
        return shrunk
    out = [
        [
            s.model_copy(update={"size": None})
            if s.size == DEFAULT_SHRINK and not s.is_underlined and s.highlight is None
            else s
            for s in para
        ]
        for para in body
    ]
    return normalize_body(out)


# -- layout --------------------------------------------------------------------------------
class Line(NamedTuple):
    """A screen line of the body: words first..last of one paragraph, chars start..end."""

    para: int
    first: int
    last: int
    start: int
    end: int


def wrap(texts: list[str], words: list[Word], width: int) -> list[list[Line]]:
    """Each paragraph's lines at `width` cells, broken between words (a word wider than the
    line gets a line of its own)."""
    width = max(width, 1)
    out: list[list[Line]] = [[] for _ in texts]
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        text = texts[w.para]
        j = i
        while j + 1 < n and words[j + 1].para == w.para:
            nxt = words[j + 1]
            span = text[w.start : nxt.end]
            # cell_len is exact for wide characters; len() is the same for most text and cheap
            if (len(span) if span.isascii() else cell_len(span)) > width:
                break
            j += 1
        out[w.para].append(Line(w.para, i, j, w.start, words[j].end))
        i = j + 1
    return out


def x_of(text: str, line: Line, word: Word) -> int:
    """The column a word starts at in its line."""
    return cell_len(text[line.start : word.start])


def nearest_word(text: str, line: Line, words: list[Word], x: int) -> int:
    """The index of the line's word under column x, or the nearest one."""
    best, best_gap = line.first, None
    for i in range(line.first, line.last + 1):
        a = x_of(text, line, words[i])
        b = a + cell_len(text[words[i].start : words[i].end])
        if a <= x < b:
            return i
        gap = a - x if x < a else x - b + 1
        if best_gap is None or gap < best_gap:
            best, best_gap = i, gap
    return best
