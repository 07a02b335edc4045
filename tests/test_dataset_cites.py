"""Cites in dataset rows: `fullcite` is the whole cite paragraph, evcards' fields ride in
`cite_*` columns, and both directions of the round trip are lossless."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from budget import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_dataset import bodies, line

from evcards.core.citeline import PARSED_FIELDS, ends_with_initials, paragraph, reparsed
from evcards.core.citeparse import parse_cite
from evcards.core.models import Card, Cite, Location, Source, Span, new_card, normalize_body
from evcards.core.syntax import CITE_FIELDS
from evcards.formats.dataset import CITE_COLUMNS, card_row, parse_rows, render_csv, render_jsonl

_CASES = tomllib.loads((Path(__file__).parent / "data" / "cites.toml").read_text())["case"]
# (short cite, cite paragraph) of the real cites: the hand-written short cite, else the parser's.
REAL = [
    (case.get("short", parse_cite(case["text"]).short), " ".join(case["text"].split()))
    for case in _CASES
]


def row_of(**fields: object) -> str:
    return json.dumps({"tag": "T", "fulltext": "Body text.", **fields}) + "\n"


def one(text: str, suffix: str = ".jsonl") -> Card:
    [card] = parse_rows(text, suffix, "ev" + suffix)
    return card


# -- the columns ---------------------------------------------------------------------------
def test_columns_come_from_the_models_fields():
    assert CITE_COLUMNS == tuple(f"cite_{name}" for name in CITE_FIELDS[1:])
    assert CITE_COLUMNS[:4] == ("cite_full", "cite_author", "cite_quals", "cite_date")


def test_fullcite_is_the_paragraph_as_written():
    typed = Cite(short="Meick 18", full="Ethan Meick, Analyst, 9-2-2018", initials="ank")
    assert paragraph(typed) == "Meick 18 (Ethan Meick, Analyst, 9-2-2018) ank"
    read = Cite(short="Black 21", full="Black 21 [Emma; Lecturer, “Title,” Journal] ank")
    assert paragraph(read) == read.full
    assert paragraph(read.model_copy(update={"initials": "ank"})) == read.full
    frontloaded = Cite(short="Meick 18", full="Ethan Meick 18, Policy Analyst, 2018")
    assert paragraph(frontloaded) == frontloaded.full
    assert paragraph(Cite(full="No short cite here")) == "No short cite here"
    row = card_row(new_card(tag="T", cite=typed, body=[[Span(text="x")]]))
    assert row["fullcite"] == paragraph(typed)
    assert (row["cite_full"], row["cite_initials"]) == (typed.full, "ank")
    assert "<strong>Meick 18</strong> (Ethan Meick" in row["markup"]


def test_initials_at_the_end():
    assert ends_with_initials("... Interest) ank", "ank")
    assert ends_with_initials("...8711//RT", "RT")
    assert ends_with_initials("..., ADL).", "ADL")
    assert not ends_with_initials("... frank", "ank")


# -- rows from OpenDebateEvidence: no cite_* columns, fields from the parser -------------------
def test_real_row_fields_are_parsed_and_the_paragraph_kept():
    fullcite = (
        "Black 21 [Emma; Lecturer at the University of Sheffield, “Educational Background in"
        " Politics,” Political Quarterly, 3-4-2021] ank"
    )
    card = one(row_of(cite="Black 21", fullcite=fullcite))
    assert card.cite.short == "Black 21"
    assert card.cite.full == fullcite
    assert card.cite.author == "Emma Black"
    assert card.cite.title == "Educational Background in Politics"
    # 'ank' stays in the paragraph only: the writers would print an initials field again.
    assert card.cite.initials is None
    assert card.cite.year == 2021
    row = card_row(card)
    assert (row["cite"], row["fullcite"]) == ("Black 21", fullcite)


def test_old_rows_whose_fullcite_lacks_the_short_cite():
    """evcards' own rows before cite_* columns: fullcite was the bracket's content."""
    card = one(row_of(cite="Black 21", fullcite="Emma; Lecturer, “Title,” Journal, 2021"))
    assert card.cite.full == "Emma; Lecturer, “Title,” Journal, 2021"
    assert card.cite.author == "Emma Black"
    assert card_row(card)["fullcite"] == "Black 21 (Emma; Lecturer, “Title,” Journal, 2021)"


def test_row_without_a_short_cite_takes_the_parsers():
    card = one(row_of(fullcite="Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018)"))
    assert card.cite.short == "Meick 18"
    assert card.cite.author == "Ethan Meick"
    assert card_row(card)["fullcite"] == "Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018)"


def test_a_two_line_fullcite_becomes_one_line():
    card = one(row_of(cite="Brands 22", fullcite="Brands 22\n(Hal Brands, Professor, 2022)"))
    assert card.cite.full == "Brands 22 (Hal Brands, Professor, 2022)"
    assert card.cite.author == "Hal Brands"


def test_given_columns_win_over_the_parse():
    card = one(
        row_of(cite="Meick 18", fullcite="Meick 18 (Ethan Meick, 2018)", cite_author="E. Meick")
    )
    assert card.cite.author == "E. Meick"
    assert card.cite.date == "2018"  # the column it lacks is parsed
    card = one(row_of(cite="Meick 18", fullcite="Meick 18 (Ethan Meick, 2018)", cite_author=""))
    assert card.cite.author is None  # an empty column says: no author


def test_a_bad_cite_column_names_file_and_line(runner, tmp_path, lib):
    from conftest import snapshot

    from evcards.cli import app

    path = tmp_path / "bad.jsonl"
    path.write_text(row_of(cite="A 1") + row_of(cite="B 2", cite_date=2021), encoding="utf-8")
    before = snapshot(lib.root)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: bad.jsonl, line 2: field 'cite_date' must be text, not int"
    )
    assert snapshot(lib.root) == before


# -- round trips --------------------------------------------------------------------------
maybe = st.none() | line.filter(bool)


@st.composite
def cited_cards(draw):
    """Cards with every cite field drawn, the short cite sometimes inside the full cite."""
    body = draw(bodies)
    short = draw(line)
    full = draw(st.sampled_from(["", " ", ", ", " ("]).map(lambda s: short + s if short else s))
    full = full + draw(line) if draw(st.booleans()) else draw(line)
    parts = {name: draw(maybe) for name in PARSED_FIELDS}
    cite = Cite(short=short, full=full, **parts)
    return new_card(
        tag=draw(line.filter(bool)),
        # A card with no body and no cite reads back as an analytic: rows have no kind.
        kind="card" if normalize_body(body) or short or full else "analytic",
        cite=cite,
        undertag=draw(st.lists(line, max_size=2).map("\n".join)),
        location=Location(pocket=draw(line), hat=draw(line), block=draw(line)),
        sources=[Source(file="f.docx", position=1)],
        body=body,
    )


def same_cards(back: list[Card], cards: list[Card]) -> None:
    assert [c.cite for c in back] == [c.cite for c in cards]
    for b, c in zip(back, cards, strict=True):
        assert (b.id, b.kind, b.tag, b.undertag) == (c.id, c.kind, c.tag, c.undertag)
        assert (b.body, b.location) == (c.body, c.location)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cited_cards(), max_size=3))
def test_library_to_rows_to_library_is_lossless(cards):
    same_cards(parse_rows(render_jsonl(cards), ".jsonl", "r.jsonl"), cards)
    same_cards(parse_rows(render_csv(cards), ".csv", "r.csv"), cards)


_WORDS = st.text(st.characters(whitelist_categories=("L", "N", "P", "Zs")), max_size=40)


@st.composite
def foreign_rows(draw):
    """OpenDebateEvidence rows: the bold short cite, and the paragraph that holds it."""
    if draw(st.booleans()):
        short, fullcite = draw(st.sampled_from(REAL))
    else:
        short = draw(
            st.from_regex(r"[A-Z][a-z]{1,9}( and [A-Z][a-z]{1,9})? [0-9]{2}", fullmatch=True)
        )
        sep = draw(st.sampled_from([" (", " [", ", ", " – ", ": ", " "]))
        fullcite = short + sep + draw(_WORDS)
    fullcite = fullcite.strip()
    return {"tag": draw(line.filter(bool)), "cite": short, "fullcite": fullcite}


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(foreign_rows())
def test_rows_to_library_to_rows_is_lossless(row):
    card = one(json.dumps(row))
    out = card_row(card)
    assert out["fullcite"] == row["fullcite"]
    if row["cite"]:
        assert out["cite"] == row["cite"]
    else:  # a row with no short cite takes the parser's, found in the paragraph
        assert row["fullcite"].startswith(out["cite"])
    again = one(render_jsonl([card]))
    assert again.cite == card.cite and render_jsonl([again]) == render_jsonl([card])


def test_every_real_cite_as_a_row():
    for short, fullcite in REAL:
        card = one(row_of(cite=short, fullcite=fullcite))
        assert card_row(card)["fullcite"] == fullcite
        assert card.cite == reparsed(Cite(short=short, full=fullcite))


def test_corpus_cards_through_rows(corpus):
    """Every card of the real .docx files comes back from its row with the same cite."""
    from evcards.formats.docx.read import parse_docx

    cards = [c for path in sorted((corpus / "docx").glob("*.docx")) for c in parse_docx(path)]
    back = parse_rows(render_jsonl(cards), ".jsonl", "corpus.jsonl")
    assert len(back) == len(cards) > 1000
    assert [c.cite for c in back] == [c.cite for c in cards]
    assert [c.body for c in back] == [c.body for c in cards]


def test_imported_initials_are_not_printed_twice():
    from evcards.core.outline import cite_segments

    fullcite = "Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018) ank"
    card = one(row_of(cite="Meick 18", fullcite=fullcite))
    assert "".join(text for text, _ in cite_segments(card.cite)) == fullcite
