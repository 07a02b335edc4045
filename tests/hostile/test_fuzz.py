"""Fuzzing the parsers with hypothesis: they raise our own errors or succeed, nothing else.

CI runs a small budget; `EVCARDS_FUZZ_EXAMPLES=100000 pytest tests/hostile/test_fuzz.py` runs
a large one by hand.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evcards import cardfile, markup
from evcards.errors import EvcardsError, InvalidCard, MarkupError
from evcards.text_import import decode, parse_text_cards

BUDGET = int(os.environ.get("EVCARDS_FUZZ_EXAMPLES", "1500"))
FUZZ = settings(max_examples=BUDGET, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    *"_*=~{}\\/:abAB09 .\n\t[]…¶",
    "{b}",
    "{i}",
    "{box}",
    "{shade:",
    "=={cyan}",
    "~{6}",
    "{/shade}",
    "==",
    "**",
    "D9D9D9}",
    "\n\n",
]
markupish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@FUZZ
@given(st.one_of(markupish, st.text(max_size=80)))
def test_markup_parser_fuzz(text):
    try:
        body = markup.parse(text)
    except MarkupError as e:
        assert "line" in str(e)
        return
    # Whatever parses renders back to markup that parses to the same body.
    assert markup.parse(markup.render(body)) == body


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_text_importer_fuzz(raw):
    try:
        cards = parse_text_cards(decode(raw, "fuzz.txt"), "fuzz.txt")
    except EvcardsError:
        return
    for card in cards:
        assert cardfile.loads(cardfile.dumps(card)) == card


cite_lines = st.builds(
    lambda short, full, ini, body: f"{short} ({full}) {ini}\n{body}",
    st.text(max_size=20),
    st.text(max_size=60),
    st.text(max_size=5),
    st.text(max_size=80),
)


@FUZZ
@given(cite_lines)
def test_text_importer_fuzz_near_valid(text):
    try:
        cards = parse_text_cards(text, "fuzz.txt")
    except EvcardsError:
        return
    assert all(c.cite.short or c.kind == "analytic" for c in cards)  # a lone line: analytic


@FUZZ
@given(st.text(max_size=200))
def test_card_file_fuzz(text):
    try:
        cardfile.loads('id = "0123456789abcdef"\n' + text, "fuzz.toml")
    except InvalidCard:
        pass
