"""The stored text of the full-text index: the body and the spoken text, compressed together."""

from __future__ import annotations

import pytest
import tantivy
from hypothesis import given
from hypothesis import strategies as st

from evcards.core.models import Span, new_card
from evcards.index.build import values
from evcards.index.facts import extract
from evcards.index.fulltext import packed, reading, stored_text, unpacked
from evcards.index.schema import IndexDamaged
from evcards.index.search import search
from evcards.index.sync import ensure
from evcards.store.cardfile import dumps
from evcards.store.library import Library

# Lone surrogates too: a card's text is what its file decoded to, and tantivy is never asked
# to hold them, but the stored text must give back whatever it was given.
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=300) | st.text(
    alphabet=st.sampled_from(["a", " ", "\n", "é", "\ud800", "\U0001f600", "\x00"]),
    max_size=50,
)


@given(TEXT, TEXT)
def test_the_stored_text_gives_back_the_body_and_the_spoken_text(body: str, spoken: str) -> None:
    assert unpacked(packed(body, spoken)) == (body, spoken)


def test_the_stored_text_is_compressed() -> None:
    body = " ".join(
        f"Nuclear deterrence in region {i} holds because the costs of war exceed its gains."
        for i in range(60)
    )
    spoken = " ".join(body.split()[::3])
    assert len(packed(body, spoken)) < len(body.encode()) / 4


@pytest.mark.parametrize("blob", [b"", b"not zstd at all", packed("a body", "")[:-2]])
def test_a_stored_text_that_does_not_decompress_is_a_damaged_index(blob: bytes) -> None:
    with pytest.raises(IndexDamaged), reading():
        unpacked(blob)


def test_each_document_stores_its_card_s_body_and_spoken_text(lib: Library) -> None:
    cards = [
        new_card(
            tag=f"walrus {i}",
            body=[
                [Span(text=f"walruses sleep {i} ", underline=True, highlight="cyan")],
                [
                    Span(text="on the ice"),
                    Span(text=" every night", highlight="cyan" if i % 2 == 0 else None),
                ],
            ],
        )
        for i in range(6)
    ] + [new_card(tag="an analytic walrus")]
    for card in cards:
        lib.write(card)
    expected = {}
    for card in cards:
        v = values(extract(dumps(card).encode(), "x"))
        expected[card.id] = (v[19], v[18])
    hits = search(lib.root, "walrus", read=False)
    assert {h.id for h in hits} == set(expected)
    ix = ensure(lib.root, fulltext=True)
    searcher = ix.searcher()
    ids = dict(ix.db.execute("SELECT key, card_id FROM cards").fetchall())
    addresses = [a for _, a in searcher.search(tantivy.Query.all_query(), 100).hits]
    seen = {}
    for key, address in zip(searcher.fast_field_values("key", addresses), addresses, strict=True):
        if key in ids:  # not the generation's document
            doc = searcher.doc(address)
            seen[ids[key]] = (stored_text(doc, False), stored_text(doc, True))
    ix.close()
    assert seen == expected
    spoken = {h.id: h.snippet for h in search(lib.root, "every", read=True)}
    assert set(spoken) == {c.id for c in cards[:6:2]}
