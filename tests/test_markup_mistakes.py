"""A markup mistake is reported at the mark that was mistyped, and shown: the line it is on
(a window of a long one) with a caret under the mark."""

from __future__ import annotations

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as hst

from evcards.cli import app
from evcards.core import markup
from evcards.core.mistakes import EXCERPT_WIDTH, excerpt
from evcards.core.models import new_card
from evcards.errors import InvalidCard, MarkupError
from evcards.store import cardfile

MARKS = ["_", "**", "==", "~", "{b}", "{i}", "{box}"]
words = hst.lists(hst.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True), min_size=2, max_size=6)


def _error(text: str) -> MarkupError:
    with pytest.raises(MarkupError) as e:
        markup.parse(text)
    return e.value


def _column(text: str, pos: int) -> str:
    return f"column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


@settings(max_examples=examples(300), deadline=None)
@given(
    hst.lists(words, min_size=2, max_size=8),
    hst.sampled_from(MARKS),
    hst.data(),
    hst.booleans(),
)
def test_a_dropped_mark_is_blamed_on_its_partner(phrases, mark, data, drop_opening):
    """Marked phrases with one mark dropped: the error names the partner left alone, wherever
    it is (the parser alone knows only that the last mark typed is open)."""
    k = data.draw(hst.integers(0, len(phrases) - 1))
    partner, text = 0, ""
    for i, phrase in enumerate(phrases):
        opening = closing = mark
        if i == k:
            opening, closing = ("", mark) if drop_opening else (mark, "")
        text += (" " if text else "") + opening
        if i == k and not drop_opening:
            partner = len(text) - len(mark)
        text += " ".join(phrase)
        if i == k and drop_opening:
            partner = len(text)
        text += closing
    e = _error(text)
    assert _column(text, partner) + (" closes a mark" if drop_opening else " is never") in str(e)
    line, caret = e.detail
    at = caret.index("^")
    assert caret == " " * at + "^" * len(mark) and line[at:].startswith(mark)
    if len(text) <= EXCERPT_WIDTH:
        assert (line, at) == (text, partner)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("_a b c d _e f_", "line 1, column 1"),  # the toggles blamed the last `_`: column 14
        ("==one== ==two three ==four==", "line 1, column 9"),
        ("x\n\n**a b** c **d\n\ne **f**", "line 3, column 11"),
    ],
)
def test_the_opening_never_closed_is_named(text, where):
    assert f"opened at {where} is never closed" in str(_error(text))


def test_a_close_with_no_opening_says_so():
    e = _error("they want different_ things")
    assert str(e).startswith("`_` (underline) at line 1, column 20 closes a mark that was never")
    assert e.detail == ("they want different_ things", " " * 19 + "^")


def test_a_long_line_is_shown_as_a_window_around_the_mark():
    text = "word " * 60 + "_open " + "word " * 60
    e = _error(text)
    line, caret = e.detail
    assert len(line) <= EXCERPT_WIDTH + 2 and line.startswith("…") and line.endswith("…")
    at = caret.index("^")
    assert line[at] == "_" and line[at + 1 : at + 5] == "open"


def test_excerpt_of_the_first_and_the_last_mark_of_a_line():
    assert excerpt("_ab\ncd", 0, 1) == ("_ab", "^")
    assert excerpt("ab\ncd_", 5, 6) == ("cd_", "  ^")
    line, caret = excerpt("x" * 200 + "=={cyan}", 200, 208)
    assert line.endswith("=={cyan}") and caret.endswith("^" * 8)
    assert len(line) == len(caret)


def test_other_mistakes_are_shown_too():
    e = _error("some text {z} more")
    assert e.detail == ("some text {z} more", " " * 10 + "^")


def test_a_card_files_markup_mistake_shows_its_line(runner, lib, tmp_path):
    card = new_card(tag="T", body=markup.parse("first paragraph\n\nsecond _under_ paragraph"))
    path = lib.write(card)
    path.write_text(cardfile.dumps(card).replace("_under_", "_under"), encoding="utf-8")
    with pytest.raises(InvalidCard) as e:
        cardfile.read(path)
    assert e.value.detail == ("second _under paragraph", " " * 7 + "^")
    result = runner.invoke(app, ["show", card.id[:8]])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == ["  second _under paragraph", "         ^"]


def test_add_shows_the_line_with_a_caret(runner, lib):
    body = "The _alliance is unlikely and **never** formal"
    result = runner.invoke(app, ["add", "-", "-t", "T"], input=body)
    assert result.exit_code == 1
    error, line, caret = result.stderr.splitlines()
    assert error.startswith("Error: body: `_` (underline) opened at line 1, column 5")
    assert (line, caret) == (f"  {body}", "      ^")
