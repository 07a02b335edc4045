"""The fast markup reader (core/markup_text.body_text) agrees with markup.parse and the model:
on every body the model allows, on mistyped markup, and on every card of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import any_markup, raw_bodies

from evcards.core import markup
from evcards.core.markup_text import BodyText, NotPlain, body_text
from evcards.core.models import HIGHLIGHT_COLORS, Card, Span, new_card, normalize_body
from evcards.errors import MarkupError
from tests.conftest import CORPUS


def derived(card: Card) -> BodyText:
    """What body_text must give: the model's own derived text."""
    return BodyText(card.text, card.underlined, card.spoken, card.has_highlight)


@settings(max_examples=examples(300), deadline=None)
@given(text=any_markup)
def test_fast_reader_rejects_what_the_parser_rejects(text: str) -> None:
    try:
        parsed = markup.parse(text)
    except (MarkupError, ValueError):
        with pytest.raises(NotPlain):
            body_text(text)
        return
    assert body_text(text) == derived(new_card(body=parsed))


@settings(max_examples=examples(1000), deadline=None)
@given(raw_bodies, st.sampled_from(HIGHLIGHT_COLORS))
def test_fast_reader_agrees_on_every_body_the_model_allows(
    body: list[list[Span]], default: str
) -> None:
    body = normalize_body(body)
    text = markup.render(body, default_highlight=default)
    assert body_text(text) == derived(new_card(body=body))


def _docx_files() -> list[str]:
    folder = CORPUS / "docx"
    return sorted(p.name for p in folder.glob("*.docx")) if folder.is_dir() else ["(absent)"]


@pytest.mark.parametrize("name", _docx_files())
def test_fast_reader_agrees_on_the_corpus(name: str, corpus: Path) -> None:
    from evcards.formats.docx.read import parse_docx

    for card in parse_docx(corpus / "docx" / name):
        for default in ("yellow", "cyan"):
            text = markup.render(card.body, default_highlight=default)
            assert body_text(text) == derived(card), (card.id, default)
