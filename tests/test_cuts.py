"""Near-duplicate cuts: the keys (core/neardup), the grouping of a catalog (index/cuts), the
library's groups as cards come and go, and `search` / `search --cuts` / `evcards cuts`."""

from __future__ import annotations

import json
import sqlite3

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from evcards.cli import app
from evcards.core import neardup
from evcards.core.models import Cite, Span, new_card
from evcards.index import cuts
from evcards.index.search import search
from evcards.index.sync import ensure
from evcards.store.library import Library

# -- the method ---------------------------------------------------------------------------------
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
SENTENCE = st.lists(WORDS, min_size=neardup.MIN_WORDS, max_size=20).map(" ".join)
ARTICLE = st.lists(SENTENCE, min_size=3, max_size=12, unique=True)


def text(sentences: list[str]) -> str:
    return ". ".join(s.capitalize() for s in sentences) + "."


@settings(max_examples=examples(200))
@given(ARTICLE, st.data())
def test_a_trim_keeps_a_key_of_the_original(article: list[str], data: st.DataObject) -> None:
    """A cut trimmed by sentences at either end is grouped with the whole whenever it keeps
    one of the pairs the whole was keyed on by content (most trims: the measured recall on
    the generated set below)."""
    start = data.draw(st.integers(0, len(article) - 2))
    end = data.draw(st.integers(start + 2, len(article)))
    whole, trimmed = neardup.keys_of(text(article)), neardup.keys_of(text(article[start:end]))
    picked = {k for k in whole if k % neardup.SAMPLE == 0}
    if picked & neardup.pair_hashes(text(article[start:end])):
        assert neardup.groups([whole, trimmed]) == [0, 0]
    if set(whole) & neardup.pair_hashes(text(article[start:end])) - picked:
        assert set(whole) & set(trimmed)  # a smallest hash kept is a smallest of the trim


@settings(max_examples=examples(100))
@given(ARTICLE, st.data())
def test_marks_and_whitespace_do_not_change_the_keys(
    article: list[str], data: st.DataObject
) -> None:
    """Re-highlighting changes marks, not text; paragraphs and spacing are not text either."""
    plain = text(article)
    respaced = plain.replace(". ", data.draw(st.sampled_from([".\n", ".  ", ". \n "])), 1)
    assert neardup.keys_of(respaced.upper()) == neardup.keys_of(plain)


@settings(max_examples=examples(100))
@given(ARTICLE, ARTICLE)
def test_unrelated_articles_are_not_grouped(a: list[str], b: list[str]) -> None:
    pairs = set(zip(a, a[1:], strict=False)) & set(zip(b, b[1:], strict=False))
    if len(a) > 1 and len(b) > 1 and not pairs:
        assert not set(neardup.keys_of(text(a))) & set(neardup.keys_of(text(b)))


def test_keys_are_few_and_a_card_with_no_long_sentence_keys_on_its_text() -> None:
    long = text([f"sentence number {i} says several different things here" for i in range(30)])
    assert len(neardup.keys_of(long)) <= neardup.KEYS + neardup.LEAST
    assert neardup.keys_of("Short. Bits.") == neardup.keys_of("short.   bits.")
    assert neardup.keys_of("   ") == []


def test_pair_scores() -> None:
    assert neardup.pair_scores([1, 1, 2, 2], [1, 1, 2, 2]) == (1.0, 1.0)
    assert neardup.pair_scores([1, 1, 2, 2], [1, 1, 1, 1]) == (2 / 6, 1.0)
    assert neardup.pair_scores([1, 1, 1, 2], [1, 1, 2, 3]) == (1.0, 1 / 3)


# -- grouping a generated set -------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated() -> tuple[list[dict[str, str]], list[int]]:
    import odegen

    if not odegen.available():
        pytest.skip("../shared/corpus/debatesum is not present")
    made = odegen.Generated()
    rows = list(odegen.generate(3000, seed=7, out=made))
    return rows, made.groups


def test_generated_set_is_grouped_at_the_targets(
    generated: tuple[list[dict[str, str]], list[int]],
) -> None:
    rows, truth = generated
    assert len(set(truth)) < len(rows) * 0.7  # a real share of re-cuts to find
    found = neardup.groups([neardup.keys_of(r["fulltext"]) for r in rows])
    precision, recall = neardup.pair_scores(truth, found)
    assert precision >= 0.98
    assert recall >= 0.95


