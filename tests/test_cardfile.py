"""Card <-> TOML is lossless, and a bad card file is explained, never dumped."""

from __future__ import annotations

import tomllib

import pytest
import tomli_w
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cards

from evcards.core.markup import parse
from evcards.core.models import Card, Source, new_card
from evcards.errors import InvalidCard
from evcards.store import cardfile


@settings(max_examples=examples(2500), deadline=None)
@given(cards())
def test_toml_round_trip(card: Card):
    text = cardfile.dumps(card)
    tomllib.loads(text)  # valid TOML for any other tool, too
    assert cardfile.loads(text) == card


@settings(max_examples=examples(1000), deadline=None)
@given(
    cards(),
    st.text(max_size=30),
    st.lists(st.tuples(st.text(max_size=110), st.none() | st.integers(0, 10**6)), max_size=3),
)
def test_dumps_is_tomli_w_and_split_body_cuts_before_the_body(
    card: Card, undertag: str, sightings: list[tuple[str, int | None]]
) -> None:
    """dumps is tomli-w's output (its body text written faster, byte for byte the same),
    whatever the text: quotes, backslashes, control characters, line breaks, long sightings."""
    sources = [Source(file=f, position=p) for f, p in sightings]
    card = card.model_copy(update={"undertag": undertag, "sources": sources})
    expected = tomli_w.dumps(cardfile.card_to_dict(card), multiline_strings=True)
    assert cardfile.dumps(card) == expected
    # A batch merging a sighting into a card it staged rereads only the part above the body.
    head, body_table = cardfile.split_body(expected)
    assert head + body_table == expected
    assert head == cardfile.dumps(card.model_copy(update={"body": []}))


@settings(max_examples=examples(300), deadline=None)
@given(cards())
def test_json_dump_validates_back(card: Card):
    assert Card.model_validate_json(card.model_dump_json()) == card


def test_file_is_readable_by_a_person():
    from evcards.core.markup import parse
    from evcards.core.models import new_card

    card = new_card(
        tag="Alliance unlikely",
        cite={"short": "Meick 18", "full": "Ethan Meick, Policy Analyst, 9-2-2018"},
        body=parse("they _pursue ==fundamentally different objectives==_\n\nsecond"),
        labels=["neg"],
    )
    text = cardfile.dumps(card)
    assert text.startswith(f'id = "{card.id}"\ntag = "Alliance unlikely"\n')
    assert '[cite]\nshort = "Meick 18"' in text
    # The body is markup on its own lines, last in the file, not a list of spans.
    assert text.endswith(
        '[body]\ntext = """\nthey _pursue ==fundamentally different objectives==_\n\nsecond\n"""\n'
    )


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ('id = "0123456789abcdef"\ncolour = "red"\n', "colour - unknown key"),
        ('id = "0123456789abcdef"\ntag = 3\n', "tag - Input should be a valid string"),
        ('id = "nope"\n', "id - String should match pattern"),
        ('id = "0123456789abcdef"\n[body]\ntext = "_open"\n', "body.text - `_` (underline)"),
        ('id = "0123456789abcdef"\n[body]\ntext = "x"\nhighlight = "puce"\n', "body.highlight"),
        ('id = "0123456789abcdef"\n[body]\ntext = "x"\nfont = 1\n', "body.font - unknown key"),
        ('id = "0123456789abcdef"\n[cite]\nshort = "A"\nyear = 2019\n', "cite.year - unknown key"),
        ('id = "0123456789abcdef"\nlabels = ["no/slash"]\n', "labels.0"),
        ('id = "0123456789abcdef"\nlabels = ["neg", "  "]\n', "labels.1"),
        ('id = "0123456789abcdef"\nkind = "analytic"\n[body]\ntext = "x"\n', "analytic"),
        ("id = \n", "invalid TOML"),
    ],
)
def test_invalid_card_files_are_explained(toml, fragment):
    with pytest.raises(InvalidCard) as e:
        cardfile.loads(toml, "cards/x.toml")
    message = str(e.value)
    assert message.startswith("cards/x.toml: ")
    assert fragment in message
    assert "\n" not in message.strip()
    with pytest.raises(InvalidCard) as marked:  # the pairs reader refuses it the same way
        cardfile.loads_marked(toml, "cards/x.toml")
    assert str(marked.value) == message


@settings(max_examples=examples(1000), deadline=None)
@given(cards())
def test_loads_marked_is_loads_without_spans(card: Card):
    """The pairs reader gives the card `loads` gives, its body as (text, marks) pairs."""
    text = cardfile.dumps(card)
    head, marked = cardfile.loads_marked(text)
    assert head == card.model_copy(update={"body": []})
    assert marked == [[(s.text, s.marks()) for s in para] for para in card.body]


def test_a_markup_mistake_names_the_line_of_the_file():
    # The editor shows file lines; "line 3" of body.text used to point near the tag line.
    card = new_card(tag="T", body=parse("first paragraph\n\nsecond _under_ paragraph"))
    text = cardfile.dumps(card).replace("_under_", "_under")
    wanted = next(i for i, line in enumerate(text.splitlines(), 1) if "_under" in line)
    with pytest.raises(InvalidCard, match=f"opened at line {wanted}, column 8 is never closed"):
        cardfile.loads(text)
    with pytest.raises(InvalidCard, match=f"opened at line {wanted}, column 8 is never closed"):
        cardfile.loads_marked(text)
