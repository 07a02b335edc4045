"""evcards search: query quoting, ranking, filters, duplicates, and the command itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from budget import scaled

from evcards.cli import app
from evcards.core.models import Cite, Location, Source, Span, new_card
from evcards.index.search import Filters, parse_years, quote_query, search
from evcards.store.library import Library

FILLER = "the committee considered several unrelated matters over many long months"


def body(*parts: Span | str) -> list[list[Span]]:
    return [[p if isinstance(p, Span) else Span(text=p) for p in parts]]


def put(lib: Library, **fields: object) -> str:
    card = new_card(**fields)
    lib.write(card)
    return card.id


def ids(lib: Library, query: str, **kw: object) -> list[str]:
    filters = kw.pop("filters", None)
    return [h.id for h in search(lib.root, query, filters, **kw)]  # type: ignore[arg-type]


# -- the default query language -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "fts"),
    [
        ("nuclear war", '"nuclear" "war"'),
        ('"brain drain" cuba', '"brain drain" "cuba"'),
        ("econ*", '"econ"*'),
        ('"nuclear win"*', '"nuclear win"*'),
        ("trade OR tariffs", '"trade" OR "tariffs"'),
        ("war NOT nuclear", '"war" NOT "nuclear"'),
        ("war not nuclear", '"war" "not" "nuclear"'),
        ("NOT war", '"NOT" "war"'),
        ("war AND", '"war" "AND"'),
        ("war OR OR peace", '"war" "OR" OR "peace"'),
        ("don't", '"don\'t"'),
        ('say "unclosed', '"say" "unclosed"'),
        ("a:b (c) ^d -e", '"a:b" "(c)" "^d" "-e"'),
        ("* ' -- \"", ""),
        ("*", ""),
    ],
)
def test_quote_query(typed: str, fts: str) -> None:
    assert quote_query(typed) == fts


def test_parse_years() -> None:
    assert parse_years("2018") == (2018, 2018)
    assert parse_years("2018..2020") == (2018, 2020)
    assert parse_years("2018..") == (2018, None)
    assert parse_years("..2020") == (None, 2020)
    with pytest.raises(ValueError):
        parse_years("18")
    # a reversed range used to find nothing without a word
    with pytest.raises(ValueError, match="runs backwards; write 2018..2020"):
        parse_years("2020..2018")


@pytest.fixture
def filled(lib: Library) -> Library:
    """Filler cards without the search words, so that bm25's idf is positive."""
    for i in range(30):
        put(lib, tag=f"filler {i}", cite=Cite(short=f"Doe {i:02d}"), body=body(f"{FILLER} {i}"))
    return lib


def test_ranking_order_is_pinned(filled: Library) -> None:
    """tag 10 > cite 5 > spoken 3 > body 1; scores are higher for better, so descending.
    Written in the reverse order, so that ties in writing order could not pass for it."""
    lib = filled
    word = "zebra"
    expected = [
        put(lib, tag="claims", body=body(f"{FILLER} b {word}")),
        put(lib, tag="claims", body=body(f"{FILLER} s ", Span(text=word, highlight="yellow"))),
        put(lib, tag="claims", cite=Cite(short=f"{word.title()} 19"), body=body(f"{FILLER} c")),
        put(lib, tag=f"{word} claims", cite=Cite(short="Ta 19"), body=body(f"{FILLER} t")),
    ][::-1]
    hits = search(lib.root, word)
    assert [h.id for h in hits] == expected
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_tag_match_outranks_any_number_of_body_mentions(filled: Library) -> None:
    """The tag's weight (10) beats a body that says the word 30 times: BM25 saturates with
    repetition, so cards whose tag states the query come first."""
    lib = filled
    loud = [Span(text="zebra " * 30, highlight="yellow", underline=True)]
    bodies = [put(lib, tag=f"claims {i}", body=body(*loud, f" {FILLER} {i}")) for i in range(3)]
    quiet = put(lib, tag="zebra stripes confuse lions", body=body(FILLER))
    hits = search(lib.root, "zebra", limit=3)
    assert hits[0].id == quiet
    assert {h.id for h in hits[1:]} <= set(bodies) and len(hits) == 3
    # Every word of the query must be in the card, in any of its fields.
    split = put(lib, tag="zebra claims", body=body(f"{FILLER} crossing"))
    assert ids(lib, "zebra crossing") == [split]


