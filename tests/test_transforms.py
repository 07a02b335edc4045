"""Verbatim's helpers as pure functions: properties, and the `evcards fix` command."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from evcards.cli import app
from evcards.core import transforms
from evcards.core.models import HIGHLIGHT_COLORS, Span, new_card, normalize_body
from evcards.store import cardfile
from tests.conftest import snapshot

texts = st.text(alphabet=st.sampled_from(list("ab cD,.¶")), min_size=1, max_size=12)
spans = st.builds(
    Span,
    text=texts,
    underline=st.booleans(),
    emphasis=st.booleans(),
    highlight=st.none() | st.sampled_from(HIGHLIGHT_COLORS),
    size=st.none() | st.sampled_from([4.0, 8.0, 11.0, 14.0]),
)
bodies = st.lists(st.lists(spans, min_size=1, max_size=5), max_size=5).map(normalize_body)


def words(body):
    return " ".join("".join(s.text for s in p) for p in body).split()


def chars(body, keep=lambda s: True):
    return [(c, s.marks()) for p in body for s in p if keep(s) for c in s.text]


@given(bodies, st.booleans())
def test_condense_keeps_every_word_in_one_paragraph(body, pilcrows):
    out = transforms.condense(body, pilcrows)
    assert len(out) <= 1
    got = [w for w in words(out) if not (pilcrows and w == "¶")]
    want = [w for w in words(body) if not (pilcrows and w == "¶")]
    assert got == want
    if pilcrows and len(body) > 1:
        assert words(out).count("¶") == words(body).count("¶") + len(body) - 1


@given(bodies)
def test_shrink_never_touches_underlined_or_highlighted_text(body):
    out = transforms.shrink(body)
    read = lambda s: s.is_underlined or s.highlight is not None  # noqa: E731
    assert chars(out, read) == chars(body, read)
    assert "".join(c for c, _ in chars(out)) == "".join(c for c, _ in chars(body))
    for para in out:
        for s in para:
            if not read(s):
                assert s.size is not None and s.size <= 8.0


@given(bodies)
def test_underline_off_keeps_text_and_highlighted_underline(body):
    out = transforms.unhighlighted_underline_off(body)
    assert [(c) for c, _ in chars(out)] == [c for c, _ in chars(body)]
    assert not any(s.underline and not s.highlight for p in out for s in p)
    hl = lambda s: s.highlight is not None  # noqa: E731
    assert chars(out, hl) == chars(body, hl)


@given(bodies, st.sampled_from(HIGHLIGHT_COLORS))
def test_standardize_leaves_text_and_extent_unchanged(body, color):
    out = transforms.standardize_highlight(body, color)
    assert [c for c, _ in chars(out)] == [c for c, _ in chars(body)]
    before = [m[3] is not None for _, m in chars(body)]
    after = [m[3] is not None for _, m in chars(out)]
    assert before == after
    assert {s.highlight for p in out for s in p if s.highlight} <= {color}


def test_condense_joins_paragraphs_with_one_space_or_pilcrow():
    body = [[Span(text="One. ")], [Span(text=" Two", underline=True)], [Span(text="Three")]]
    assert transforms.condense(body) == [
        [Span(text="One. "), Span(text="Two", underline=True), Span(text=" Three")]
    ]
    assert "".join(s.text for s in transforms.condense(body, pilcrows=True)[0]) == (
        "One. ¶ Two ¶ Three"
    )


def _card(lib, markup_text, highlight="yellow"):
    from evcards.core.markup import parse

    card = new_card(tag="T", body=parse(markup_text, highlight))
    with lib.lock():
        return lib.add(card).card


def test_fix_command_applies_helpers_and_keeps_the_id(runner, lib):
    card = _card(lib, "_Under ==read==_ and plain\n\n=={green}green== more")
    result = runner.invoke(
        app,
        [
            "fix",
            card.id[:6],
            "--condense",
            "--pilcrows",
            "--unhighlighted-underline-off",
            "--shrink",
            "--highlight-color",
            "Cyan",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "fixed (condense with pilcrows" in result.output
    [(path, fixed)] = list(lib.cards())
    assert fixed.id == card.id
    assert "body" in cardfile.card_to_dict(fixed)
    text = cardfile.dumps(fixed)
    assert 'highlight = "cyan"' in text
    assert "~Under ~_==read==_~ and plain ¶ ~==green==~ more~" in text


def test_fix_rejects_nothing_to_do_and_unknown_cards_without_writing(runner, lib):
    card = _card(lib, "_a_ b")
    before = snapshot(lib.root)
    result = runner.invoke(app, ["fix", card.id])
    assert result.exit_code == 2
    result = runner.invoke(app, ["fix", card.id, "ffff", "--shrink"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no card with id 'ffff'")
    result = runner.invoke(app, ["fix", card.id, "--highlight-color", "teal"])
    assert result.exit_code == 2
    assert snapshot(lib.root) == before


def test_fix_reports_unchanged(runner, lib):
    card = _card(lib, "_all underlined_")
    result = runner.invoke(app, ["fix", card.id, "--shrink"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("unchanged")
