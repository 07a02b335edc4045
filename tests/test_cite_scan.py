"""The cite parser's second round of fast paths (branch `cite6`) against the code before it:
the whole parser on the corpus and on generated text and runs (`cite_reference_scan`), and
each fast piece against its reference on text made of the characters it turns on."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import cite_golden
import cite_reference_scan
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_citeparse import PIECES

from evcards.core import citedates, citemarks, citenames, citespans
from evcards.core.citeparse import parse_cite, parse_cite_runs


def _both(parse: Any, given: Any) -> tuple[str, str]:
    fast = parse(given)
    with cite_reference_scan.reference():
        old = parse(given)
    return repr((fast, fast.spans)), repr((old, old.spans))


def test_the_reference_is_the_old_parser(corpus: Path) -> None:
    """The reference reproduces the digests main's parser recorded, so comparing with it
    means something (the fast parser's own digests are `test_cite_fast`'s)."""
    recorded = json.loads(cite_golden.GOLDEN.read_text(encoding="utf-8"))
    with cite_reference_scan.reference():
        assert cite_golden.digests(corpus) == recorded


def test_corpus_cites_equal_the_reference_one_by_one(corpus: Path) -> None:
    assert cite_golden.each_alike(corpus, _both) > 4000


CITE_TEXT = st.lists(PIECES, max_size=30).map("".join)
# The characters the fast paths turn on: separators and cut marks, digits (an Arabic-Indic
# one), the letters re folds onto ASCII ones, and the words the searches start from.
ODD = st.text(alphabet=" \t\n\u00a0,;:.()[]<>\"“”'’-–—/|*•aAdDhHtTpPwWkKsSiIıİſ\u212a19٣")
WORDS = st.sampled_from(
    [
        "http://",
        "HTTPS://x.y",
        "www.",
        "Date Accessed: ",
        "accessed",
        "DOA",
        "acc.",
        "retrieved",
        "Retrıeved",
        "ſept",
        "Sept 2, 2018",
        "6-14-19",
        "٣-٤-2018",
        ") ank",
        "//MC",
        ", ADL)",
        " - ",
        " -- ",
        "J. ",
        "U.S. ",
        "Dr. ",
        "é",
        "\n",
    ]
)
MIXED = st.lists(st.one_of(PIECES, WORDS, ODD), max_size=25).map("".join)
TEXT = st.one_of(st.text(), CITE_TEXT, MIXED)


@settings(max_examples=examples(600), deadline=None)
@given(TEXT)
def test_text_equals_the_reference(text: str) -> None:
    fast, old = _both(parse_cite, text)
    assert fast == old


RUN_TEXT = st.one_of(
    st.text(max_size=20), st.lists(st.one_of(PIECES, WORDS), max_size=6).map("".join)
)


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.tuples(RUN_TEXT, st.booleans(), st.booleans()), max_size=8))
def test_runs_equal_the_reference(runs: list[tuple[str, bool, bool]]) -> None:
    fast, old = _both(parse_cite_runs, runs)
    assert fast == old


@settings(max_examples=examples(1000), deadline=None)
@given(TEXT, st.integers(0, 40), st.integers(0, 40))
def test_cut_region_equals_the_reference(text: str, pos: int, cut: int) -> None:
    pos = min(pos, len(text))  # a stretch lies in its text
    end = max(pos, len(text) - cut)
    fast: list[citespans.Segment] = []
    old: list[citespans.Segment] = []
    citespans._cut_region(text, pos, end, fast)
    citespans._cut_region_reference(text, pos, end, old)
    assert fast == old


@settings(max_examples=examples(1000), deadline=None)
@given(TEXT, st.integers(0, 40), st.integers(0, 40))
def test_full_spans_equal_the_pattern(text: str, pos: int, cut: int) -> None:
    end = max(pos, len(text) - cut)
    assert citedates.full_spans(text, pos, end) == citedates.full_spans_reference(text, pos, end)


def test_full_spans_keep_the_patterns_odd_cases() -> None:
    """Where `_FULL` and `FULL_REFERENCE` part (an Arabic-Indic digit), `full_spans` is
    `_FULL`'s: the parser's output is main's, not the older pattern's."""
    for text in ("x ٣-٤-2018", "٣-٤-2018", "Sept 2, 2018", "(2018-1-2)", "a/9-2-2018"):
        assert citedates.full_spans(text, 0, len(text)) == citedates.full_spans_reference(
            text, 0, len(text)
        )


@settings(max_examples=examples(1000), deadline=None)
@given(TEXT, st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)), max_size=8))
def test_stretches_are_what_the_taken_map_holds(text: str, takes: list[tuple[int, int]]) -> None:
    spans = citespans.Spans(text)
    old = citespans.ReferenceSpans(text)
    for a, n in takes:
        assert spans.take("x", a, a + n) == old.take("x", a, a + n)
        assert spans._stretches == [m.span() for m in citespans._FREE.finditer(spans._taken)]
        assert spans.frozen() == old.frozen()
        assert spans.segments() == old.segments()
    assert spans.fill_rest() == old.fill_rest()
    assert spans.frozen() == old.frozen()


SEARCHES = [
    (citemarks._URL, ("http", "www.")),
    (citemarks._ACCESSED, ("date", "acc", "retr", "doa")),
]


@settings(max_examples=examples(1000), deadline=None)
@given(TEXT)
def test_searches_start_where_a_match_can(text: str) -> None:
    for pattern, words in SEARCHES:
        start = citemarks.first_of(text, words)
        found = [m.span() for m in pattern.finditer(text)]
        if start is None:
            assert found == []
        else:
            assert [m.span() for m in pattern.finditer(text, start)] == found
    at = citemarks.initials_from(text)
    want = citemarks._INITIALS.search(text)
    got = citemarks._INITIALS.search(text, at)
    assert (got and got.span()) == (want and want.span())


def test_first_of_words_have_no_folded_letters() -> None:
    """first_of is sound only for words without the letters re folds non-ASCII ones onto."""
    folded = {
        c
        for c in "abcdefghijklmnopqrstuvwxyz"
        if any(re.fullmatch(c, chr(k), re.IGNORECASE) for k in range(128, 0x2200))
    } | {"k"}
    for _, words in SEARCHES:
        assert not folded & set("".join(words))


def test_whitespace_is_every_space() -> None:
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert citemarks._WHITESPACE == spaces


NAME_TEXT = st.text(alphabet="aAkKsS_1 .,'’-éſKİı\u212a")


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.one_of(NAME_TEXT, st.text()), st.lists(st.one_of(NAME_TEXT, st.text(max_size=4)), max_size=3)
)
def test_may_contain_name_rules_out_only_what_cannot(text: str, surnames: list[str]) -> None:
    if citenames.may_contain_name(text, surnames):
        return
    for a in range(len(text) + 1):
        for b in range(a, len(text) + 1):
            assert not any(citenames.contains_name(text[a:b], s) for s in surnames)
