"""The index's fast card reader (facts_from_dict, extract) agrees exactly with the full model
(facts_from_card over cardfile.loads): on generated cards, on the corpus, and on card data the
model rejects, which the fast reader must refuse (NotPlain) rather than index."""

from __future__ import annotations

from pathlib import Path

import pytest
from budget import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import cards

from evcards.core.markup_text import NotPlain
from evcards.core.models import Card, Cite, Span, new_card
from evcards.errors import InvalidCard
from evcards.index.facts import (
    dupkey_of,
    extract,
    facts_from_card,
    facts_from_dict,
    quick_dupkey,
)
from evcards.store import cardfile
from evcards.store.cardtoml import loads_card_toml
from tests.conftest import CORPUS

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
_body = st.lists(st.lists(_span, max_size=6), max_size=4)


@settings(max_examples=examples(300), deadline=None)
@given(
    body=_body,
    tag=st.text(alphabet="ab 1", max_size=8),
    short=st.sampled_from(
        ["", "Meick 18", "RM 6/14", "Lee 1999", "Kim 7", "1AC Alford 18", "Smith & Jones 19"]
    ),
    full=st.sampled_from(["", "Lee, prof, 2015, accessed 2020", "x acc. 2019", "n.d."]),
    # author_names (what --author matches) is read from the author and the short cite
    author=st.sampled_from([None, "Ethan Meick", "Emma", "Ann Jones and John Smith", "Mbembé"]),
)
def test_fast_reader_agrees_with_the_model(
    body: list[list[Span]], tag: str, short: str, full: str, author: str | None
) -> None:
    cite = Cite(short=short, full=full, author=author)
    card = new_card(tag=tag, body=body, cite=cite, labels=["aff"])
    raw = cardfile.dumps(card).encode()
    # facts_from_dict is the fast path itself: no fallback to the full parser hides a mismatch
    fast = facts_from_dict(loads_card_toml(raw.decode()))
    assert fast == facts_from_card(cardfile.loads(raw.decode()))
    assert extract(raw) == fast


def test_an_invalid_file_raises_invalid_card() -> None:
    with pytest.raises(InvalidCard):
        extract(b'id = "0123456789abcdef"\n[body]\ntext = "_open"\n')
    with pytest.raises(InvalidCard):
        extract(b"not = [toml")


@settings(max_examples=examples(1000), deadline=None)
@given(cards())
def test_fast_facts_agree_on_every_card_the_model_allows(card: Card) -> None:
    text = cardfile.dumps(card)
    fast = facts_from_dict(loads_card_toml(text))  # no NotPlain: every such card is fast
    assert fast == facts_from_card(card) == facts_from_card(cardfile.loads(text))


def _docx_files() -> list[str]:
    folder = CORPUS / "docx"
    return sorted(p.name for p in folder.glob("*.docx")) if folder.is_dir() else ["(absent)"]


@pytest.mark.parametrize("name", _docx_files())
def test_fast_facts_agree_on_the_corpus(name: str, corpus: Path) -> None:
    from evcards.formats.docx.read import parse_docx

    for card in parse_docx(corpus / "docx" / name):
        raw = cardfile.dumps(card).encode()
        assert facts_from_dict(loads_card_toml(raw.decode())) == facts_from_card(card), card.id
        assert extract(raw) == facts_from_card(card)


_odd_values = st.sampled_from(
    [3, None, True, [], {}, ["x"], "a\nb", "\x01", "", "no spaces", "pink"]
)


@st.composite
def _mistyped(draw: st.DrawFn) -> dict:
    """A card's TOML data with one field changed to a value or key the model may refuse."""
    data = cardfile.card_to_dict(draw(cards()))
    tables = [data] + [v for v in data.values() if isinstance(v, dict)]
    tables += [s for s in data.get("sources", []) if isinstance(s, dict)]
    table = draw(st.sampled_from(tables))
    keys = sorted(table) + ["extra", "undertag", "pocket", "position", "highlight", "kind"]
    table[draw(st.sampled_from(keys))] = draw(_odd_values)
    return data


@settings(max_examples=examples(1000), deadline=None)
@given(_mistyped())
def test_fast_facts_refuse_what_the_model_rejects(data: dict) -> None:
    try:
        fast = facts_from_dict(data)
    except NotPlain:
        return  # extract then asks the full parser, which judges the file
    assert fast == facts_from_card(cardfile.card_from_dict(data))  # raises if the model rejects


# Text that tests what NFC and whitespace can do to each other: combining marks that compose
# (e + U+0301) or reorder, after and before every kind of whitespace, and characters NFC
# changes (U+2000 is U+2002 in NFC, U+212B the letter Å, U+0344 two marks).
_nfc_text = st.text(
    alphabet=st.sampled_from(
        list("ae \n\t\u00a0\u2000\u2001\u3000\u0301\u0323\u0344\u212b\u1100\u1161\u00e9\u0085x")
    ),
    max_size=16,
)


@settings(max_examples=examples(2000), deadline=None)
@given(text=_nfc_text, underlined=_nfc_text, spoken=_nfc_text)
def test_quick_dupkey_agrees_with_the_reference(text: str, underlined: str, spoken: str) -> None:
    def normal(s: str) -> str:
        return " ".join(s.split())

    assume(text == "" or not text.isspace())  # a body's text has no blank paragraph

    got = quick_dupkey("0123456789abcdef", normal(text), normal(underlined), normal(spoken))
    assert got == dupkey_of("0123456789abcdef", text, underlined, spoken)
