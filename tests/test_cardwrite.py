"""The hand-written card TOML (store/cardwrite.toml_text) is tomli-w's, byte for byte, on
hostile strings (quotes, backslashes, every control character, line breaks, unicode, the
TOML's own syntax), and it writes the shapes a card has itself rather than leaving them
to tomli-w. tests/test_cardfile.py and test_docx_corpus.py check `cardfile.dumps` against
tomli-w on generated and corpus cards; this checks the DebateSum rows as well."""

from __future__ import annotations

import tomllib

import pytest
import tomli_w
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.store.cardwrite import string, toml_text

_hostile = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=4)
    | st.sampled_from(['"', "\\", "\n", "\r\n", "\r", '"""', "\\n", "\t", "\x7f", "\x00"])
    | st.sampled_from(["\x08", "\x0c", "\x1b", "#", "]", " }, {", "'", "é", "\u2028", "😀"]),
    max_size=10,
).map("".join)
_sources = st.lists(
    st.fixed_dictionaries({"file": _hostile}, optional={"position": st.integers(0, 10**9)}),
    max_size=3,
)
_card_data = st.fixed_dictionaries(
    {"id": st.just("0123456789abcdef"), "tag": _hostile},
    optional={
        "kind": st.just("analytic"),
        "labels": st.lists(_hostile, min_size=1, max_size=3),
        "undertag": _hostile,
        "cite": st.dictionaries(st.sampled_from(["short", "full", "author", "date"]), _hostile),
        "location": st.dictionaries(st.sampled_from(["pocket", "hat", "block"]), _hostile),
        "sources": _sources,
        "body": st.fixed_dictionaries(
            {"text": _hostile.map(lambda t: t + "\n")}, optional={"highlight": _hostile}
        ),
    },
)


@settings(max_examples=examples(2000), deadline=None)
@given(_card_data)
def test_toml_text_is_tomli_ws_output(data: dict) -> None:
    expected = tomli_w.dumps(data, multiline_strings=True)
    got = toml_text(data)
    if got is None:  # only a sighting tomli-w would not write inline is left to it
        assert "[[sources]]" in expected
        return
    assert got == expected
    assert tomllib.loads(got) == tomllib.loads(expected)


@settings(max_examples=examples(2000), deadline=None)
@given(_hostile)
def test_each_string_is_escaped_as_tomli_w_escapes_it(s: str) -> None:
    assert string(s) == tomli_w.dumps({"s": s}, multiline_strings=True)[4:-1]


def test_the_shapes_a_card_has_are_written_here() -> None:
    data = {
        "id": "0123456789abcdef",
        "tag": 'a "tag" \\ with\ttab',
        "labels": ["aff", "k"],
        "undertag": "two\nlines",
        "cite": {"short": "Smith 21", "full": "Smith 21 [Jo Smith, \x01 prof]"},
        "location": {"pocket": "1AC"},
        "sources": [{"file": "a.csv", "position": 3}, {"file": "b.csv"}],
        "body": {"highlight": "cyan", "text": '==x== \\\\ """\n'},
    }
    assert toml_text(data) == tomli_w.dumps(data, multiline_strings=True)
    assert toml_text({"id": "x", "n": True}) is None  # not a card's: left to tomli-w
    assert toml_text({"id": "x", "sources": [{"file": "f" * 100}]}) is None


def test_debatesum_cards_are_written_as_tomli_w_writes_them(corpus) -> None:
    from itertools import islice

    from evcards.formats.rowstream import DatasetRow, read_dataset
    from evcards.store import cardfile

    files = sorted((corpus / "debatesum").glob("*.jsonl*")) or pytest.skip("no DebateSum")
    rows = [r for r in islice(read_dataset(files[:1]), 1000) if isinstance(r, DatasetRow)]
    assert len(rows) > 500
    for item in rows:
        assert cardfile.dumps(item.card) == cardfile.dumps_reference(item.card)