def test_on_disk_grouping_agrees_with_the_reference(
    generated: tuple[list[dict[str, str]], list[int]],
) -> None:
    rows, _ = generated
    keys = [neardup.keys_of(r["fulltext"]) for r in rows]
    db = sqlite3.connect(":memory:")
    db.executescript(cuts.CUTKEYS)
    cuts.store_keys(db, ((i + 1, k) for i, k in enumerate(keys)))  # catalog keys from 1
    multi = cuts.group(db)
    stored = dict(db.execute("SELECT key, grp FROM cutgroups").fetchall())
    reference = neardup.groups(keys)
    assert [stored.get(i + 1, i + 1) - 1 for i in range(len(rows))] == reference
    sizes = {g: reference.count(g) for g in set(reference)}
    assert multi == sum(1 for n in sizes.values() if n > 1)
    for _key, grp, n in db.execute("SELECT key, grp, cuts FROM cutgroups"):
        assert n == sizes[grp - 1]


# -- the library --------------------------------------------------------------------------------
ARTICLE_TEXT = [
    "The alliance between the two powers has grown stronger every single year",
    "Officials in both capitals now meet each month to coordinate their plans",
    "Analysts warn that the partnership could embolden aggression in the region",
    "Western governments have struggled to find a coherent answer to the shift",
    "Sanctions alone have failed to slow the deepening of military cooperation",
]


def cut(lib: Library, start: int, end: int, word: str = "", mark: str = "", tag: str = "") -> str:
    sentences = ARTICLE_TEXT[start:end]
    spans = [Span(text=". ".join(sentences) + ". ")]
    if mark:
        spans.append(Span(text=mark, highlight="yellow"))
    card = new_card(
        tag=tag or f"Alliance cut {start}-{end} {word}",
        cite=Cite(short=f"Doe {start}{end}"),
        body=[spans],
    )
    lib.write(card)
    return card.id


def other(lib: Library, n: int) -> str:
    card = new_card(
        tag=f"Unrelated alliance {n}",
        cite=Cite(short="Roe 20"),
        body=[[Span(text=f"An alliance story number {n} with its own wording and words {n}.")]],
    )
    lib.write(card)
    return card.id


def test_search_shows_one_result_per_group_with_its_cuts(lib: Library) -> None:
    a = cut(lib, 0, 5)
    b = cut(lib, 1, 4, mark="More alliance alliance alliance words.")
    c = cut(lib, 0, 3)
    lone = other(lib, 1)
    hits = search(lib.root, "alliance")
    assert {h.id for h in hits} & {a, b, c} and lone in {h.id for h in hits}
    grouped = [h for h in hits if h.id in {a, b, c}]
    assert len(grouped) == 1 and grouped[0].cuts == 3
    assert next(h for h in hits if h.id == lone).cuts == 1
    every = search(lib.root, "alliance", cuts="every")
    assert {h.id for h in every} == {a, b, c, lone}
    assert {h.id: h.cuts for h in every} == {a: 3, b: 3, c: 3, lone: 1}
    off = search(lib.root, "alliance", cuts="off")
    assert {h.cuts for h in off} == {1} and len(off) == 4
    # The group's best-ranked cut comes first: the one --cuts ranks highest among them.
    assert grouped[0].id == next(h.id for h in every if h.id in {a, b, c})


def test_groups_follow_cards_as_they_come_and_go(lib: Library) -> None:
    a = cut(lib, 0, 3)
    c = cut(lib, 2, 5)  # shares nothing with a
    assert {h.id: h.cuts for h in search(lib.root, "alliance")} == {a: 1, c: 1}
    bridge = cut(lib, 1, 4)  # shares a pair with each: one group of three
    hits = search(lib.root, "alliance")
    assert len(hits) == 1 and hits[0].cuts == 3
    lib.remove(lib.resolve(bridge)[0])
    assert {h.id: h.cuts for h in search(lib.root, "alliance")} == {a: 1, c: 1}
    ix = ensure(lib.root)
    try:
        held = {k for (k,) in ix.db.execute("SELECT key FROM cutkeys")}
        live = {k for (k,) in ix.db.execute("SELECT key FROM cards")}
    finally:
        ix.close()
    assert held <= live  # the removed card's keys went with it


