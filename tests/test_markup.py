"""The markup is lossless: parse(render(body)) == body for every body the model allows."""

from __future__ import annotations

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as hst
from strategies import any_markup, raw_bodies

from evcards.core import markup
from evcards.core.models import HIGHLIGHT_COLORS, Span, normalize_body
from evcards.errors import MarkupError
from evcards.store import cardfile


@settings(max_examples=examples(3000), deadline=None)
@given(raw_bodies, hst.sampled_from(HIGHLIGHT_COLORS))
def test_render_then_parse_is_identity(body, default):
    body = normalize_body(body)
    text = markup.render(body, default_highlight=default)
    assert markup.parse(text, default_highlight=default) == body


@settings(max_examples=examples(500), deadline=None)
@given(raw_bodies)
def test_render_is_stable(body):
    body = normalize_body(body)
    once = markup.render(body)
    assert markup.render(markup.parse(once)) == once


def _as_pairs(body):
    return [[(s.text, s.marks()) for s in para] for para in body]


@settings(max_examples=examples(3000), deadline=None)
@given(any_markup, hst.sampled_from(HIGHLIGHT_COLORS))
def test_parse_marked_agrees_with_parse(text, default):
    """The pairs reader gives parse's spans as pairs, and refuses what parse refuses with
    the same message."""
    try:
        expected = _as_pairs(markup.parse(text, default_highlight=default))
    except MarkupError as e:
        with pytest.raises(MarkupError) as got:
            markup.parse_marked(text, default_highlight=default)
        assert str(got.value) == str(e)
        return
    assert markup.parse_marked(text, default_highlight=default) == expected


@settings(max_examples=examples(1000), deadline=None)
@given(raw_bodies, hst.sampled_from(HIGHLIGHT_COLORS))
def test_parse_marked_reads_rendered_bodies(body, default):
    body = normalize_body(body)
    text = markup.render(body, default_highlight=default)
    assert markup.parse_marked(text, default_highlight=default) == _as_pairs(body)


def S(text, **marks):  # noqa: N802 - reads like a constructor in the tables below
    return Span(text=text, **marks)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain", [[S("plain")]]),
        ("_u_", [[S("u", underline=True)]]),
        ("**e**", [[S("e", emphasis=True)]]),
        ("==h==", [[S("h", highlight="yellow")]]),
        ("=={cyan}h==", [[S("h", highlight="cyan")]]),
        ("=={DarkGray}h==", [[S("h", highlight="darkGray")]]),
        ("~s~", [[S("s", size=8.0)]]),
        ("~{6.5}s~", [[S("s", size=6.5)]]),
        ("{b}b{b}{i}i{i}{box}x{box}", [[S("b", bold=True), S("i", italic=True), S("x", box=True)]]),
        ("{shade:d9d9d9}g{/shade}", [[S("g", shading="D9D9D9")]]),
        # Nesting: highlight inside underline inside emphasis.
        (
            "**a _b ==c== d_**",
            [
                [
                    S("a ", emphasis=True),
                    S("b ", emphasis=True, underline=True),
                    S("c", emphasis=True, underline=True, highlight="yellow"),
                    S(" d", emphasis=True, underline=True),
                ]
            ],
        ),
        # Overlap: toggles need not nest.
        (
            "_a ==b_ c==",
            [
                [
                    S("a ", underline=True),
                    S("b", underline=True, highlight="yellow"),
                    S(" c", highlight="yellow"),
                ]
            ],
        ),
        # Escapes and lone characters.
        (r"a\_b \*\* \=\= \~ \{b} \\", [[S("a_b ** == ~ {b} \\")]]),
        ("2 * 3 = 6", [[S("2 * 3 = 6")]]),
        ("[W]hile … ¶ “quoted”", [[S("[W]hile … ¶ “quoted”")]]),
        # Paragraphs: blank lines split, single newlines are spaces, marks may span them.
        ("one\n\n\ntwo", [[S("one")], [S("two")]]),
        ("one\nline", [[S("one line")]]),
        ("=={b}x{b}==", [[S("x", highlight="yellow", bold=True)]]),
        ("_a\n\nb_", [[S("a", underline=True)], [S("b", underline=True)]]),
        ("\n\n  lead\n", [[S("  lead")]]),
    ],
)
def test_parse_examples(source, expected):
    assert markup.parse(source) == expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("a _b", "`_` (underline) opened at line 1, column 3 is never closed"),
        ("x\n**y", "`**` (emphasis) opened at line 2, column 1"),
        ("{z}", "unknown markup '{z}'"),
        ("=={purple}x==", "unknown highlight colour 'purple'"),
        ("~{0.3}x~", "is not a point size"),
        ("{shade}x", "needs a colour"),
        ("{/shade}", "closes no shading"),
        ("==a=={cyan}", "unknown markup '{cyan}'"),
    ],
)
def test_parse_errors_say_where(source, fragment):
    with pytest.raises(MarkupError) as e:
        markup.parse(source)
    assert fragment in str(e.value)


def test_render_reads_naturally():
    body = markup.parse("The _alliance is ==unlikely==_ and **never** formal.")
    assert markup.render(body) == "The _alliance is ==unlikely==_ and **never** formal."
    assert markup.render(body, default_highlight="cyan") == (
        "The _alliance is =={yellow}unlikely==_ and **never** formal."
    )


def test_toml_body_uses_the_most_common_colour_as_plain_equals():
    from evcards.core.models import new_card

    card = new_card(body=markup.parse("=={cyan}a long stretch== =={green}b=="))
    text = cardfile.dumps(card)
    assert 'highlight = "cyan"' in text
    assert "==a long stretch== =={green}b==" in text
    assert cardfile.loads(text) == card


_COLOURS = (
    "use one of Word's: yellow, green, cyan, magenta, blue, red, darkBlue, darkCyan, darkGreen,"
    " darkMagenta, darkRed, darkYellow, darkGray, lightGray, black, white"
)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{z}", "unknown markup '{z}' at line 1, column 1; write \\{ for a literal brace"),
        (
            "a _b",
            "`_` (underline) opened at line 1, column 3 is never closed;"
            " close it, or escape a literal character with a backslash",
        ),
        ("=={purple}x==", f"unknown highlight colour 'purple' at line 1, column 1; {_COLOURS}"),
        (
            "~{0.3}x~",
            "size 0.3 at line 1, column 1 is not a point size from 1 to 400 in half points",
        ),
        ("{shade}x", "`{shade}` at line 1, column 1 needs a colour: {shade:D9D9D9}"),
        ("{/shade}", "`{/shade}` at line 1, column 1 closes no shading"),
        (
            "{shade:aaaaaa}{shade:aaaaaa}",
            "shading opened again at line 1, column 15 before `{/shade}`",
        ),
        ("{/b}", "`{/b}` at line 1, column 1: write {b} to both open and close it"),
        ("x\n{i:aaaaaa}", "`{i:aaaaaa}` at line 2, column 1: write {i} to both open and close it"),
    ],
)
def test_parse_error_messages_are_exact(source, message):
    """Users and the TOML loader's line arithmetic read these messages: they stay as they are."""
    with pytest.raises(MarkupError) as e:
        markup.parse(source)
    assert str(e.value) == message
