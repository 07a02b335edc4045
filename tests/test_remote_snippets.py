"""`search --remote` snippets, cut here: the words the server's English config matches are
marked, found by leads (`remote/snippet.py`) as by asking about every word."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import psycopg
from hypothesis import given
from hypothesis import strategies as st
from remote_fixtures import card, library, pg_url_fixture, tdb_fixture  # noqa: F401
from remote_pg import TeamDb

from evcards.remote import remotes
from evcards.remote.push import push
from evcards.remote.snippet import candidates, every_word, leads, snippets, wanted

_MARKED = re.compile(r"«([^«»]*)»")


def _bodies(corpus: Path, n: int) -> list[str]:
    """The first `n` DebateSum extracts, less the characters evcards' markup reads."""
    out = []
    with gzip.open(corpus / "debatesum" / "train-DebateSum.jsonl.gz", "rt") as f:
        for line in f:
            extract = json.loads(line)["source_sample"]["Extract"]
            out.append(re.sub(r"[^\w\s.,;:'()?-]|_", " ", extract)[:2500])
            if len(out) == n:
                break
    return out


def _words(corpus: Path) -> list[str]:
    seen: set[str] = set()
    with gzip.open(corpus / "debatesum" / "train-DebateSum.jsonl.gz", "rt") as f:
        for line in f:
            seen |= {w.lower() for w in re.findall(r"[^\W_]+", line)}
    return sorted(seen)


def test_a_word_begins_with_the_lead_of_each_stem_the_server_gives_it(
    corpus: Path, tdb: TeamDb
) -> None:
    """What `candidates` rests on, over every word of the DebateSum corpus and the Snowball
    stemmer's exceptions: a lexeme's lead begins each word the server turns into it."""
    words = [*_words(corpus), "dying", "lying", "tying", "skies", "news", "early", "ugly"]
    with psycopg.connect(tdb.url("owner")) as conn:
        rows = conn.execute(
            "SELECT w, tsvector_to_array(to_tsvector('english', w)) FROM unnest(%s::text[]) w",
            [words],
        ).fetchall()
    assert len(rows) > 40_000
    # A word the parser splits into several tokens (`5e90cfc8`: a number and a word) matches
    # by its parts, not as one word: left out.
    wrong = [
        (w, x)
        for w, xs in rows
        if len(xs) == 1
        for x in xs
        if not any(w.startswith(lead) for lead in leads(x))
    ]
    assert wrong == []


@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "war",
                    "wars",
                    "warring",
                    "Dying",
                    "die",
                    "happy",
                    "happiness",
                    "x",
                    "WAR_x",
                    "dye",
                ]
            ),
            max_size=12,
        ).map(" ".join),
        max_size=4,
    ),
    st.lists(st.sampled_from(["war", "die", "happi", "x", "a"]), max_size=3),
)
def test_candidates_are_the_words_that_begin_with_a_lead(texts: list[str], lexemes: list[str]):
    begins = tuple(x for lexeme in lexemes for x in leads(lexeme))
    assert candidates(texts, lexemes) == [
        {w for w in words if w.startswith(begins)} for words in every_word(texts, lexemes)
    ]


def test_wanted_drops_what_a_match_does_not_hold():
    assert wanted('nuclear -war or "trade deficit" -"cold war"').split() == [
        "nuclear",
        "trade",
        "deficit",
    ]
    assert wanted("Oregon or-not").split() == ["Oregon", "or-not"]


def test_snippets_mark_the_words_given_around_the_thickest_match():
    text = "One two three four five six seven eight nine ten.\nWars end; the war ended."
    [cut] = snippets([text], every_word([text], ["war"]), {"wars", "war"})
    assert _MARKED.findall(cut) == ["Wars", "war"] and "¶" in cut
    assert snippets(["No match here at all"], [set()], set()) == ["No match here at all"]


def test_remote_snippets_mark_what_the_server_matches(corpus: Path, tdb: TeamDb, tmp_path: Path):
    """Real bodies, queries whose words the server stems: the snippets by leads are those by
    every word asked about, and each marked word is one the server matches to the query."""
    from evcards.core.markup import parse
    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        for i, body in enumerate(_bodies(corpus, 60)):
            a.add(card(i).model_copy(update={"body": parse(body)}))
    squad = remotes.get(a, "squad")
    push(a, squad)
    queries = [
        "politics",
        "international relations",
        "dying",
        "emergencies -war",
        "nuclear OR economy",
        "the",
        '"world order"',
    ]
    marked = 0
    with psycopg.connect(tdb.url("owner")) as conn:
        for q in queries:
            got = search(a, squad, q, limit=10)
            want = search(a, squad, q, limit=10, fast=False)
            assert [(h.id, h.snippet) for h in got] == [(h.id, h.snippet) for h in want], q
            words = sorted({w.lower() for h in got for w in _MARKED.findall(h.snippet)})
            if not words:
                continue
            marked += len(words)
            ok = conn.execute(
                "SELECT bool_and(tsvector_to_array(to_tsvector('english', w))"
                " && tsvector_to_array(to_tsvector('english', %s))) FROM unnest(%s::text[]) w",
                [wanted(q), words],
            ).fetchone()
            assert ok and ok[0], (q, words)
    assert marked > 10
    assert all("«" not in h.snippet for h in search(a, squad, "the", limit=5))  # a stop word


def test_a_card_with_no_text_to_show_shows_its_tag(tdb: TeamDb, tmp_path: Path):
    from evcards.core.markup import parse
    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        a.add(card(1, tag="Sanctions always fail").model_copy(update={"body": parse("")}))
    push(a, remotes.get(a, "squad"))
    [hit] = search(a, remotes.get(a, "squad"), "sanctions")
    assert hit.snippet == "«Sanctions» always fail"
