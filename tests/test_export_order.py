"""`evcards export --order doc|rank|given`, `--limit`, the warning past 50 query cards, and
the outline of cards filed nowhere."""

from __future__ import annotations

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.cli import app
from evcards.core.models import Card, Location, Source, Span, new_card
from evcards.core.outline import UNFILED, Heading, doc_order, outline
from evcards.errors import BadOption
from evcards.exporting import WARN_OVER, ExportPlan, choose_order, export_cards
from evcards.index.search import search


def card(tag: str, *sightings: tuple[str, int], body: str = "", **location: str) -> Card:
    return new_card(
        tag=tag,
        location=Location(**location),
        sources=[Source(file=f, position=p) for f, p in sightings],
        body=[[Span(text=body or f"the body of {tag}")]],
    )


def tags(cards: list[Card]) -> list[str]:
    return [c.tag for c in cards]


def shape(cards: list[Card]) -> list[object]:
    return [(i.level, i.text) if isinstance(i, Heading) else i.tag for i in outline(cards)]


# -- doc order ---------------------------------------------------------------------------
def test_doc_order_keeps_each_file_in_its_own_order():
    a2, a0, a1 = card("a2", ("a.docx", 2)), card("a0", ("a.docx", 0)), card("a1", ("a.docx", 1))
    b0, b1 = card("b0", ("b.docx", 0)), card("b1", ("b.docx", 1))
    typed = card("typed")  # cut or typed in: from no file
    # Files in the order their first card comes (a query's best match first).
    assert tags(doc_order([b1, a2, typed, a0, b0, a1])) == ["typed", "b0", "b1", "a0", "a1", "a2"]


def test_a_card_met_in_several_files_goes_with_the_file_holding_most_of_them():
    # `shared` was first met in x.docx, under x's headings; exported with y's cards it goes
    # in y's order and under the headings of the card before it there.
    y = [card(f"y{i}", ("y.docx", i), pocket="Y1", block="YB") for i in (0, 1, 3)]
    shared = card("shared", ("x.docx", 7), ("y.docx", 2), pocket="X", block="XB")
    ordered = doc_order([shared, *y])
    assert tags(ordered) == ["y0", "y1", "shared", "y3"]
    assert ordered[2].location == y[1].location
    assert shape(ordered) == [(1, "Y1"), (3, "YB"), "y0", "y1", "shared", "y3"]
    # Alone (or with x's cards) it stays where it was first met, under its own headings.
    assert doc_order([shared]) == [shared]
    x = card("x0", ("x.docx", 0), pocket="X", block="XB")
    assert tags(doc_order([shared, x, y[0]])) == ["x0", "shared", "y0"]


def test_doc_order_of_a_card_met_twice_in_one_file_is_its_first_place():
    twice = card("twice", ("a.docx", 5), ("a.docx", 1))
    other = card("other", ("a.docx", 3))
    assert tags(doc_order([other, twice])) == ["twice", "other"]


def test_unfiled_cards_do_not_sit_under_the_previous_headings():
    filed = card("filed", ("a.docx", 0), pocket="1NC", block="Case")
    loose, looser = card("loose"), card("looser")
    assert shape([filed, loose, looser, filed]) == [
        (1, "1NC"),
        (3, "Case"),
        "filed",
        (1, UNFILED),
        "loose",
        "looser",
        (1, "1NC"),
        (3, "Case"),
        "filed",
    ]
    # Before any heading they need none; doc order puts cards from no file first.
    assert shape([loose, filed]) == ["loose", (1, "1NC"), (3, "Case"), "filed"]
    assert tags(doc_order([filed, loose])) == ["loose", "filed"]


# -- choosing the order ------------------------------------------------------------------
def test_default_order_and_bad_combinations():
    assert choose_order(None, [], None, None) == "doc"
    assert choose_order(None, [], "war", 5) == "doc"
    assert choose_order(None, ["abc"], "war", None) == "given"
    assert choose_order("rank", [], "war", None) == "rank"
    for order, refs, query, limit, message in [
        ("rank", ["abc"], None, None, "--order rank"),
        ("given", [], "war", None, "--order given"),
        ("alpha", [], None, None, "one of doc, rank, given"),
        (None, ["abc"], None, 3, "--limit takes the best N matches of --query"),
    ]:
        with pytest.raises(BadOption, match=message):
            choose_order(order, refs, query, limit)


# -- the command -------------------------------------------------------------------------
@pytest.fixture
def ranked(lib):
    """Three cards whose search rank (strong, middling, weak) is the reverse of the order
    their file holds them in, plus one that does not match."""
    made = [
        card("Nuclear war nuclear war", ("f.docx", 2), body="nuclear war is near"),
        card("Escalation", ("f.docx", 1), body="nuclear war by escalation"),
        card("Trade", ("f.docx", 0), body="trade deals, and one day nuclear war"),
        card("Unrelated", ("g.docx", 0), body="nothing to see"),
    ]
    for c in made:
        lib.add(c)
    return made


