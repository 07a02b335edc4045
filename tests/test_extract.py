"""The fast index reader agrees exactly with the full card parser."""

from __future__ import annotations

import tomllib

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.core import markup
from evcards.core.models import Cite, Span, new_card
from evcards.errors import InvalidCard, MarkupError
from evcards.index.facts import (
    NotPlain,
    body_text,
    extract,
    facts_from_card,
    facts_from_dict,
    loads_card_toml,
)
from evcards.store import cardfile

_text = st.text(
    alphabet=st.sampled_from(list("ab c_*=~{}\\\t.") + ["é", "¶", " ", "\x1c"]),
    min_size=0,
    max_size=12,
)
_span = st.builds(
    Span,
    text=_text.filter(lambda t: "\x1c" not in t),
    underline=st.booleans(),
    emphasis=st.booleans(),
    highlight=st.sampled_from([None, "yellow", "cyan", "darkGray"]),
    size=st.sampled_from([None, 8.0, 6.5]),
    bold=st.booleans(),
    box=st.booleans(),
    shading=st.sampled_from([None, "D9D9D9"]),
)
_PIECES = [*"ab _*=~{}\\\n", "{b}", "=={cyan}", "~{6}", "{shade:D9D9D9}", "{/shade}", "{box}"]
_PIECES += ["=={pink}", "~{0}", "\x01", "\n\n", " \n \n", "=={b}", "=={i}", "~{8}", "=={box}"]
_body = st.lists(st.lists(_span, max_size=6), max_size=4)


@settings(max_examples=examples(300), deadline=None)
@given(
    body=_body,
    tag=st.text(alphabet="ab 1", max_size=8),
    short=st.sampled_from(["", "Meick 18", "RM 6/14", "Lee 1999", "Kim 7"]),
    full=st.sampled_from(["", "Lee, prof, 2015, accessed 2020", "x acc. 2019", "n.d."]),
)
def test_fast_reader_agrees_with_the_model(
    body: list[list[Span]], tag: str, short: str, full: str
) -> None:
    card = new_card(tag=tag, body=body, cite=Cite(short=short, full=full), labels=["aff"])
    raw = cardfile.dumps(card).encode()
    # facts_from_dict is the fast path itself: no fallback to the full parser hides a mismatch
    fast = facts_from_dict(loads_card_toml(raw.decode()))
    assert fast == facts_from_card(cardfile.loads(raw.decode()))
    assert extract(raw) == fast


@settings(max_examples=examples(300), deadline=None)
@given(text=st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_fast_reader_rejects_what_the_parser_rejects(text: str) -> None:
    try:
        parsed = markup.parse(text)
    except (MarkupError, ValueError):
        with pytest.raises(NotPlain):
            body_text(text)
        return
    card = new_card(body=parsed)
    got = body_text(text)
    assert (got.text, got.underlined, got.spoken, got.has_highlight) == (
        card.text,
        card.underlined,
        card.spoken,
        card.has_highlight,
    )


def test_an_invalid_file_raises_invalid_card() -> None:
    with pytest.raises(InvalidCard):
        extract(b'id = "0123456789abcdef"\n[body]\ntext = "_open"\n')
    with pytest.raises(InvalidCard):
        extract(b"not = [toml")


# -- the fast TOML reader ---------------------------------------------------------------------
_any_text = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3)
    | st.sampled_from(['"', "\\", "\n", '"""', "\\n", "\t", "\x7f", "\x01", "#", "]", " }, {"]),
    max_size=8,
).map("".join)
_card_like = st.fixed_dictionaries(
    {"id": st.just("0123456789abcdef"), "tag": _any_text},
    optional={
        "labels": st.lists(st.sampled_from(["aff", "neg", "k"]), max_size=3),
        "sources": st.lists(
            st.fixed_dictionaries({"file": _any_text}, optional={"position": st.integers(0, 99)}),
            max_size=3,
        ),
        "cite": st.fixed_dictionaries({"short": _any_text}, optional={"full": _any_text}),
        "body": st.fixed_dictionaries({"text": _any_text.map(lambda t: t + "\n")}),
    },
)


@settings(max_examples=examples(400), deadline=None)
@given(data=_card_like)
def test_fast_toml_reads_what_tomli_w_writes(data: dict) -> None:
    import tomli_w

    text = tomli_w.dumps(data, multiline_strings=True)
    expected = tomllib.loads(text)
    try:
        got = loads_card_toml(text)
    except NotPlain:
        return  # the caller falls back to tomllib
    assert got == expected


_TOML_PIECES = [
    'id = "x"\n',
    "tag = ",
    '"a\\"b"',
    '"\\q"',
    '"\\u00e9"',
    '"\\ud800"',
    "\n",
    "[cite]\n",
    "[[sources]]\n",
    "sources = [\n",
    '    "aff",\n',
    '    { file = "f", position = 1 },\n',
    "    { file = 1, },\n",
    "]\n",
    'text = """\n',
    '"""\n',
    '"""',
    '""""',
    "x\\\n  y",
    "\\\\",
    "# note\n",
    " # c\n",
    "key = 12\n",
    "key = 012\n",
    "labels = []\n",
    "\r\n",
    "\t",
    "\x01",
    "[body]\n",
    "[cite]\n",
    'full = "a"\n',
    "= ",
    "'lit'",
    "a.b = 1\n",
]


@settings(max_examples=examples(600), deadline=None)
@given(text=st.lists(st.sampled_from(_TOML_PIECES), max_size=14).map("".join))
def test_fast_toml_never_disagrees_with_tomllib(text: str) -> None:
    try:
        got = loads_card_toml(text)
    except NotPlain:
        return
    assert got == tomllib.loads(text)  # raises if the fast reader accepted invalid TOML
