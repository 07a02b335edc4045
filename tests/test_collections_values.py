"""A collection card is indexed exactly as the same card in a library: the values a build
works out from the card in memory (`building.row_values`, by `collections.values
.marked_facts`) are the ones its TOML text read back gives (`building.made_from_text`, the
reference: `index.build.text_values`), catalog row, full-text fields and cut keys, on
generated cards, generated caselist rows (tests/odegen.py) and the DebateSum corpus."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
from budget import examples
from collection_data import ode_rows, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cards

from evcards.collections import building
from evcards.collections.values import marked_facts
from evcards.core.models import Card, Cite, Marks, Source
from evcards.formats.rowstream import DatasetRow, read_dataset
from evcards.index.facts import facts_from_card
from evcards.store.cardfile import dumps

_FACTS = ("a.csv", 7, "cx", "A", "hs", 2019, "Some Caselist", "Team", 3)


def _row(card: Card, marked: object = None) -> DatasetRow:
    return DatasetRow(card, *_FACTS[:2], "cx", "A", "hs", 2019, "Some Caselist", "Team", 3, marked)


def _agree(item: DatasetRow) -> None:
    got = building.row_values(item)
    assert got == building.made_from_text(dumps(item.card), _FACTS[:2] + _FACTS[2:])


@settings(max_examples=examples(1500), deadline=None)
@given(cards())
def test_values_from_the_card_are_the_ones_its_text_gives(card: Card) -> None:
    _agree(_row(card))
    found = marked_facts(card, _row(card).body_pairs())
    if found is not None:  # and they are the model's own views
        assert found == facts_from_card(card)


_texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_pairs = st.lists(
    st.tuples(
        _texts,
        st.tuples(st.booleans(), st.booleans(), st.sampled_from([None, "cyan", "yellow"])).map(
            lambda m: Marks(underline=m[0], emphasis=m[1], highlight=m[2])
        ),  # valid marks, as a reader's are: the text is what is hostile
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(_pairs, max_size=3), _texts, _texts)
def test_hostile_text_is_indexed_as_its_file_would_be(body, tag, full) -> None:
    """Text a card model would refuse or a markup round trip would change (control
    characters, line breaks in a span, a blank paragraph, backslashes, markup syntax):
    the same values, or the same BadRow, as the TOML route."""
    from evcards.formats.odecard import built_card

    card = built_card(
        tag=tag,
        kind="card",
        cite=Cite.model_construct(short="X 21", full=full),
        body=body,
        sources=[],
    )
    card = card.model_copy(update={"sources": [Source(file="a.csv", position=7)]})
    _agree(_row(card, body))


def test_caselist_rows_are_indexed_as_their_files_would_be(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ode_rows(300))
    items = [i for i in read_dataset([path]) if isinstance(i, DatasetRow)]
    assert len(items) == 300 and all(i.marked is not None for i in items)
    for item in items:
        assert item.body_pairs() == [[(s.text, s.marks()) for s in p] for p in item.card.body]
        facts = (item.file, item.row, item.event, item.side, item.level, item.year)
        facts += (item.caselist, item.team, item.duplicates)
        assert building.row_values(item) == building.made_from_text(dumps(item.card), facts)


def test_rows_read_without_spans_give_the_same_values(tmp_path: Path) -> None:
    """What a build reads (`spans=False`: the body as pairs only) is the card read with its
    Spans, and is indexed and written the same."""
    path = write_csv(tmp_path / "a.csv", ode_rows(120))
    full = list(read_dataset([path]))
    bare = list(read_dataset([path], spans=False))
    assert len(full) == len(bare) == 120
    for a, b in zip(full, bare, strict=True):
        assert isinstance(a, DatasetRow) and isinstance(b, DatasetRow)
        assert b.card.body == [] and b.marked == a.body_pairs()
        assert b.card == a.card.model_copy(update={"body": []})
        assert building.row_values(b) == building.row_values(a)


def _generated(tmp_path: Path, n: int) -> list[DatasetRow]:
    import odegen

    if not odegen.available():
        pytest.skip("../shared/corpus/debatesum is not present")
    path = tmp_path / "ode.csv"
    odegen.write_csv(path, n)
    return [i for i in read_dataset([path]) if isinstance(i, DatasetRow)]


def _check(items: list[DatasetRow]) -> int:
    """Each row's values both ways; how many the fast route made itself."""
    fast = 0
    for item in items:
        facts = (item.file, item.row, item.event, item.side, item.level, item.year)
        facts += (item.caselist, item.team, item.duplicates)
        assert building.row_values(item) == building.made_from_text(dumps(item.card), facts)
        fast += marked_facts(item.card, item.body_pairs()) is not None
    return fast


def test_generated_caselist_rows_agree(tmp_path: Path) -> None:
    items = _generated(tmp_path, examples(2000))
    assert _check(items) >= 0.95 * len(items)  # the reference is the exception


def test_debatesum_rows_agree(corpus: Path) -> None:
    files = sorted((corpus / "debatesum").glob("*.jsonl*"))
    if not files:
        pytest.skip("no DebateSum file")
    items = [i for i in islice(read_dataset(files[:1]), 1000) if isinstance(i, DatasetRow)]
    assert len(items) > 500
    assert _check(items) >= 0.9 * len(items)
