"""search --author: any author's name (family and given), else and always the short cite's
name; accents and case ignored; on the real corpus, every card by the names its cite holds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from evcards.cli import app
from evcards.core.citenames import short_name, split_names
from evcards.core.citeparse import parse_cite
from evcards.core.models import Cite, Span, new_card
from evcards.index import facts
from evcards.index.query import combine, filter_queries
from evcards.index.schema import SCHEMA_VERSION, index_path
from evcards.index.search import Filters, search
from evcards.index.sync import ensure
from evcards.store.library import Library


def put(lib: Library, cite: Cite) -> str:
    text = f"the alliance holds, {cite.short} says, because both capitals fear the same rival"
    card = new_card(tag="alliance holds", cite=cite, body=[[Span(text=text)]])
    assert card.id not in {c.id for _, c in lib.cards()}  # each test card a card of its own
    lib.write(card)
    return card.id


def parsed(text: str) -> Cite:
    """The cite as every entry point now stores it: the parser's fields."""
    return Cite(**parse_cite(text).cite_fields())  # type: ignore[arg-type]


def by_author(lib: Library, *names: str) -> set[str]:
    return {h.id for h in search(lib.root, "", Filters(author=list(names)), limit=100)}


@pytest.mark.parametrize(
    ("short", "name"),
    [
        ("1AC Alford 18", "Alford"),
        ("Klare ’19", "Klare"),
        ("Meick '18", "Meick"),
        ("Stern 3", "Stern"),
        ("RM 6/14", "RM"),
        ("Smith & Jones 19", "Smith & Jones"),
        ("Smith et al. 21", "Smith et al."),
        ("Mbembé and Rendall 2K", "Mbembé and Rendall"),
        ("Danforth, 7-25", "Danforth"),
        ("Richardson", "Richardson"),
        ("O'Brien 2018", "O'Brien"),
        ("1AC", ""),
        ("", ""),
    ],
)
def test_short_name(short: str, name: str) -> None:
    assert short_name(short) == name


def test_author_names_holds_the_authors_then_the_short_cites_name() -> None:
    assert facts.author_names("Emma Black", "Black 21") == "Emma Black"
    assert facts.author_names("Emma", "Black 21") == "Emma\nBlack"  # an old import
    assert facts.author_names("", "Stern 3") == "Stern"
    assert facts.author_names("", "") == ""


def test_family_and_given_names_match(lib: Library) -> None:
    black = put(lib, parsed("Black 21 [Emma; Professor of History at Yale, 2021, Title]"))
    klare = put(lib, parsed("Klare ’19 (Michael, Professor Emeritus, November 2019)"))
    stored = {c.id: c for _, c in lib.cards()}
    assert stored[black].cite.author == "Emma Black"  # what the parser stores
    assert by_author(lib, "black") == {black}
    assert by_author(lib, "klare") == {klare}
    # Chosen: a given name matches too, and so does the full name as a phrase.
    assert by_author(lib, "emma") == {black}
    assert by_author(lib, "Emma Black") == {black}
    assert by_author(lib, "michael klare") == {klare}
    assert by_author(lib, "black", "klare") == set()  # several filters: all must hold


def test_each_of_several_authors_matches(lib: Library) -> None:
    both = put(lib, parsed("Smith & Jones 19 (John Smith and Ann Jones, professors, 2019)"))
    three = put(lib, Cite(short="Lee et al. 20", full="Lee, Park and Cho 2020"))
    assert by_author(lib, "smith") == by_author(lib, "jones") == {both}
    assert by_author(lib, "ann jones") == {both}
    assert by_author(lib, "lee") == {three}


def test_an_organisation_is_found_by_its_name(lib: Library) -> None:
    rand = put(lib, Cite(short="RAND 19", full="RAND Corporation, 2019", author="RAND"))
    crs = put(lib, Cite(short="CRS 19", full="Congressional Research Service, 2019"))
    assert by_author(lib, "rand") == {rand}
    assert by_author(lib, "crs") == {crs}


