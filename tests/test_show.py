"""`show`'s fast reader (showing.shown_from_text) against the model's route
(shown_from_card over cardfile.loads): the same ShownCard for every file it reads, on
generated cards and the corpus, and None (the model's route, and its error) for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cards, labels

from evcards.cli import app
from evcards.core.models import Card, Cite, Location, Source, Span, new_card
from evcards.errors import InvalidCard
from evcards.showing import read_shown, shown_from_card, shown_from_text
from evcards.store import cardfile
from evcards.store.library import Library
from tests.conftest import CORPUS


def agrees(text: str) -> bool:
    """Whether the fast reader read `text` (True) or left it to the model (False); it must
    never give anything but the model's card, nor read a file the model refuses."""
    fast = shown_from_text(text)
    try:
        card = cardfile.loads(text)
    except InvalidCard:
        assert fast is None
        return False
    assert fast is None or fast == shown_from_card(card)
    return fast is not None


@settings(max_examples=examples(500), deadline=None)
@given(cards())
def test_any_card_reads_as_the_model_reads_it(card: Card) -> None:
    agrees(cardfile.dumps(card))


# Bodies with every mark the quick cut takes (no escape, no shading): these it must read.
_plain_text = st.text(st.sampled_from(list("ab c.,'é¶—") + ["中", " "]), min_size=1, max_size=10)
_spans = st.builds(
    Span,
    text=_plain_text,
    underline=st.booleans(),
    emphasis=st.booleans(),
    box=st.booleans(),
    highlight=st.sampled_from([None, "yellow", "cyan", "darkGray"]),
    size=st.sampled_from([None, 8.0, 6.5, 11.0]),
    bold=st.booleans(),
    italic=st.booleans(),
)


@settings(max_examples=examples(500), deadline=None)
@given(
    body=st.lists(st.lists(_spans, max_size=6), max_size=4),
    tag=_plain_text,
    short=st.sampled_from(["", "Meick 18", "RM 6/14"]),
    initials=st.sampled_from([None, "ank"]),
    labels=labels,
    colour=st.sampled_from([None, "cyan", "darkGray"]),
)
def test_plain_cards_need_no_model(body, tag, short, initials, labels, colour) -> None:
    card = new_card(
        tag=tag,
        body=body,
        kind="card" if body else "analytic",
        cite=Cite(short=short, full="Ethan Meick, 2018" if short else "", initials=initials),
        labels=labels,
        location=Location(pocket="1AC", block="Solvency"),
        sources=[Source(file="a.docx", position=3)],
    )
    assert agrees(cardfile.dumps(card, default_highlight=colour))


def _docx_files() -> list[str]:
    folder = CORPUS / "docx"
    return sorted(p.name for p in folder.glob("*.docx")) if folder.is_dir() else ["(absent)"]


@pytest.mark.parametrize("name", _docx_files())
def test_the_corpus_reads_as_the_model_reads_it(name: str, corpus: Path) -> None:
    from evcards.formats.docx.read import parse_docx

    # 1,201 of the corpus's 1,307 cards take the fast route; bodies with an escaped mark
    # character (`\\*`, `\\_`: 96 of them) and shading go through the model.
    for card in parse_docx(corpus / "docx" / name):
        agrees(cardfile.dumps(card))


_edits = [
    ('tag = "', 'tag = "\\u0001'),  # a control character in the tag
    ("[body]", "[body]\ncolour = 1"),  # an unknown key
    ('highlight = "', 'highlight = "pink'),
    ("==", "=={pink}"),  # a colour Word does not have
    ("_", "~{0}"),  # a size out of range
    ("**", "**_"),  # a mark left open
    ('id = "', 'id = "g'),
    ('kind = "', 'kind = "x'),
    ("\n", "\r\n"),
    ("[cite]", "undertag = 3\n[cite]"),
]


@settings(max_examples=examples(500), deadline=None)
@given(cards(), st.sampled_from(_edits), st.booleans())
def test_edited_files_agree_or_go_to_the_model(card: Card, edit, every: bool) -> None:
    text = cardfile.dumps(card)
    agrees(text.replace(*edit) if every else text.replace(*edit, 1))


def test_show_prints_the_same_by_either_route(lib: Library, runner, monkeypatch) -> None:
    body = [[Span(text="plain "), Span(text="read", highlight="cyan", underline=True)]]
    card = new_card(tag="Walrus tusks", body=body, cite=Cite(short="Doe 20", initials="ank"))
    path = lib.write(card)
    assert read_shown(path) == shown_from_card(card)
    runner.invoke(app, ["list"])  # the index: `show` finds the prefix in the catalog
    fast = runner.invoke(app, ["show", card.id[:6]])
    monkeypatch.setattr("evcards.showing.read_shown", lambda path: None)
    slow = runner.invoke(app, ["show", card.id[:6]])
    assert fast.exit_code == slow.exit_code == 0, fast.output + slow.output
    assert fast.stdout == slow.stdout and "Doe 20" in fast.stdout and "read" in fast.stdout