def exported_tags(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [line[5:] for line in result.stdout.splitlines() if line.startswith("#### ")]


def test_each_order(runner, lib, ranked):
    strong, middling, weak, _ = ranked
    best_first = [h.tag for h in search(lib.root, "nuclear war")]
    assert best_first == [strong.tag, middling.tag, weak.tag]

    def run(*args: str) -> list[str]:
        return exported_tags(runner.invoke(app, ["export", "-f", "md", "--flat", *args]))

    assert run("-q", "nuclear war", "--order", "rank") == best_first
    assert run("-q", "nuclear war", "--order", "doc") == best_first[::-1]
    assert run("-q", "nuclear war") == best_first[::-1]  # doc by default
    assert run(middling.id, strong.id, weak.id) == [middling.tag, strong.tag, weak.tag]
    assert run(middling.id, strong.id, weak.id, "--order", "doc") == best_first[::-1]
    # given: the CARDs as named, then the matches best first (each card once)
    assert run(weak.id, "-q", "nuclear war") == [weak.tag, strong.tag, middling.tag]
    result = runner.invoke(app, ["export", "-f", "md", "--order", "rank"])
    assert result.exit_code == 2 and "--order rank" in result.stderr


def test_limit_takes_the_best_matches(runner, lib, ranked):
    strong, middling, _, _ = ranked
    result = runner.invoke(app, ["export", "-f", "md", "--flat", "-q", "nuclear war", "-n", "2"])
    assert exported_tags(result) == [middling.tag, strong.tag]  # the best two, in doc order
    assert "Exported 2 cards" in result.stderr
    result = runner.invoke(app, ["export", "-f", "md", "-q", "war", "-n", "1", "--order", "rank"])
    assert exported_tags(result) == [strong.tag]
    result = runner.invoke(app, ["export", "-f", "md", "--limit", "2"])
    assert result.exit_code == 2 and "give -q" in result.stderr
    result = runner.invoke(app, ["export", "-f", "md", "-q", "war", "-n", "0"])
    assert result.exit_code == 2


def test_limit_counts_after_the_labels(lib):
    best = card("war war war", ("f.docx", 0), body="war war war war")  # unlabelled
    labelled = [
        card(f"war {i}", ("f.docx", i), body=f"war and peace {i}").model_copy(
            update={"labels": ["neg"]}
        )
        for i in (1, 2, 3)
    ]
    for c in (best, *labelled):
        lib.add(c)
    assert search(lib.root, "war", limit=1)[0].id == best.id
    done = export_cards(lib, ExportPlan("md", None), query="war", labels=["neg"], limit=2)
    assert len(done.cards) == 2 and best not in done.cards


def test_a_query_export_past_the_limit_warns(runner, lib):
    for i in range(WARN_OVER + 1):
        lib.add(card(f"Nuclear war {i}", ("f.docx", i), body=f"nuclear war, take {i}"))
    result = runner.invoke(app, ["export", "-f", "md", "-q", "nuclear"])
    assert result.exit_code == 0, result.output
    warning = f"Warning: --query 'nuclear' exported {WARN_OVER + 1} cards; add --limit N"
    assert warning in result.stderr
    for quiet in (["-n", "60"], ["-n", "5"]):
        result = runner.invoke(app, ["export", "-f", "md", "-q", "nuclear", *quiet])
        assert result.exit_code == 0 and "Warning" not in result.stderr
    # The whole library is no query: it is what was asked for.
    result = runner.invoke(app, ["export", "-f", "md"])
    assert result.exit_code == 0 and "Warning" not in result.stderr
    lib.remove(lib.path_of(card("Nuclear war 0", ("f.docx", 0), body="nuclear war, take 0").id))
    result = runner.invoke(app, ["export", "-f", "md", "-q", "nuclear"])
    assert result.exit_code == 0 and "Warning" not in result.stderr  # exactly 50


# -- doc order on generated documents ------------------------------------------------------
@st.composite
def documents(draw, name: str) -> list[Card]:
    """The cards of one imported file: headings and tags in any sequence, each card filed
    under the headings above it (as the .docx reader files them) and numbered in order."""
    heads = ["", "", ""]
    cards: list[Card] = []
    for level in draw(st.lists(st.integers(1, 4), max_size=25)):
        if level < 4:
            heads[level - 1] = draw(st.sampled_from(["1NC", "Case", "DA", "CP"]))
            heads[level:] = [""] * (3 - level)
            continue
        pocket, hat, block = heads
        tag = f"{name} {len(cards)}"
        cards.append(card(tag, (name, len(cards)), pocket=pocket, hat=hat, block=block))
    return cards


@settings(max_examples=examples(200))
@given(st.data())
def test_doc_order_gives_back_each_files_order_and_outline(data):
    files = [data.draw(documents(name)) for name in ("a.docx", "b.docx")]
    mixed = data.draw(st.permutations([c for cards in files for c in cards]))
    ordered = doc_order(mixed)
    # Each file's cards together, in its order, under its own headings.
    firsts = list(dict.fromkeys(c.sources[0].file for c in mixed))
    by_file = {cards[0].sources[0].file: cards for cards in files if cards}
    assert ordered == [c for f in firsts for c in by_file[f]]
    for cards in files:
        assert shape(doc_order(list(reversed(cards)))) == shape(cards)
