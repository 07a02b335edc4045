"""The marks `evcards mark` puts on a selection of words (evcards/tui/document.py), on
generated bodies: the text never changes, the selection gets the mark, nothing else does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from strategies import raw_bodies

from evcards.core.markup import DEFAULT_SHRINK, parse
from evcards.core.models import Span, normalize_body
from evcards.tui import document as doc

bodies = raw_bodies.map(normalize_body).filter(lambda b: bool(doc.words_of(b)))


@st.composite
def selections(draw: st.DrawFn) -> tuple[list[list[Span]], int, int]:
    body = draw(bodies)
    n = len(doc.words_of(body))
    return body, draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))


def texts(body: list[list[Span]]) -> list[str]:
    return ["".join(s.text for s in p) for p in body]


def chars(body: list[list[Span]]) -> list[tuple[int, int, Span]]:
    """(paragraph, offset, the span holding it) for every character."""
    out = []
    for p, para in enumerate(body):
        pos = 0
        for span in para:
            out.extend((p, pos + i, span) for i in range(len(span.text)))
            pos += len(span.text)
    return out


def inside(point: tuple[int, int], start: tuple[int, int], end: tuple[int, int]) -> bool:
    return start <= point < end


@given(selections(), st.sampled_from(["underline", "emphasis", "highlight", "clear"]))
def test_a_mark_changes_only_the_selection_and_never_the_text(sel, how):
    body, a, b = sel
    start, end = doc.selection_range(doc.words_of(body), a, b)
    if how == "highlight":
        after = doc.highlight(body, start, end, "cyan")
    else:
        after = getattr(doc, how)(body, start, end)
    assert texts(after) == texts(body)
    for (p, i, old), (_, _, new) in zip(chars(body), chars(after), strict=True):
        if not inside((p, i), start, end):
            assert new.marks() == old.marks()
    # ... and the selection's words all carry the mark, or all lost it (a toggle)
    picked = [s for s in doc.pieces(after, start, end) if s.text.strip()]
    if how == "clear":
        assert all(s.marks() == Span(text="x").marks() for s in picked)
    elif how == "highlight":
        assert len({s.highlight == "cyan" for s in picked}) == 1
    elif how == "underline":
        assert len({s.underline and not s.emphasis for s in picked}) == 1
    else:
        assert len({s.emphasis for s in picked}) == 1


@given(selections())
def test_highlighting_twice_takes_it_off_again(sel):
    body, a, b = sel
    start, end = doc.selection_range(doc.words_of(body), a, b)
    once = doc.highlight(body, start, end, "green")
    twice = doc.highlight(once, start, end, "green")
    assert all(s.highlight is None for s in doc.pieces(twice, start, end) if s.text.strip())
    assert all(s.highlight == "green" for s in doc.pieces(once, start, end) if s.text.strip())


@given(selections())
def test_condensing_keeps_every_word(sel):
    body, a, b = sel
    words = doc.words_of(body)
    start, end = doc.selection_range(words, a, b)
    after = doc.condense(body, start[0], end[0])
    old = [texts(body)[w.para][w.start : w.end] for w in words]
    new = [texts(after)[w.para][w.start : w.end] for w in doc.words_of(after)]
    assert new == old
    if start[0] == end[0]:
        assert len(after) == 1
    else:
        assert len(after) == len(body) - (end[0] - start[0])


def test_shrink_toggles_the_unmarked_text():
    body = parse("plain words _underlined_ ==read== more plain")
    shrunk = doc.shrink(body)
    assert [s.size for s in shrunk[0] if "plain" in s.text] == [DEFAULT_SHRINK, DEFAULT_SHRINK]
    assert doc.shrink(shrunk) == body


@given(bodies, st.integers(10, 80))
def test_wrapped_lines_hold_every_word_once_in_order_within_the_width(body, width):
    words = doc.words_of(body)
    lines = [line for para in doc.wrap(texts(body), words, width) for line in para]
    covered = [i for line in lines for i in range(line.first, line.last + 1)]
    assert covered == list(range(len(words)))
    for line in lines:
        text = texts(body)[line.para]
        if line.first != line.last:  # a lone word wider than the line may overflow
            assert doc.x_of(text, line, words[line.last]) < width


def test_the_word_under_a_column():
    body = parse("alpha beta gamma")
    words = doc.words_of(body)
    line = doc.wrap(texts(body), words, 80)[0][0]
    assert [doc.nearest_word("alpha beta gamma", line, words, x) for x in (0, 5, 6, 12, 40)] == [
        0,
        0,
        1,
        2,
        2,
    ]
