"""The fast path for dataset rows (formats/odecard.ode_card, odemarkup.quick_markup) against
its reference (ode_card_reference, dataset.parse_markup): the same cards, generated rows and
the corpus's."""

from __future__ import annotations

import gzip
import json
import random
import sys

import pytest
from budget import examples
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.core.models import HIGHLIGHT_COLORS, Marks, Span
from evcards.errors import InputFileError
from evcards.formats import odecard
from evcards.formats.dataset import parse_markup
from evcards.formats.odemarkup import quick_markup

DEBATESUM = REPO.parent / "shared" / "corpus" / "debatesum" / "train-DebateSum.jsonl.gz"

PIECES = [
    "<p>", "</p>", "<h4>", "</h4>", "<h1>", "</h1>", "<h3>", "<li>", "</div>", "<P>",
    "<u>", "</u>", "<mark>", "</mark>", "<strong>", "</strong>", "<b>", "</b>", "<i>",
    "<em>", "</em>", "<U>", "</STRONG>", "<br>", "<br/>", "<br />", "<p/>", "<u/>", "</br>",
    '<p class="cite">', '<p class="undertag">', '<h4 class="x">', "<span>", "</span>",
    '<mark data-color="cyan">', '<span style="font-size:8pt">', "<!-- note -->", "<script>",
    "&amp;", "&lt;", "&#10;", "&nbsp;", "&", "<", ">", "a < b", "\n", "\r\n", "\r", "\t",
    "\x01", "a", " ", "  ", "word", "Meick 18", "Ethan Meick, analyst", "é",
]  # fmt: skip
# What sends markup to the reference: attributes but class, comments, raw text, a stray <.
OTHER = {'<mark data-color="cyan">', '<span style="font-size:8pt">', "<!-- note -->"}
OTHER |= {"<script>", "<", "a < b", "\x01"}
PLAIN = [p for p in PIECES if p not in OTHER]
plain_markups = st.lists(st.sampled_from(PLAIN), max_size=40).map("".join)
markups = plain_markups | st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _reference(html: str, full: str = "", short: str = "") -> dict:
    found = parse_markup(html, full, short)
    found["body"] = [[(s.text, s.marks()) for s in para] for para in found["body"]]
    return found


@settings(max_examples=examples(1500), deadline=None)
@given(markups, st.sampled_from(["", "Ethan Meick, analyst"]), st.sampled_from(["", "Meick 18"]))
def test_quick_markup_is_parse_markup(html, full, short):
    quick = quick_markup(html, full, short)
    if quick is None:  # read by the reference instead: a tag it does not read, a control char
        assert "<" in html or "\x01" in html
        return
    assert quick == _reference(html, full, short)


@settings(max_examples=examples(500), deadline=None)
@given(plain_markups)
def test_plain_markup_takes_the_quick_path(html):
    found = quick_markup(html)
    assert found is not None and found == _reference(html)


def test_a_plain_card_takes_the_quick_path():
    html = '<h4>Tag</h4><p class="cite"><strong>A 1</strong> x</p><p>a <u>b <mark>c</mark></u></p>'
    found = quick_markup(html)
    assert found is not None and found == _reference(html)
    assert found["body"] == [
        [("a ", Marks()), ("b ", Marks(underline=True)), ("c", Marks(True, highlight="yellow"))]
    ]


def test_a_span_built_quickly_is_a_span():
    for marks in (Marks(), Marks(True, True, True, "cyan", "D9D9D9", True, True, 8.0)):
        quick = odecard._span("text", marks)
        real = Span(text="text", **marks._asdict())
        assert quick == real and real == quick and quick.marks() == marks
        assert quick.model_dump() == real.model_dump() and hash(quick) == hash(real)


rows = st.fixed_dictionaries(
    {
        "tag": st.sampled_from(["", "Alliance unlikely", "a\nb"]),
        "cite": st.sampled_from(["", "Meick 18"]),
        "fullcite": st.sampled_from(["", "Ethan Meick, analyst, 9-2-2018, NI", "Meick 18 (x)"]),
        "markup": markups,
        "fulltext": st.sampled_from(["", "one two three"]),
        "summary": st.sampled_from(["", "two"]),
        "spoken": st.sampled_from(["", "three"]),
        "pocket": st.sampled_from(["", "1NC"]),
        "hat": st.just(""),
        "block": st.sampled_from(["", "Block"]),
    }
)


@settings(max_examples=examples(800), deadline=None)
@given(rows)
def test_ode_card_is_the_reference_card(row):
    _both(row, 7)


def _both(row: dict, n: int):
    try:
        want = odecard.ode_card_reference(row, "f.csv", n)
    except InputFileError as e:
        with pytest.raises(InputFileError) as got:
            odecard.ode_card(row, "f.csv", n)
        assert str(got.value) == str(e)
        return None
    got = odecard.ode_card(row, "f.csv", n)
    assert got == want
    if got is not None:
        assert got.id == want.id and got.model_dump() == want.model_dump()
    return got


@pytest.mark.skipif(not DEBATESUM.exists(), reason="../shared/corpus is absent")
def test_ode_card_is_the_reference_card_on_corpus_rows():
    sys.path.insert(0, str(REPO / "bench"))
    from rowstream_bench import ode_row

    rng = random.Random(3)
    with gzip.open(DEBATESUM, "rt", encoding="utf-8") as f:
        samples = [json.loads(line) for line in f]
    step = 1 if examples(10) >= 10 else 5
    cards = [_both(ode_row(k, samples[k], rng), k) for k in range(0, len(samples), step)]
    assert all(c is not None and c.body for c in cards)


def test_colors_read_back_through_the_reference_path():
    """Markup the quick path leaves alone (attributes) still reads, by the reference."""
    for color in HIGHLIGHT_COLORS[:3]:
        row = {"tag": "t", "markup": f'<p><mark data-color="{color}">lit</mark></p>'}
        card = _both(row, 1)
        assert card is not None and card.body[0][0].highlight == color


@settings(max_examples=examples(400), deadline=None)
@given(
    st.lists(st.sampled_from(["a", " ", "\n", "\r\n", "\x01", "é", "b"]), max_size=30).map("".join),
    st.lists(st.tuples(st.integers(-2, 32), st.integers(-2, 32)), max_size=5),
    st.sampled_from(["", "T"]),
)
def test_a_debatesum_card_built_quickly_is_the_reference(document, spans, tag):
    from evcards.formats.debatesum import card_of

    row = {"Full-Document": document, "Abstract": tag, "Citation": ""}
    quick = card_of(row, "d.jsonl", 1, spans, cites=False)
    assert quick == card_of(row, "d.jsonl", 1, spans, cites=False, quick=False)


@pytest.mark.skipif(not DEBATESUM.exists(), reason="../shared/corpus is absent")
def test_the_corpus_debatesum_cards_built_quickly_are_the_reference():
    from evcards.formats.debatesum import card_of, wrapped_spans

    with gzip.open(DEBATESUM, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][:: 1 if examples(10) >= 10 else 10]
    for n, row in enumerate(rows):
        spans = wrapped_spans(row, "x")
        quick = card_of(row["source_sample"], "d", n, spans)
        assert quick == card_of(row["source_sample"], "d", n, spans, quick=False)
        assert quick is not None and quick.id == card_of(row["source_sample"], "d", n, spans).id
