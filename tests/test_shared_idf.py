"""Several indexes ranked as one (evcards.index.shared).

The reference is one tantivy index holding every card: each card's score in its own part,
queried with the shared scale and rescored with the shared field lengths, must equal its
score in the whole, to float precision. Every field of every card starts with "the", so that
each part's average length of each field can be read (index.shared._lengths).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from budget import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evcards.index import fulltext
from evcards.index.query import WEIGHTS, leaves, text_query, weights_for
from evcards.index.shared import Shared, idf

WORDS = ("nuclear", "war", "china", "trade", "alliance", "russia", "economy", "deterrence")
LENGTHS = {"tag": 6, "cite": 4, "spoken": 4, "body": 12}  # the most words of each field


def _doc(words: dict[str, list[str]]) -> dict[str, object]:
    doc: dict[str, object] = {name: " ".join(["the", *ws]) for name, ws in words.items()}
    return doc | {"highlighted": True, "analytic": False}


def _index(path: Path, docs: list[tuple[int, dict[str, object]]]):
    index = fulltext.create(path)
    w = fulltext.writer(index)
    for key, doc in docs:
        w.add_document(fulltext.document(key, doc))
    w.commit()
    w.wait_merging_threads()
    index.reload()
    return index


def _scores(index, query: str, source=None) -> dict[int, float]:
    searcher = index.searcher()
    q = text_query(query, WEIGHTS, source.scale(searcher) if source else None)
    if q is None:
        return {}
    hits = searcher.search(q, 1000).hits
    keys = searcher.fast_field_values("key", [a for _, a in hits])
    scores = [float(s) for s, _ in hits]
    if source is not None:
        scores = source.rescored(searcher, q, [(float(s), a) for s, a in hits])
    return {int(k): s for s, k in zip(scores, keys, strict=True)}


card = st.fixed_dictionaries(
    {name: st.lists(st.sampled_from(WORDS), max_size=n) for name, n in LENGTHS.items()}
)
queries = st.sampled_from(
    ["nuclear", "nuclear war", '"nuclear war"', "china OR russia trade", "alliance NOT war",
     "deterrence economy", "war*", "trade war*"]
)  # fmt: skip


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cards=st.lists(card, min_size=2, max_size=30), cut=st.integers(1, 29), query=queries)
def test_each_part_scaled_ranks_as_the_whole_index(tmp_path_factory, cards, cut, query):
    cut = min(cut, len(cards) - 1)
    docs = [(key, _doc(c)) for key, c in enumerate(cards)]
    root = tmp_path_factory.mktemp("shared")
    whole = _index(root / "whole", docs)
    parts = {"a": _index(root / "a", docs[:cut]), "b": _index(root / "b", docs[cut:])}
    shared = Shared(leaves(query, WEIGHTS))
    for name, ix in parts.items():
        lengths = shared.add(name, ix.searcher()).lengths
        # A phrase's leaf is told from its field's average length; two fields of one part
        # with the same average leave it unrescored (index.shared says so): not this test.
        assume('"' not in query or len(set(lengths.values())) == len(lengths))
    expected = _scores(whole, query)
    got: dict[int, float] = {}
    for name, ix in parts.items():
        got |= _scores(ix, query, shared.source(name))
    assert got.keys() == expected.keys()
    for key, score in expected.items():
        assert got[key] == pytest.approx(score, rel=1e-4), (key, query)


def test_field_ids_are_the_ones_tantivy_explains(tmp_path):
    import json

    import tantivy

    from evcards.index.shared import FIELD_IDS, _field_of, _find

    ix = _index(tmp_path / "ids", [(1, _doc({n: ["war"] for n in LENGTHS}))])
    searcher = ix.searcher()
    for name in LENGTHS:
        q = tantivy.Query.term_query(fulltext.schema(), name, "war")
        hit = searcher.search(q, 1).hits[0][1]
        node = _find(json.loads(q.explain(searcher, hit).to_json()), "TermQuery")
        assert node is not None and _field_of(node) == name
    assert sorted(FIELD_IDS.values()) == sorted(LENGTHS)


def test_one_source_is_left_as_it_is(tmp_path):
    ix = _index(tmp_path / "one", [(1, _doc({n: ["war"] * k for n, k in LENGTHS.items()}))])
    shared = Shared(leaves("war", WEIGHTS))
    assert shared.scale(shared.add("lib", ix.searcher())) is None
    assert shared.source("lib").scale(ix.searcher()) is None


def test_a_word_rare_in_one_source_and_common_in_the_other_weighs_the_same_in_both():
    shared = Shared({("body", "war")})
    from evcards.index.shared import Counts

    small = Counts(8, {("body", "war"): 1})
    big = Counts(10_000, {("body", "war"): 5_000})
    shared.sources = {"lib": small, "ode": big}
    both = idf(5_001, 10_008)
    for counts in (small, big):
        scale = shared.scale(counts)
        assert scale is not None
        assert scale("body", ["war"]) * idf(counts.held[("body", "war")], counts.total) == (
            pytest.approx(both)
        )


def test_leaves_are_every_scored_word_in_every_field_and_no_prefix():
    got = leaves('"nuclear war" econ* NOT china', weights_for(False))
    assert got == {(f, w) for f in WEIGHTS for w in ("nuclear", "war", "china")}
    assert leaves("war", weights_for(True)) == {("spoken", "war")}


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cards=st.lists(card, min_size=2, max_size=30), cut=st.integers(1, 29), query=queries)
def test_the_fast_rescoring_walk_gives_the_references_scores_to_the_bit(
    tmp_path_factory, cards, cut, query
):
    import json

    from evcards.index.shared import _again, again

    cut = min(cut, len(cards) - 1)
    docs = [(key, _doc(c)) for key, c in enumerate(cards)]
    root = tmp_path_factory.mktemp("again")
    parts = {"a": _index(root / "a", docs[:cut]), "b": _index(root / "b", docs[cut:])}
    shared = Shared(leaves(query, WEIGHTS))
    for name, ix in parts.items():
        shared.add(name, ix.searcher())
    lengths = shared.lengths()
    for name, ix in parts.items():
        searcher = ix.searcher()
        q = text_query(query, WEIGHTS, shared.source(name).scale(searcher))
        if q is None:
            continue
        mine = shared.sources[name].lengths
        # as Sourced.rescored tells a phrase's field (or two fields sharing an average)
        by_length: dict[float, str | None] = {}
        for field_name, avg in mine.items():
            by_length[avg] = None if avg in by_length else field_name
        for _score, address in searcher.search(q, 1000).hits:
            tree = json.loads(q.explain(searcher, address).to_json())
            assert again(tree, by_length, lengths, None) == _again(tree, by_length, lengths, None)


def test_the_fast_walk_leaves_an_unexpected_leaf_to_the_reference():
    from evcards.index.shared import _TF, _again, again

    leaf = {
        "value": 3.0,
        "description": "TermQuery, product of...",
        "context": ['Term=Term(field=5, type=Str, "war")'],
        "details": [
            {"value": 2.2, "description": "(K1+1)"},
            {
                "value": 0.5,
                "description": _TF,
                "details": [
                    {"value": 1.0, "description": "freq, occurrences of term within document"},
                    {"value": 1.2, "description": "k1, term saturation parameter"},
                    {"value": 0.75, "description": "b, length normalization parameter"},
                    {"value": 9.0, "description": "dl, length of field"},
                    {"value": 9.0, "description": "dl, a second length"},
                    {"value": 7.0, "description": "avgdl, average length of field"},
                ],
            },
        ],
    }
    tree = {"value": 30.0, "description": "Boost x10 of ...", "details": [leaf]}
    shared = {"body": 11.0}
    assert again(tree, {}, shared, None) == _again(tree, {}, shared, None) != 30.0


def test_a_stored_lengths_memo_reads_back_and_anything_else_reads_as_none():
    from evcards.index.shared import memo_json, memo_of_json

    memo = {("common", "body"): (482.25, 1001), ("any", "body"): (482.25, 1001)}
    memo[("common", "cite")] = None
    assert memo_of_json(memo_json(memo)) == memo
    for bad in (None, "", "{not json", '{"a": 1}', "[[1]]", '[["any", "body", "x"]]', "7"):
        assert memo_of_json(bad) == {}, bad
