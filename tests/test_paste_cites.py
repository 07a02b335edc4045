"""Pasted text told apart by content: which line is the tag, which the cite, which the body.

The corpus test writes every DebateSum card of ../shared/corpus as a paste in three forms
(`SHORT (FULL) ceb`, `SHORT, FULL`, and `SHORT` then `(FULL)`), after its tag and before its
article, and reads each back through the library's reader.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.core.citeparse import parse_cite
from evcards.core.models import Cite, Span, new_card
from evcards.formats.paste import read_text_cards, render_text

_CLOSE = {"(": ")", "[": "]", "<": ">"}


def _unwrapped(rest: str) -> str:
    """The text without the bracket pair that opens it: `(Hal Brands, ...) more` -> `Hal ...`."""
    rest = rest.strip().lstrip(",;:–—- ")
    if rest[:1] not in _CLOSE:
        return rest
    depth = 0
    for k, c in enumerate(rest):
        depth += c == rest[0]
        depth -= c == _CLOSE[rest[0]]
        if depth == 0:
            return f"{rest[1:k]} {rest[k + 1 :]}".strip()
    return rest[1:]


def _split(citation: str) -> tuple[str, str, str | None]:
    """(the short cite as written, the full cite, the short cite read aloud or None): up to
    the end of the parser's leading short cite ('Jocelyn B. Garovoy 3', read 'Garovoy 3'),
    else up to the first comma or bracket (the issue's measure: 'Gonzalez', no year)."""
    p = parse_cite(citation)
    lead = [(a, b) for label, a, b in p.spans if label in ("speech", "short", "given")]
    if p.short and not citation[: lead[0][0]].strip():
        end = max(b for label, _, b in p.spans if label in ("speech", "short"))
        return citation[:end].strip(), _unwrapped(citation[end:]), p.short
    m = re.search(r"[,(\[<]", citation)
    cut = m.start() if m else len(citation)
    return citation[:cut].strip(), _unwrapped(citation[cut:]), None


def test_every_debatesum_card_imports_as_a_paste_in_three_forms(corpus: Path) -> None:
    path = corpus / "debatesum" / "train-DebateSum.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line)["source_sample"] for line in f]
    assert len(rows) == 1000
    wrong = []
    for row in rows:
        tag, body = " ".join(row["Abstract"].split()), row["Full-Document"]
        short, full, said = _split(" ".join(row["Citation"].split()))
        forms = {
            "paren": f"{short} ({full}) ceb",
            "comma": f"{short}, {full}",
            "two": f"{short}\n({full})",
        }
        for form, cite in forms.items():
            [card] = read_text_cards(f"{tag}\n{cite}\n{body}\n", "x.txt")
            # A short cite with no year is one only before a bracket or alone on its line;
            # 'Gonzalez, Professor of Law ...' is the comma form of no short cite at all.
            if said is None:
                ok_short = card.cite.short in ("", short) or cite.startswith(card.cite.short)
            elif form == "comma" and not re.search(r"\d", said):
                # no year ('Richardson'), or none the parser reads before a comma ('Kasnoff ND')
                ok_short = card.cite.short == "" or cite.startswith(card.cite.short)
            else:
                ok_short = card.cite.short == said
            if not (
                card.tag == tag and ok_short and " ".join(card.paragraphs).split() == body.split()
            ):
                wrong.append((form, cite[:60], card.tag[:30], card.cite.short))
    assert not wrong, f"{len(wrong)} of 3000: {wrong[:10]}"


# -- render_text, then the reader: the same cards ------------------------------------------
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéß", min_size=1, max_size=9)
_words = st.lists(_word, min_size=1, max_size=12).map(" ".join)
_sentence = _words.map(lambda s: s[0].upper() + s[1:] + ".")
_name = st.sampled_from(["Meick", "Brands", "Black", "Richardson", "Smith and Jones", "RAND"])
_year = st.sampled_from(["18", "’19", "2021", "6/14", "ND", "9-2-2018"])


@st.composite
def _cites(draw: st.DrawFn) -> Cite:
    if draw(st.booleans()):
        return Cite()
    name, year = draw(_name), draw(_year)
    quals = draw(_words)
    full = (
        f'{name.split()[0]}, {quals}, {year}, "{draw(_words)}," https://example.org/{draw(_word)}'
    )
    initials = draw(st.none() | st.sampled_from(["ank", "ceb", "jd"]))
    fields = parse_cite(f"{name} {year} ({full}) {initials or ''}".strip()).cite_fields()
    fields.update(full=full, initials=initials)
    return Cite.model_validate(fields)


@st.composite
def _paste_cards(draw: st.DrawFn):
    if draw(st.integers(0, 5)) == 0:
        return new_card(tag=draw(_sentence), kind="analytic")
    body = [[Span(text=p)] for p in draw(st.lists(_sentence, min_size=1, max_size=4))]
    return new_card(tag=draw(st.just("") | _sentence), cite=draw(_cites()), body=body)


def _without_sources(cards):
    return [c.model_copy(update={"sources": []}) for c in cards]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(_paste_cards(), min_size=1, max_size=5))
def test_render_text_reads_back_as_the_same_cards(cards) -> None:
    back = read_text_cards(render_text(cards), "x.txt")
    assert back.warnings == []
    assert _without_sources(back) == _without_sources(cards)


def test_a_card_with_no_cite_reads_back_with_none() -> None:
    # It read back with its first paragraph as the cite, or was refused.
    card = new_card(tag="Analysis", body=[[Span(text="First.")], [Span(text="Second.")]])
    text = render_text([card])
    assert text == "Analysis\n(no cite)\nFirst.\nSecond.\n"
    [back] = read_text_cards(text, "x.txt")
    assert (back.tag, back.cite, back.paragraphs, back.id) == (
        "Analysis",
        Cite(),
        ["First.", "Second."],
        card.id,
    )