def test_cuts_command_and_json(lib: Library, runner: CliRunner) -> None:
    a = cut(lib, 0, 5)
    b = cut(lib, 1, 5, word="fixed")
    lone = other(lib, 2)
    out = runner.invoke(app, ["search", "alliance", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert sorted(r["cuts"] for r in rows) == [1, 2]
    out = runner.invoke(app, ["search", "alliance", "--cuts", "--json"])
    assert sorted(r["cuts"] for r in json.loads(out.output)) == [1, 2, 2]
    out = runner.invoke(app, ["search", "alliance"])
    assert "2 cuts" in out.output
    out = runner.invoke(app, ["cuts", b[:8], "--json"])
    assert out.exit_code == 0, out.output
    listed = json.loads(out.output)
    assert [c["id"] for c in listed] == [b, a]
    assert listed[0]["where"] == "lib" and listed[0]["path"].endswith(".toml")
    out = runner.invoke(app, ["cuts", lone])
    assert out.exit_code == 0 and "1 cut of" in out.output
    out = runner.invoke(app, ["cuts", "ffffffffffff"])
    assert out.exit_code == 1 and out.output.startswith("Error: no card with id")


def test_groups_read_at_once_agree_with_one_at_a_time(
    generated: tuple[list[dict[str, str]], list[int]],
) -> None:
    """cuts.groups_of (a search page's groups in a few queries) against cuts.component and
    cuts.cuts_count (one card at a time, the reference), copies of a cut counted once."""
    import random

    rows, _ = generated
    db = sqlite3.connect(":memory:")
    db.executescript(cuts.CUTKEYS + cuts.CUTKEYS_INDEXES)
    db.execute("CREATE TABLE cards (key INTEGER PRIMARY KEY, dupkey TEXT)")
    rng = random.Random(5)
    dupkeys = [f"d{i // 2 if rng.random() < 0.2 else i}" for i in range(len(rows))]
    db.executemany("INSERT INTO cards VALUES (?, ?)", enumerate(dupkeys, 1))
    cuts.store_keys(db, ((i + 1, neardup.keys_of(r["fulltext"])) for i, r in enumerate(rows)))
    seeds = rng.sample(range(1, len(rows) + 1), 60)
    together = cuts.groups_of(db, seeds)
    for seed in seeds:
        members = cuts.component(db, seed)
        assert together[seed] == (min(members), cuts.cuts_count(db, members))
        assert {k for k, (g, _) in together.items() if g == min(members)} == members


def test_group_keeps_the_datasets_duplicate_count() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(cuts.CUTKEYS)
    cuts.store_keys(db, [(1, [10, 11]), (2, [11, 12]), (3, [20])])
    db.execute("CREATE TABLE rows (key INTEGER, dup INTEGER)")
    db.executemany("INSERT INTO rows VALUES (?, ?)", [(1, 4), (2, 0), (3, None)])
    assert cuts.group(db, "SELECT key, dup FROM rows") == 1
    got = db.execute("SELECT key, grp, cuts FROM cutgroups ORDER BY key").fetchall()
    assert got == [(1, 1, 6), (2, 1, 6), (3, 3, 1)]
    assert cuts.group(db) == 1
    assert db.execute("SELECT cuts FROM cutgroups WHERE key = 1").fetchone() == (2,)


def test_groups_are_followed_to_the_limit_and_no_further() -> None:
    """A bucket fifty cards share (a sentence pair quoted in each) is read only as far as
    `limit` cards: at most `limit` cards come back, all of one group; with room for all,
    the whole group, as `component` finds it."""
    db = sqlite3.connect(":memory:")
    db.executescript(cuts.CUTKEYS + cuts.CUTKEYS_INDEXES)
    db.execute("CREATE TABLE cards (key INTEGER PRIMARY KEY, dupkey TEXT)")
    db.executemany("INSERT INTO cards VALUES (?, ?)", ((k, f"d{k}") for k in range(1, 61)))
    cuts.store_keys(db, [(k, [7, 100 + k]) for k in range(1, 51)])  # 1-50 share bucket 7
    cuts.store_keys(db, [(k, [200 + k]) for k in range(51, 61)])  # 51-60 alone
    for limit in (1, 2, 10, 49):
        got = cuts.groups_of(db, [1], limit=limit)
        assert len(got) == limit and {g for g, _ in got.values()} == {1}
        assert got[1][1] == limit
    whole = cuts.groups_of(db, [1, 55], limit=100)
    assert {k for k, (g, _) in whole.items() if g == 1} == cuts.component(db, 1)
    assert whole[1] == (1, 50) and whole[55] == (55, 1)


def test_search_follows_groups_only_so_far(lib: Library, monkeypatch) -> None:
    """search.SEARCH_GROUP bounds the cards a search follows; a group within it is whole."""
    from evcards.index import search as searching

    ids = {cut(lib, 0, 5), cut(lib, 1, 4), cut(lib, 0, 3)}
    whole = search(lib.root, "alliance", cuts="every")
    assert {h.id: h.cuts for h in whole} == dict.fromkeys(ids, 3)
    monkeypatch.setattr(searching, "SEARCH_GROUP", 2)
    [best] = search(lib.root, "alliance", limit=1)  # one candidate, followed to one more card
    assert best.id in ids and best.cuts == 2
    cut_short = search(lib.root, "alliance", cuts="every")  # three candidates: none followed
    assert {h.id for h in cut_short} == ids and {h.cuts for h in cut_short} == {1}
