"""The cite parser's fast paths against the parser as it was: on every cite of the corpus the
outputs equal the digests the old parser recorded (tests/cite_golden.py), and on generated
text the fast parser equals the old one put back in place (`cite_reference.reference`),
spans included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cite_golden
import cite_reference
import pytest
from budget import examples
from cite_reference import reference
from hypothesis import given, settings
from hypothesis import strategies as st
from test_citeparse import PIECES

from evcards.core import citedates, citenames, citespans
from evcards.core.citeparse import parse_cite, parse_cite_runs


def _both(parse: Any, given: Any) -> tuple[str, str]:
    fast = parse(given)
    with reference():
        old = parse(given)
    return repr((fast, fast.spans)), repr((old, old.spans))


def test_corpus_cites_equal_the_old_parsers_digests(corpus: Path) -> None:
    recorded = json.loads(cite_golden.GOLDEN.read_text(encoding="utf-8"))
    assert cite_golden.digests(corpus) == recorded


def test_corpus_cites_equal_the_reference_one_by_one(corpus: Path) -> None:
    """Where a digest differs, this names the cite: each parsed by both parsers."""
    assert cite_golden.each_alike(corpus, _both) > 4000


def test_the_reference_is_the_old_parser(corpus: Path) -> None:
    """`reference()` reproduces the recorded digests, so comparing with it means something."""
    recorded = json.loads(cite_golden.GOLDEN.read_text(encoding="utf-8"))
    with reference():
        assert cite_golden.digests(corpus) == recorded


CITE_TEXT = st.lists(PIECES, max_size=30).map("".join)


@settings(max_examples=examples(500), deadline=None)
@given(st.one_of(st.text(), CITE_TEXT))
def test_text_equals_the_reference(text: str) -> None:
    fast, old = _both(parse_cite, text)
    assert fast == old


RUN_TEXT = st.one_of(st.text(max_size=20), st.lists(PIECES, max_size=6).map("".join))


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.tuples(RUN_TEXT, st.booleans(), st.booleans()), max_size=8))
def test_runs_equal_the_reference(runs: list[tuple[str, bool, bool]]) -> None:
    fast, old = _both(parse_cite_runs, runs)
    assert fast == old


PATTERNS = [
    (citespans._CUT, citespans.CUT_REFERENCE),
    (citedates._FULL, citedates.FULL_REFERENCE),
    (citedates._YEAR, citedates.YEAR_REFERENCE),
]


@settings(max_examples=examples(500), deadline=None)
@given(
    st.one_of(st.text(), CITE_TEXT, st.text(alphabet="ſKk1290-/.:–— \n,aAjJsSdDw")),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_fast_patterns_find_what_the_old_ones_find(text: str, pos: int, cut: int) -> None:
    end = max(pos, len(text) - cut)
    for fast, old in PATTERNS:
        found = [m.span() for m in fast.finditer(text, pos, end)]
        assert found == [m.span() for m in old.finditer(text, pos, end)], fast.pattern


NAME_TEXT = st.text(alphabet="aAkKsS_1 .,'’-éſKİı\u212a")


@settings(max_examples=examples(1000), deadline=None)
@given(st.one_of(NAME_TEXT, st.text()), st.one_of(NAME_TEXT, st.text(max_size=4)))
def test_contains_name_equals_the_pattern(text: str, surname: str) -> None:
    """The ASCII route by `str.find` says what the pattern says, on text made of letters
    that case-fold oddly (the Kelvin sign, long s, dotted I) beside ASCII word and non-word
    characters."""
    for surname_ in (surname, surname[:1], surname[1:]):
        want = citenames.contains_name_reference(text, surname_)
        assert citenames.contains_name(text, surname_) == want, (text, surname_)
        if surname_:
            embedded = f"x{text} {surname_.upper()}_ {surname_}"
            want = citenames.contains_name_reference(embedded, surname_)
            assert citenames.contains_name(embedded, surname_) == want


@pytest.mark.parametrize(
    "text",
    [
        "Smith 19 (John Smith, Professor) ank",
        "2019-1 2019 -- 2020 — Sept. 9, 2019 ſep 2018",
        'Meick, Ethan. "Title." Journal, 3-4-2018.',
    ],
)
def test_examples_equal_the_reference(text: str) -> None:
    fast, old = _both(parse_cite, text)
    assert fast == old


@pytest.mark.parametrize("text", ["A.ETAL.A", "Meick et al.Meick", "Chin et al., and Odell", ""])
def test_split_names_equals_the_reference(text: str) -> None:
    # 'et al.' between two words leaves them two words (e709db5), in the reference too.
    assert cite_reference.split_names(text) == citenames.split_names(text)