def test_not_is_answered_by_the_whole_card(filled: Library) -> None:
    """A tag holding the first word but a body holding the excluded one is excluded."""
    lib = filled
    put(lib, tag="warming is real", body=body("nuclear winter is not the point"))
    kept = put(lib, tag="warming is real too", body=body("sea levels rise"))
    assert ids(lib, "warming NOT nuclear") == [kept]


def test_filters_alone_and_with_a_query(filled: Library) -> None:
    lib = filled
    a = put(lib, tag="dedev good", cite=Cite(short="Smith 18"), body=body("growth is bad"))
    put(lib, tag="dedev bad", cite=Cite(short="Jones 18"), body=body("smith says growth"))
    assert ids(lib, "", filters=Filters(cite=["smith"])) == [a]
    assert ids(lib, "growth", filters=Filters(cite=["smith"])) == [a]
    assert ids(lib, "growth", filters=Filters(body=["bad"])) == [a]


def test_phrase_prefix_and_boolean(filled: Library) -> None:
    lib = filled
    a = put(lib, tag="a", body=body("massive brain drain from cuba"))
    b = put(lib, tag="b", body=body("brain scans show drain of focus"))
    c = put(lib, tag="c", body=body("economic decline causes war"))
    d = put(lib, tag="d", body=body("the economy is strong, no war"))
    assert ids(lib, '"brain drain"') == [a]
    assert set(ids(lib, "brain drain")) == {a, b}
    assert set(ids(lib, "econ*")) == {c, d}
    assert set(ids(lib, "economic OR economy")) == {c, d}
    assert ids(lib, "war NOT economy") == [c]
    assert ids(lib, "war AND strong") == [d]


def test_awkward_characters_are_quoted_not_errors(filled: Library, runner) -> None:
    lib = filled
    a = put(lib, tag="a", body=body("we don't know NOT-voting data * stars"))
    assert ids(lib, "don't") == [a]
    assert ids(lib, "NOT") == [a]
    assert ids(lib, 'NOT "voting data"') == [a]
    assert ids(lib, "don*") == [a]
    for query in ['"', "'", "*", "NOT", "a OR", '"unclosed phrase', "(", "col: x", "^x", "-"]:
        result = runner.invoke(app, ["search", query, "--json"])
        assert result.exit_code == 0, (query, result.output)
        json.loads(result.stdout)


def test_a_bad_raw_query_is_a_clean_error(filled: Library, runner) -> None:
    for query in ['tag: ("', "nosuch: x", "a AND", "NEAR("]:
        result = runner.invoke(app, ["search", "--raw", query])
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: bad search query"), result.stderr
        assert "Traceback" not in result.output


