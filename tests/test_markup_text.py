"""The fast markup reader (core/markup_text.body_text) agrees with markup.parse and the model."""

from __future__ import annotations

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.core import markup
from evcards.core.markup_text import NotPlain, body_text
from evcards.core.models import new_card
from evcards.errors import MarkupError

_PIECES = [*"ab _*=~{}\\\n", "{b}", "=={cyan}", "~{6}", "{shade:D9D9D9}", "{/shade}", "{box}"]
_PIECES += ["=={pink}", "~{0}", "\x01", "\n\n", " \n \n", "=={b}", "=={i}", "~{8}", "=={box}"]


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
