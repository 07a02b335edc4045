"""`store.cardhead.card_of_head` (a card file's head as a Card, no pydantic validation)
against the model's validation: the same Card, fields set included, wherever it gives one;
the cards evcards writes it always reads; hostile heads it leaves to the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from strategies import cards

from evcards.core.models import Card
from evcards.store import cardfile
from evcards.store.cardhead import card_of_head
from evcards.store.cardtoml import loads_card_toml

REPO = Path(__file__).resolve().parents[1]


def head_data(text: str) -> dict[str, Any]:
    head, _ = cardfile.split_body(text)
    return loads_card_toml(head)


def reference(data: dict[str, Any]) -> Card | None:
    try:
        return Card.model_validate({**data, "body": []})
    except ValidationError:
        return None


def assert_same(fast: Card, ref: Card) -> None:
    assert fast == ref
    assert fast.model_dump() == ref.model_dump()
    assert fast.model_fields_set == ref.model_fields_set
    for name in ("cite", "location"):
        assert getattr(fast, name).model_fields_set == getattr(ref, name).model_fields_set
    assert [s.model_fields_set for s in fast.sources] == [s.model_fields_set for s in ref.sources]


@settings(max_examples=examples(300), deadline=None)
@given(cards())
def test_every_written_card_is_read_as_the_model_reads_it(card):
    data = head_data(cardfile.dumps(card))
    fast, ref = card_of_head(data), reference(data)
    assert fast is not None and ref is not None
    assert_same(fast, ref)


def test_the_bundled_cards():
    for path in sorted((REPO / "cards").glob("[!.]*.toml")):
        data = head_data(path.read_text(encoding="utf-8"))
        fast, ref = card_of_head(data), reference(data)
        assert fast is not None and ref is not None, path
        assert_same(fast, ref)


_scalars = st.one_of(
    st.text(st.sampled_from(list("ab0f9 \n\t\x01\x7fNeg-._+")), max_size=18),
    st.integers(-2, 2),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, max_value=3, min_value=-3),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "file",
                    "position",
                    "short",
                    "full",
                    "author",
                    "pocket",
                    "hat",
                    "block",
                    "quals",
                    "date",
                    "x",
                ]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
_keys = st.sampled_from(
    ["id", "tag", "kind", "cite", "undertag", "location", "labels", "sources", "body", "extra"]
)
_good = {
    "id": "0123456789abcdef",
    "tag": "A tag",
    "cite": {"short": "Au 20", "full": "Au 20, a source", "author": ""},
    "location": {"pocket": "1NC"},
    "labels": ["neg", "aff"],
    "sources": [{"file": "a.docx", "position": 3}, {"file": "b.docx"}],
}


@settings(max_examples=examples(600), deadline=None)
@given(st.dictionaries(_keys, _values, max_size=4), st.booleans())
def test_a_hostile_head_is_the_models_or_none(changes, from_good):
    data = {**_good, **changes} if from_good else changes
    fast, ref = card_of_head(data), reference(data)
    if fast is not None:
        assert ref is not None, data
        assert_same(fast, ref)


def test_the_good_head_and_its_near_misses():
    fast = card_of_head(_good)
    assert fast is not None and fast.labels == ["aff", "neg"] and fast.cite.author is None
    for bad in (
        {"id": "0123456789abcdeF"},
        {"id": "0123456789abcdef\n"},
        {"tag": "two\nlines"},
        {"kind": "speech"},
        {"labels": ["Neg"]},
        {"sources": [{"file": "a", "position": True}]},
        {"cite": {"short": 1}},
        {"location": {"pocket": "x", "room": "y"}},
        {"body": []},
    ):
        assert card_of_head({**_good, **bad}) is None, bad