def test_raw_queries_reach_tantivy(filled: Library, runner) -> None:
    a = put(filled, tag="zebra story", body=body("lions hunt at night"))
    put(filled, tag="zebra tale", body=body("lions hunt by day, all through the night"))
    result = runner.invoke(app, ["search", "--raw", 'tag:zebra AND body:"lions night"~2', "--json"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [a]


# -- filters ----------------------------------------------------------------------------------
def test_each_filter(filled: Library) -> None:
    lib = filled
    hl = Span(text="warming", highlight="cyan")
    a = put(
        lib,
        tag="warming kills",
        cite=Cite(short="Smith 18", full="John Smith, prof, 2018, Nature", author="John Smith"),
        labels=["aff", "impact"],
        location=Location(pocket="1AC", hat="Advantage One", block="Extinction"),
        sources=[Source(file="rounds/Smith-Aff.docx")],
        body=body("global ", hl, " ends humanity"),
    )
    b = put(
        lib,
        tag="warming slow",
        cite=Cite(short="Jones 12", full="Ann Jones, 2012"),
        labels=["neg"],
        location=Location(pocket="Neg", hat="Case", block="Defense"),
        sources=[Source(file="rounds/Jones-Neg.docx")],
        body=body("warming is ", Span(text="slow and manageable", underline=True)),
    )
    assert set(ids(lib, "warming")) == {a, b}
    f = Filters
    assert ids(lib, "", filters=f(tag=["kills"])) == [a]
    assert ids(lib, "warming", filters=f(cite=["jones"])) == [b]
    assert ids(lib, "", filters=f(body=["manageable"])) == [b]
    assert ids(lib, "warming", filters=f(author=["smith"])) == [a]
    assert ids(lib, "warming", filters=f(author=["jones"])) == [b]  # no author: the short cite
    assert ids(lib, "warming", filters=f(year_from=2015)) == [a]
    assert ids(lib, "warming", filters=f(year_from=2010, year_to=2013)) == [b]
    assert ids(lib, "warming", filters=f(labels=["impact"])) == [a]
    assert ids(lib, "warming", filters=f(labels=["aff", "impact"])) == [a]
    assert ids(lib, "warming", filters=f(labels=["imp"])) == []  # labels match whole
    assert ids(lib, "warming", filters=f(pocket=["1ac"])) == [a]
    assert ids(lib, "warming", filters=f(hat=["case"])) == [b]
    assert ids(lib, "warming", filters=f(block=["extinction"])) == [a]
    assert ids(lib, "warming", filters=f(files=["Jones-Neg.docx"])) == [b]
    assert ids(lib, "warming", filters=f(highlighted=True)) == [a]
    assert ids(lib, "", filters=f(highlighted=True)) == [a]
    assert ids(lib, "warming", read=True) == [a]  # only a's "warming" is highlighted
    assert ids(lib, "manageable", read=True) == []


def test_filters_on_the_command_line(filled: Library, runner) -> None:
    a = put(
        filled,
        tag="warming kills",
        cite=Cite(short="Smith 18"),
        labels=["aff"],
        body=body("global ", Span(text="warming", highlight="cyan"), " ends humanity"),
    )
    args = ["search", "warming", "--tag", "kills", "--cite", "smith", "--year", "2018"]
    args += ["-l", "aff", "--highlighted", "--read", "--json", "--limit", "5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    [hit] = json.loads(result.stdout)
    assert hit["id"] == a
    assert {"id", "tag", "short_cite", "snippet", "seen", "rank"} <= set(hit)
    assert "«warming»" in hit["snippet"]
    # the card file's full path, as `list --json` gives it, so a script can open it from anywhere
    listed = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    assert hit["path"] == next(r["path"] for r in listed if r["id"] == a)
    assert hit["path"].startswith(str(filled.root))
    bad = runner.invoke(app, ["search", "x", "--year", "soon"])
    assert bad.exit_code == 2
    nothing = runner.invoke(app, ["search"])
    assert nothing.exit_code == 2


# -- duplicates -------------------------------------------------------------------------------
def test_duplicates_collapse_into_one_result(filled: Library) -> None:
    lib = filled
    text = ("the arctic ", Span(text="melts fast", highlight="yellow", underline=True), " now")
    same_cut = (
        "the arctic ",
        Span(text="melts fast", highlight="green", underline=True, bold=True),
        " now",
    )
    other_cut = ("the arctic ", Span(text="melts", highlight="yellow", underline=True), " fast now")
    a = put(lib, tag="ice", body=body(*text), sources=[Source(file="x.docx"), Source(file="y")])
    b = put(lib, tag="ice retagged", body=body(*same_cut), sources=[Source(file="z.docx")])
    c = put(lib, tag="ice", body=body(*other_cut))
    assert len({a, b, c}) == 3  # three card files
    hits = search(lib.root, "arctic", cuts="every")
    assert len(hits) == 2
    merged = next(h for h in hits if h.id in (a, b))
    assert (merged.seen, merged.copies) == (3, 2)
    other = next(h for h in hits if h.id == c)
    assert (other.seen, other.copies) == (1, 1)
    # The other highlighting is another cut of the same text: grouped by default.
    grouped = search(lib.root, "arctic")
    assert len(grouped) == 1 and grouped[0].cuts == 2


def test_limit_counts_collapsed_results(filled: Library) -> None:
    for i in range(5):
        put(filled, tag=f"t{i}", body=body(f"zebra crossing number {i}"))
    assert len(search(filled.root, "zebra", limit=3)) == 3


def test_hits_without_snippets_are_the_same_hits(filled: Library) -> None:
    """`snippets=False` (an export's search) reads no stored text and changes nothing else."""
    put(filled, tag="ice", body=body("the arctic melts ", Span(text="fast", highlight="yellow")))
    put(filled, tag="arctic ice", body=body("it melts slowly"))
    full = search(filled.root, "arctic melts")
    bare = search(filled.root, "arctic melts", snippets=False)
    assert [h.snippet for h in bare] == ["", ""]
    assert [(h.id, h.seen, h.copies, h.score) for h in bare] == [
        (h.id, h.seen, h.copies, h.score) for h in full
    ]
    assert all("\x02" in h.snippet for h in full)


def test_read_snippets_come_from_the_spoken_text(filled: Library) -> None:
    put(
        filled,
        tag="t",
        body=body("a glacier ", Span(text="calves icebergs", highlight="yellow"), " daily"),
    )
    [hit] = search(filled.root, "icebergs", read=True)
    assert hit.snippet == "calves \x02icebergs\x03"  # the highlighted words alone


# -- keeping in sync --------------------------------------------------------------------------
def test_hand_edit_found_without_rebuild(filled: Library) -> None:
    lib = filled
    put(lib, tag="walrus", body=body("walruses sleep on the ice"))
    [hit] = search(lib.root, "walruses")
    path = lib.root / hit.path
    path.write_text(path.read_text().replace("sleep on the ice", "swim under the floes"))
    assert ids(lib, "floes") == [hit.id]
    assert ids(lib, "sleep") == []


def test_deleted_and_added_by_hand(filled: Library) -> None:
    lib = filled
    a = put(lib, tag="walrus", body=body("walruses sleep on the ice"))
    assert ids(lib, "walruses") == [a]
    (lib.root / next(iter(search(lib.root, "walruses"))).path).unlink()
    assert ids(lib, "walruses") == []
    sub = lib.root / "camp"
    sub.mkdir()
    card = new_card(tag="seal", body=body("seals sleep on the ice"))
    from evcards.store.cardfile import dumps

    (sub / "seal.toml").write_text(dumps(card))
    assert ids(lib, "seals") == [card.id]
    (sub / "seal.toml").rename(sub / "renamed.toml")
    [hit] = search(lib.root, "seals")
    assert hit.path == "camp/renamed.toml"
    import shutil

    shutil.rmtree(sub)
    assert ids(lib, "seals") == []


def test_evcards_own_writes_are_seen(filled: Library, runner) -> None:
    assert ids(filled, "narwhal") == []
    result = runner.invoke(app, ["add", "-", "-t", "narwhal tusks"], input="teeth _facts_\n")
    assert result.exit_code == 0, result.output
    assert len(ids(filled, "narwhal")) == 1


def test_search_without_a_library_is_a_clean_error(runner) -> None:
    result = runner.invoke(app, ["search", "x"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:")


def test_table_output(filled: Library, runner) -> None:
    put(filled, tag="zebra stripes", cite=Cite(short="Zed 20"), body=body("stripes confuse flies"))
    result = runner.invoke(app, ["search", "stripes"])
    assert result.exit_code == 0, result.output
    assert "Zed 20" in result.stdout and "zebra stripes" in result.stdout
    assert "1×" in result.stdout
    none = runner.invoke(app, ["search", "unicorn"])
    assert none.exit_code == 0 and "No cards found" in none.stdout


def test_search_does_not_import_lxml_or_docx(filled: Library) -> None:
    put(filled, tag="zebra", body=body("stripes"))
    code = (
        "import sys\n"
        "from evcards.cli import main\n"
        "sys.argv = ['evcards', 'search', 'stripes']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('lxml', 'docx', 'trafilatura')]\n"
        "heavy += [m for m in ('evcards.core.models', 'evcards.store.cardfile') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out, out
    assert "zebra" in out


def test_printing_hits_reads_rows_not_card_files(filled: Library, runner, monkeypatch) -> None:
    from evcards.store import cardfile

    monkeypatch.setattr(
        "evcards.index.schema.RACY_NS", 0
    )  # so that the fresh file is not re-read as racy
    put(filled, tag="zebra", body=body("stripes"))
    search(filled.root, "x")  # index built; from here no card file may be parsed

    def no_models(*args: object, **kw: object) -> None:
        raise AssertionError("a card was parsed into a model while printing hits")

    monkeypatch.setattr(cardfile, "loads", no_models)
    monkeypatch.setattr("evcards.index.build._read", no_models)
    for extra in ([], ["--json"]):
        result = runner.invoke(app, ["search", "stripes", *extra])
        assert result.exit_code == 0, result.output
        assert "zebra" in result.stdout


def test_many_duplicates_do_not_hide_the_next_result(filled: Library) -> None:
    cut = ("ocean ", Span(text="acidification", underline=True))
    for i in range(40):  # one cut of one text, retagged 40 times: one result
        put(filled, tag=f"acid {i}", body=body(*cut), sources=[Source(file=f"f{i}.docx")])
    other = put(filled, tag="other", body=body(f"{FILLER} ocean acidification elsewhere"))
    hits = search(filled.root, "acidification", limit=2)
    assert len(hits) == 2 and hits[1].id == other
    assert (hits[0].copies, hits[0].seen) == (40, 40)


def test_an_old_best_match_ranks_first_among_many_newer_weak_ones(lib: Library) -> None:
    """Every match is ranked (there was a cap of the newest 5,000, and --thorough): an old card
    whose body is the best match for a common word comes first among 20,000 newer cards that
    mention it once in a long body."""
    import os

    from evcards.index.build import rebuild
    from evcards.store.cardfile import dumps

    best = new_card(tag="claims", body=body("the war, the war, the war: war " + FILLER))
    path = lib.write(best)
    os.utime(path, ns=(1, 1))  # the oldest file of all
    filler = " ".join(FILLER.split()[i % 9] for i in range(80))
    for i in range(scaled(20_000, 2_000)):
        card = new_card(tag=f"point {i}", body=body(f"{filler} war {i} {filler}"))
        (lib.root / f"{card.id}.toml").write_text(dumps(card), encoding="utf-8")
    rebuild(lib.root)
    hits = search(lib.root, "war", limit=3)
    assert hits[0].id == best.id
    assert hits[0].rank == 1 and len(hits) == 3


def test_a_filter_keeps_an_old_card_among_newer_matches(filled: Library) -> None:
    """A year filter must not come back empty because the newest matches are all too new."""
    old = put(filled, tag="zebra", cite=Cite(short="Old 10"), body=body(f"{FILLER} old"))
    search(filled.root, "warm the index")
    for i in range(6):
        put(filled, tag=f"zebra {i}", cite=Cite(short="New 24"), body=body(f"{FILLER} new {i}"))
        search(filled.root, "warm the index")
    assert ids(filled, "zebra", filters=Filters(year_from=2010, year_to=2010), limit=1) == [old]


def test_analytics_rank_below_cards_unless_asked_for(filled: Library, runner) -> None:
    lib = filled
    analytic = put(lib, tag="zebra zebra zebra", kind="analytic")
    card = put(lib, tag="claims", body=body(f"{FILLER} zebra"))
    assert ids(lib, "zebra") == [card, analytic]  # the analytic's tag would score higher
    assert ids(lib, "zebra", kind="analytic") == [analytic]
    assert ids(lib, "zebra", kind="card") == [card]
    result = runner.invoke(app, ["search", "zebra", "--kind", "analytic", "--json"])
    assert result.exit_code == 0, result.output
    [hit] = json.loads(result.stdout)
    assert (hit["id"], hit["kind"]) == (analytic, "analytic")
    # --thorough is what every search now does: still accepted, changing nothing
    result = runner.invoke(app, ["search", "zebra", "--thorough", "--json"])
    assert [r["id"] for r in json.loads(result.stdout)] == [card, analytic]


def test_equal_scores_come_in_the_same_order_however_the_index_holds_them(lib):
    """Cards that score the same for a query are listed in card-id order, before and after
    a rebuild adds them to the index in another order, and across the index's pages."""
    from evcards.index.build import rebuild

    cards = [  # one length, one match each: equal scores, but no two cards the same
        new_card(tag=f"Same words {i:03d}", body=[[Span(text=f"alliance collapse w{i:03d}")]])
        for i in range(scaled(120, 40))
    ]
    with lib.lock():
        for card in cards:
            lib.add(card)
    first = [hit.id for hit in search(lib.root, "alliance", limit=len(cards))]
    few = [hit.id for hit in search(lib.root, "alliance", limit=5)]
    for card in reversed(cards):  # the same cards, touched in the other order
        path = lib.path_of(card.id)
        assert path is not None
        os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    rebuild(lib.root)
    again = [hit.id for hit in search(lib.root, "alliance", limit=len(cards))]
    assert first == again == sorted(c.id for c in cards)
    assert few == first[:5]


def test_groups_of_equal_scores_across_pages_and_reads(lib: Library) -> None:
    """Groups of equal scores of many sizes, some of them duplicates: every limit gives the
    head of the whole list, which is in (score, card id) order with each dupkey once. (The
    catalog is read a few groups at a time, and pages grow fourfold from 2 * limit + 10.)"""
    cards = []
    for group, size in enumerate([1, 3, 7, 30, 2, 12, 1, 25]):
        padding = " ".join(["pad"] * group)  # a longer body scores lower: one score a group
        for i in range(size):
            text = f"mangrove {padding} g{group}x{i % max(1, size - 2)}"  # a few duplicates
            cards.append(new_card(tag=f"t{group} {i}", body=[[Span(text=text)]]))
    with lib.lock():
        for card in cards:
            lib.add(card)
    whole = search(lib.root, "mangrove", limit=len(cards))
    assert [(-h.score, h.id) for h in whole] == sorted((-h.score, h.id) for h in whole)
    assert len(whole) == len({h.snippet for h in whole}) < len(cards)  # duplicates collapsed
    for limit in range(1, len(whole) + 1, 3):
        assert [h.id for h in search(lib.root, "mangrove", limit=limit)] == [
            h.id for h in whole[:limit]
        ]


def test_catalog_reads_in_batches_give_the_same_hits(filled: Library, monkeypatch) -> None:
    """An export asks for up to 100,000 hits, more values than one SQL IN (...) may take:
    the catalog is read in batches, here of 3, to the same answer."""
    from evcards.index import search as search_module

    monkeypatch.setattr("evcards.index.schema.RACY_NS", 0)  # no re-read between the two
    for i in range(8):
        put(filled, tag=f"heron {i}", body=body(f"herons wade {'slowly ' * i}"))
    for colour in ("yellow", "green"):  # one cut of one text twice: one hit, two copies
        put(filled, tag="heron", body=body("herons ", Span(text="fish", highlight=colour)))
    whole = [h.as_json() for h in search(filled.root, "heron", limit=50)]
    monkeypatch.setattr(search_module, "_BATCH", 3)
    assert [h.as_json() for h in search(filled.root, "heron", limit=50)] == whole
    assert len(whole) == 9 and sorted(h["copies"] for h in whole) == [1] * 8 + [2]
