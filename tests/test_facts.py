"""The index's fast card reader (facts_from_dict, extract) agrees exactly with the full model."""

from __future__ import annotations

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.core.models import Cite, Span, new_card
from evcards.errors import InvalidCard
from evcards.index.facts import extract, facts_from_card, facts_from_dict
from evcards.store import cardfile
from evcards.store.cardtoml import loads_card_toml

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


def test_an_invalid_file_raises_invalid_card() -> None:
    with pytest.raises(InvalidCard):
        extract(b'id = "0123456789abcdef"\n[body]\ntext = "_open"\n')
    with pytest.raises(InvalidCard):
        extract(b"not = [toml")
