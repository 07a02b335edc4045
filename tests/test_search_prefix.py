"""A one-word prefix ranked as the words it stands for, and the tiers written as exclusions:
each beside the form it replaced (evcards.index.query)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evcards.core.models import Cite, Location, Span, new_card
from evcards.index import query as q
from evcards.index.search import Filters, search
from evcards.index.sync import Index, ensure
from evcards.store.library import Library

FILLER = "the committee considered several unrelated matters over many long months"


def put(lib: Library, tag: str, text: str = "", **fields: object) -> str:
    card = new_card(tag=tag, body=[[Span(text=text)]] if text else [], **fields)
    lib.write(card)
    return card.id


@pytest.fixture
def econ(lib: Library) -> Library:
    """Cards holding words that begin with `econ`, each word in a different number of cards
    and fields, among filler cards (so that BM25's idf is positive)."""
    for i in range(20):
        put(lib, f"filler {i}", f"{FILLER} {i}", cite=Cite(short=f"Doe {i:02d}"))
    for i in range(6):
        put(lib, f"claims {i}", f"{FILLER} the economy grows {i}")
    for i in range(3):
        put(lib, f"economic claims {i}", f"{FILLER} economic decline {i}")
    put(lib, "claims x", f"{FILLER} econometrics is hard")
    put(lib, "claims y", f"{FILLER} econometrics and the economy", cite=Cite(short="Econ 19"))
    put(lib, "an econ analytic", kind="analytic")
    put(lib, "claims z", f"{FILLER} no such word", location=Location(pocket="econ"))
    return lib


@pytest.fixture
def ix(econ: Library) -> Iterator[Index]:
    index = ensure(econ.root, fulltext=True)
    yield index
    index.close()


def matches(ix: Index, query: object) -> list[tuple[int, int, float]]:
    """Every match, as (segment, document, score), in the index's order."""
    hits = ix.searcher().search(query, 1000).hits  # type: ignore[arg-type]
    return sorted((a.segment_ord, a.doc, round(score, 4)) for score, a in hits)


def test_a_prefix_ranks_as_the_words_it_stands_for_or_ed(econ: Library) -> None:
    """The rule: `econ*` scores each card as `econometrics OR economic OR economy OR econ`
    would, BM25 and field weights alike (tantivy's own prefix query gave every card with the
    prefix in the same fields one score, so the rarer `econometrics` tied `economy`)."""
    typed = search(econ.root, "econ OR econometrics OR economic OR economy")
    hits = search(econ.root, "econ*")
    assert {h.id: h.score for h in hits} == pytest.approx({h.id: h.score for h in typed})
    cards = [h.score for h in hits if h.kind == "card"]
    assert cards == sorted(cards, reverse=True)
    body_only = {h.tag: h.score for h in hits if h.tag in ("claims 0", "claims x")}
    assert body_only["claims x"] > body_only["claims 0"]  # the rarer word weighs more
    assert hits[-1].kind == "analytic"  # the tiers are kept
    assert len(hits) == 6 + 3 + 2 + 1


def test_a_prefix_matches_what_tantivys_prefix_query_matched(ix: Index) -> None:
    """Up to MAX_EXPANSION words a field, the expansion matches the same documents as the
    constant-score prefix query it replaced; only the scores differ."""
    searcher = ix.searcher()
    for typed in ("econ*", "econom*", "econ* claims", "claims NOT econ*", "e*", "zzz*", '"the e"*'):
        before = q.text_query(typed, q.WEIGHTS)
        after = q.text_query(typed, q.WEIGHTS, expand=q.expander(searcher))
        assert before is not None and after is not None
        found = [(a, b) for a, b, _ in matches(ix, after)]
        assert found == [(a, b) for a, b, _ in matches(ix, before)], typed
    assert not matches(ix, q.text_query("zzz* claims", q.WEIGHTS, expand=q.expander(searcher)))


def test_a_prefix_stands_for_its_most_common_words(
    ix: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(q, "MAX_EXPANSION", 1)
    searcher = ix.searcher()
    assert q.expander(searcher)("body", "econ") == ["economy"]  # 7 cards; economic 3
    assert q.expander(searcher)("tag", "econ") == ["economic"]  # 3 tags against 1
    assert q.expander(searcher)("tag", "zzz") == []


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(body=["committee"]), Filters(pocket=["econ"]), Filters(tag=["claims"])],
)
@pytest.mark.parametrize("kind", ["card", "analytic", None])
def test_a_tier_as_an_exclusion_matches_the_tier_as_a_filter(
    ix: Index, filters: Filters, kind: str | None
) -> None:
    """`in_tier` (the other kind excluded, so that tantivy can skip) against `combine` with
    the kind as a filter: the same documents with the same scores."""
    searcher = ix.searcher()
    for typed in ("econ*", "claims", "economy OR committee", "claims NOT economy", ""):
        ranked = q.text_query(typed, q.WEIGHTS, expand=q.expander(searcher))
        if ranked is None and not q.filter_queries(filters, None):
            continue
        reference = q.combine(ranked, q.filter_queries(filters, kind))
        assert matches(ix, q.in_tier(ranked, filters, kind)) == matches(ix, reference)


def test_a_prefix_keeps_the_constant_score_when_ranked_with_other_indexes(ix: Index) -> None:
    """Across several indexes (index.shared) the words a prefix stands for differ by index,
    so the prefix keeps tantivy's score there: a constant per field, the same everywhere."""
    from itertools import combinations

    from evcards.index.search import rank
    from evcards.index.shared import Shared

    sums = {round(sum(c), 4) for n in range(1, 5) for c in combinations(q.WEIGHTS.values(), n)}
    shared = Shared(q.leaves("econ*", q.WEIGHTS))
    shared.add("other", ix.searcher())  # a second source: the same index, counted again
    merged = rank(ix, "econ*", shared=shared.source("lib"), cuts="off", limit=50).picked
    assert merged and {round(score, 4) for _, _, score, _ in merged} <= sums
    alone = rank(ix, "econ*", shared=Shared(set()).source("lib"), cuts="off", limit=50).picked
    assert {score for _, _, score, _ in alone} == {
        score for _, _, score, _ in rank(ix, "econ*", cuts="off", limit=50).picked
    }
    assert not {round(score, 4) for _, _, score, _ in alone} <= sums  # BM25 of the words