def test_no_author_the_short_cites_name_and_not_its_date(lib: Library) -> None:
    stern = put(lib, Cite(short="Stern 3", full="BA, Harvard"))
    alford = put(lib, Cite(short="1AC Alford 18", full="Roger Alford, 2018"))
    assert by_author(lib, "stern") == {stern}
    assert by_author(lib, "alford") == {alford}
    assert by_author(lib, "3") == by_author(lib, "1ac") == set()


def test_an_old_import_is_found_by_its_short_cites_name(lib: Library) -> None:
    # What the reader stored before the cite parser: a given name or a degree as the author.
    black = put(lib, Cite(short="Black 21", full="Emma, Yale", author="Emma"))
    stern = put(lib, Cite(short="Stern 3", full="BA, Harvard", author="BA"))
    assert by_author(lib, "black") == {black}
    assert by_author(lib, "stern") == {stern}


def test_accents_and_case_are_ignored(lib: Library) -> None:
    mbembe = put(lib, parsed("Mbembé and Rendall 2K (Achille Mbembé and Steven Rendall, 2000)"))
    zizek = put(lib, Cite(short="Zizek 08", full="Slavoj Zizek, 2008", author="Slavoj Zizek"))
    for typed in ("mbembe", "MBEMBE", "Mbembé", "rendall"):
        assert by_author(lib, typed) == {mbembe}, typed
    assert by_author(lib, "Žižek") == by_author(lib, "ZIZEK") == {zizek}


def test_author_on_the_command_line(lib: Library, runner) -> None:
    black = put(lib, parsed("Black 21 [Emma; Professor of History at Yale, 2021, Title]"))
    result = runner.invoke(app, ["search", "--author", "BLACK", "--json"])
    assert result.exit_code == 0, result.output
    assert [h["id"] for h in json.loads(result.stdout)] == [black]


def test_an_index_of_the_last_schema_rebuilds_with_the_names(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    black = put(lib, Cite(short="Black 21", full="Emma, Yale", author="Emma"))
    with monkeypatch.context() as m:  # an index as version 4 wrote it: author, else short cite
        m.setattr(facts, "author_names", lambda author, short: author or short)
        assert by_author(lib, "black") == set()
    db = sqlite3.connect(index_path(lib.root))
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    db.commit()
    db.close()
    assert by_author(lib, "black") == {black}


# -- the real corpus ---------------------------------------------------------------------------
def _family_names(author: str) -> list[str]:
    """The last word of each of a stored author's names ('Rory Van Loo' -> 'Loo')."""
    out = []
    for name in split_names(author):
        words = [w for w in name.split() if w.strip(".,").lower() not in {"jr", "sr", "ii", "iii"}]
        if words:
            out.append(words[-1])
    return out


def test_the_author_filter_finds_every_corpus_card_by_its_names(
    tmp_path: Path, corpus: Path
) -> None:
    from evcards.importing import import_paths

    lib = Library.open(tmp_path / "lib", create=True)
    import_paths(lib, [str(corpus / "docx")], jobs=2)
    search(lib.root, "nothing-at-all")  # builds the index
    cards = [card for _, card in lib.cards()]
    wanted: dict[str, set[str]] = {}
    for card in cards:
        names = _family_names(card.cite.author or "")
        names += [short_name(card.cite.short)] if card.cite.short else []
        for name in names:
            wanted.setdefault(name, set()).add(card.id)
    assert len(cards) > 1000 and len(wanted) > 500
    ix = ensure(lib.root, fulltext=True)
    searcher = ix.searcher()
    missed = []
    for name, ids in wanted.items():
        filters = filter_queries(Filters(author=[name]), None)
        if not filters:  # nothing the tokenizer indexes ('“')
            continue
        hits = searcher.search(combine(None, filters), 100_000).hits
        keys = searcher.fast_field_values("key", [a for _, a in hits])
        marks = ",".join("?" * len(keys))
        rows = ix.db.execute(f"SELECT card_id FROM cards WHERE key IN ({marks})", keys)
        missed += [(name, i) for i in ids - {r[0] for r in rows}]
    ix.close()
    assert missed == []
    # And through the search itself (duplicates collapsed): a name's cards are found.
    klare = by_author(lib, "klare")
    assert klare and all(
        "klare" in f"{c.cite.author} {c.cite.short}".lower() for c in cards if c.id in klare
    )
