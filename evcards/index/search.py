"""Searching the index: every match ranked by tantivy, filters, duplicates collapsed.

The query language, the field weights and the filters are in evcards.index.query. Tantivy
ranks **every** match (block-max WAND finds the top few without scoring all of them), so an
old card that is the best match for a common word comes first however many newer cards
mention it. Cards come before analytics (tags with no body) for the same query: the
analytics are ranked only when the cards run out, or alone with `kind="analytic"`.

Duplicates. The library already keeps one file per distinct card (id = content and marks)
with every sighting in `sources`; `seen` counts them. Search also collapses distinct files
that are *the same cut of the same text*: equal plain text, equal underlined text and equal
highlighted text, after Unicode NFC and whitespace normalisation (`CardFacts.dupkey`). Tag,
cite, labels, location, highlight colour, shrinking and bold may differ: they do not change
what is read. A different highlighting or underlining is a different card. A collapsed result
is the best-ranked member; its `seen` is the sum over the group and `copies` its size.

Cuts. Above that, re-cuts of one article (trimmed, highlighted or a word fixed otherwise:
evcards.core.neardup) are grouped: `cuts="group"` shows one result per group, its best-ranked
cut, with `cuts` the group's number of cuts; `cuts="every"` shows every cut, each with its
group's count; `cuts="off"` groups nothing (`cuts` is 1), for an export of every match. The
groups are followed from the candidates only, a page of them at a time
(evcards.index.cuts.groups_of), so a search costs a few small queries a page whatever the
library's size, and at most SEARCH_GROUP cards are followed a page (a group past that, such
as one joined by a sentence pair many cards quote, is counted as far as it was followed).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from evcards.index.query import (
    CONTROL,
    KINDS,
    Filters,
    expander,
    filter_queries,
    in_tier,
    parse_years,
    quote_query,
    raw_query,
    text_query,
    weights_for,
)
from evcards.index.schema import IndexDamaged, connect, index_path
from evcards.index.sync import Index, ensure, holds_cards, sync

if TYPE_CHECKING:
    import tantivy

    from evcards.index.shared import Later, Sourced
    from evcards.index.snippets import Term

__all__ = ["Filters", "Hit", "parse_years", "quote_query", "search", "search_db"]

CutsMode = Literal["group", "every", "off"]
Snippets = bool | Literal["later"]  # cut now, not at all, or when the caller asks

MARK_START, MARK_END = "\x02", "\x03"  # around each match in a snippet, styled by the caller

# Cards a search follows the library's groups of re-cuts to, for a chunk of candidates in
# all (cuts.groups_of). Following costs 10-20 us a card: at cuts.MAX_GROUP (5,000), in a
# generated library where sentence pairs quoted across many cards join most of them into one
# group, grouping took 60-110 ms of every search against 1-3 ms here (bench/README.md).
# A group bigger than this is counted only as far as it was followed.
SEARCH_GROUP = 200


@dataclass
class Hit:
    id: str
    path: str
    tag: str
    short_cite: str
    snippet: str
    words_read: int
    seen: int
    copies: int
    rank: int  # 1 for the best result
    score: float  # tantivy's BM25 with the field weights: higher is better
    labels: list[str]
    year: int | None
    kind: str
    where: str = "lib"  # the library, or the name of the collection it is in
    cuts: int = 1  # the number of cuts in the card's group of re-cuts (evcards.index.cuts)
    # With snippets="later": cuts this hit's snippet when called (a search over several
    # sources cuts only those of the hits it keeps).
    later: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    # With a shared ranking that rescores later (index.shared.Shared's `later`): the score
    # with the shared field lengths, worked out when asked; `score` is tantivy's till then.
    rescore: Later | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tag": self.tag,
            "short_cite": self.short_cite,
            "snippet": self.snippet.replace(MARK_START, "«").replace(MARK_END, "»"),
            "seen": self.seen,
            "copies": self.copies,
            "cuts": self.cuts,
            "rank": self.rank,
            "score": self.score,
            "words_read": self.words_read,
            "labels": self.labels,
            "year": self.year,
            "kind": self.kind,
            "path": self.path,
            "where": self.where,
        }


def search_db(
    ix: Index,
    query: str,
    filters: Filters | None = None,
    *,
    raw: bool = False,
    read: bool = False,
    limit: int = 20,
    kind: str | None = None,
    snippets: Snippets = True,
    cuts: CutsMode = "group",
    shared: Sourced | None = None,
) -> list[Hit]:
    """Ranked, collapsed hits from an open index (see `search` for the synced version); with
    `snippets=False` each hit's snippet is left empty and no stored text is read; with
    "later", each hit's `later` cuts it when called."""
    ranked = rank(
        ix, query, filters, raw=raw, read=read, limit=limit, kind=kind, cuts=cuts, shared=shared
    )
    if not ranked.picked:
        return []
    return _hits(ix.db, ranked, read, snippets)


@dataclass
class Ranked:
    """What ranking gives: the picked rows, best first, the searcher they came from and the
    query's terms as a snippet marks them."""

    picked: list[Picked]
    searcher: tantivy.Searcher | None
    terms: list[Term]
    cuts: dict[int, int] | None = None  # each picked key's group's number of cuts
    # With a shared ranking that rescores later (index.shared): each hit's rescoring, of
    # its score and its address.
    rescore: Callable[[float, Any], Later] | None = None


class _Groups:
    """The groups of re-cuts met while picking: `fresh(key)` is False for a card of a group
    already picked from (when grouping), and `cuts` counts each picked card's group. The
    groups of a chunk of candidates are read at once (`learn`: cuts.groups_of)."""

    def __init__(self, db: sqlite3.Connection, mode: CutsMode) -> None:
        self.db, self.mode = db, mode
        self.known: dict[int, tuple[int, int]] = {}  # key -> (its group, the group's cuts)
        self.used: set[int] = set()  # the groups picked from
        self.cuts: dict[int, int] = {}  # picked key -> its group's cuts
        self.built: bool | None = None  # whether the groups were worked out at the build

    def learn(self, keys: list[int]) -> None:
        unknown = [k for k in keys if k not in self.known]
        if unknown and self.mode != "off":
            from evcards.index import cuts

            if self.built is None:
                self.built = cuts.grouped(self.db)
            if self.built:
                self.known.update(cuts.built_groups_of(self.db, unknown))
            else:
                self.known.update(cuts.groups_of(self.db, unknown, limit=SEARCH_GROUP))

    def fresh(self, key: int) -> bool:
        if self.mode == "off":
            return True
        self.learn([key])
        group, count = self.known[key]
        if self.mode == "group" and group in self.used:
            return False
        self.used.add(group)
        self.cuts[key] = count
        return True


def rank(
    ix: Index,
    query: str,
    filters: Filters | None = None,
    *,
    raw: bool = False,
    read: bool = False,
    limit: int = 20,
    kind: str | None = None,
    cuts: CutsMode = "group",
    shared: Sourced | None = None,
) -> Ranked:
    """The best `limit` distinct results: tantivy's ranking, cards before analytics, each
    dupkey once (and each group of re-cuts once, with `cuts="group"`). `shared`: this
    index as one source of several ranked as one index (index.shared: terms weighed by the
    shared idf, the picked rescored with the shared field lengths); not for raw queries."""
    from evcards.index import snippets

    filters = filters or Filters()
    weights = weights_for(read)
    if raw and query.strip():
        ranked: tantivy.Query | None = raw_query(ix.fulltext(), query, weights)
    else:
        ranked = text_query(query, weights)
    if ranked is None and not filter_queries(filters, None):
        return Ranked([], None, [])
    searcher = ix.searcher()
    shared = None if raw else shared
    ranked = _shared_query(shared, searcher, query, weights, ranked, raw)
    taken: set[str] = set()
    picked: list[Picked] = []
    groups = _Groups(ix.db, cuts)
    for tier in [kind] if kind else list(KINDS):
        whole = in_tier(ranked, filters, tier)
        best = _best(ix.db, searcher, whole, limit)
        picked += _distinct(best, limit - len(picked), taken, groups)
    later = None
    if shared is not None and ranked is not None:
        if not shared.shared.later:
            picked = _rescored(shared, searcher, ranked, picked)
        elif shared.merged():
            later = shared.later(searcher, ranked)
    clean = CONTROL.sub(" ", query)
    terms = snippets.terms_of_raw(clean) if raw else snippets.terms_of(quote_query(clean))
    return Ranked(picked, searcher, terms, groups.cuts, later)


Picked = tuple[int, str, float, "tantivy.DocAddress"]  # (key, dupkey, score, address)


def _shared_query(
    shared: Sourced | None,
    searcher: tantivy.Searcher,
    query: str,
    weights: dict[str, float],
    ranked: tantivy.Query | None,
    raw: bool,
) -> tantivy.Query | None:
    """The query with each term weighed by the shared idf (index.shared), when shared; else
    with its one-word prefixes ranked as the words they stand for in this index (they keep
    tantivy's constant score when shared: evcards.index.query)."""
    if ranked is None or raw:
        return ranked
    scale = None if shared is None else shared.scale(searcher)
    if shared is not None and shared.merged():
        return ranked if scale is None else text_query(query, weights, scale)
    return text_query(query, weights, expand=expander(searcher))


def _rescored(
    shared: Sourced, searcher: tantivy.Searcher, ranked: tantivy.Query, picked: list[Picked]
) -> list[Picked]:
    """The picked with their scores worked out with the shared field lengths."""
    again = shared.rescored(searcher, ranked, [(score, a) for _, _, score, a in picked])
    return [(k, d, score, a) for (k, d, _, a), score in zip(picked, again, strict=True)]


def _best(
    db: sqlite3.Connection, searcher: tantivy.Searcher, query: tantivy.Query, limit: int
) -> Iterator[Picked]:
    """Every match, best first, fetched in pages that grow fourfold (collapsing duplicates
    may need more than `limit`), with each card's dupkey from the catalog. Equal scores come
    in card-id order, whatever order the index holds them in (a sync that re-adds a card
    moves it), so the same query gives the same list: the group of equal scores a page ends
    in waits for the next page, which may hold more of it. The catalog is read a few whole
    groups of equal scores at a time, as the caller takes rows, not a page at a time."""
    from evcards.index.fulltext import reading

    want, done = limit * 2 + 10, 0
    waiting: list[Scored] = []
    while True:
        with reading():
            hits = searcher.search(query, want, count=False, offset=done).hits
            keys = searcher.fast_field_values("key", [a for _, a in hits])
        waiting += [(float(s), a, int(k or 0)) for (s, a), k in zip(hits, keys, strict=True)]
        full = len(hits) == want
        end = _tie_start(waiting) if full else len(waiting)
        start = 0
        while start < end:
            stop = _group_end(waiting, min(end, start + limit) - 1)
            yield from _in_order(db, waiting[start:stop])
            start = stop
        waiting = waiting[end:]
        if not full:
            return
        done += len(hits)
        want *= 4


Scored = tuple[float, "tantivy.DocAddress", int]  # (score, address, key) of a match


def _tie_start(rows: list[Scored]) -> int:
    """Where the last group of equal scores begins."""
    i = len(rows)
    while i > 0 and rows[i - 1][0] == rows[-1][0]:
        i -= 1
    return i


def _group_end(rows: list[Scored], i: int) -> int:
    """Just past the group of equal scores that row `i` is in."""
    i += 1
    while i < len(rows) and rows[i][0] == rows[i - 1][0]:
        i += 1
    return i


def _in_order(db: sqlite3.Connection, rows: list[Scored]) -> list[Picked]:
    """Whole groups of equal scores with their dupkeys, in (score, card id) order; a match the
    catalog does not hold is left out."""
    found = {
        key: (dupkey, card_id)
        for key, dupkey, card_id in _where_in(
            db, "key, dupkey, card_id", "key", [r[2] for r in rows]
        )
    }
    out = [
        (-score, found[key][1], (key, found[key][0], score, address))
        for score, address, key in rows
        if key in found
    ]
    out.sort(key=lambda row: row[:2])
    return [picked for _, _, picked in out]


def _distinct(
    rows: Iterator[Picked], limit: int, taken: set[str], groups: _Groups | None = None
) -> list[Picked]:
    """The first `limit` rows of distinct dupkeys (`taken` holds those already used), and of
    distinct groups of re-cuts when `groups` groups."""
    picked: list[Picked] = []
    if limit <= 0:
        return picked
    for row in _learning(rows, limit, taken, groups):
        if row[1] in taken or (groups is not None and not groups.fresh(row[0])):
            continue
        taken.add(row[1])
        picked.append(row)
        if len(picked) >= limit:
            break
    return picked


def _learning(
    rows: Iterator[Picked], limit: int, taken: set[str], groups: _Groups | None
) -> Iterator[Picked]:
    """`rows`, read `limit` at a time, each chunk's groups learnt before it is yielded: a few
    queries a chunk, not a few a row."""
    while chunk := list(itertools.islice(rows, limit)):
        if groups is not None:
            groups.learn([row[0] for row in chunk if row[1] not in taken])
        yield from chunk


_ROW = "card_id, path, tag, short_cite, words_read, labels, year, kind"
_BATCH = 10_000  # values an IN (...) takes at once; SQLite's limit is 32,766


def _where_in(
    db: sqlite3.Connection, columns: str, name: str, values: Sequence[object], tail: str = ""
) -> Iterator[tuple[Any, ...]]:
    """The catalog's rows whose column `name` is one of `values`, in batches (an export
    searches for up to 100,000 hits)."""
    for i in range(0, len(values), _BATCH):
        part = values[i : i + _BATCH]
        marks = ",".join("?" * len(part))
        yield from db.execute(f"SELECT {columns} FROM cards WHERE {name} IN ({marks}){tail}", part)


def _hits(db: sqlite3.Connection, ranked: Ranked, read: bool, snippets: Snippets) -> list[Hit]:
    """The picked rows as hits: their catalog rows and their groups' counts read in one query
    each, and a snippet cut from each one's stored text."""
    picked = ranked.picked
    keys = [key for key, _, _, _ in picked]
    rows = {row[0]: row[1:] for row in _where_in(db, f"key, {_ROW}", "key", keys)}
    dupkeys = list({dupkey for _, dupkey, _, _ in picked})
    groups = {
        dupkey: (seen, copies)
        for dupkey, seen, copies in _where_in(
            db, "dupkey, sum(seen), count(*)", "dupkey", dupkeys, " GROUP BY dupkey"
        )
    }
    out = []
    for n, (key, dupkey, score, address) in enumerate(picked, 1):
        card_id, path, tag, short, words_read, labels, year, kind = rows[key]
        cut, later = "", None
        if snippets and ranked.searcher is not None:
            later = partial(_snippet, ranked.searcher, address, read, ranked.terms)
            if snippets is True:
                cut, later = later(), None
        seen, copies = groups[dupkey]
        out.append(
            Hit(
                id=card_id,
                path=path,
                tag=tag,
                short_cite=short,
                snippet=cut,
                words_read=words_read,
                seen=seen,
                copies=copies,
                rank=n,
                score=score,
                labels=labels.split(),
                year=year,
                kind=kind,
                cuts=(ranked.cuts or {}).get(key, 1),
                later=later,
                rescore=None if ranked.rescore is None else ranked.rescore(score, address),
            )
        )
    return out


def _snippet(searcher: tantivy.Searcher, address: Any, read: bool, terms: list[Term]) -> str:
    """A hit's snippet, cut from the stored text (spoken if `read`, else the body) of the
    document at `address`."""
    from evcards.index.fulltext import reading, stored_text
    from evcards.index.snippets import snippet

    with reading():
        text = stored_text(searcher.doc(address), read)
    # The body's paragraphs are joined by newlines; a snippet shows them as pilcrows.
    return snippet(text.replace("\n", " ¶ "), terms, MARK_START, MARK_END)


def search(
    root: Path,
    query: str,
    filters: Filters | None = None,
    *,
    raw: bool = False,
    read: bool = False,
    limit: int = 20,
    kind: str | None = None,
    snippets: Snippets = True,
    cuts: CutsMode = "group",
    shared: Sourced | None = None,
) -> list[Hit]:
    """Sync the index with the library at `root`, then search it (`snippets=False`: hits
    with no snippet, for a caller that shows none, such as an export; `shared` as `rank`
    takes it).

    The sync catches an in-place edit of a big library only over several searches (see
    evcards.index.sync), so the files of the hits themselves are checked once more: a result is
    never shown from a stale row. If one changed, the search runs again on fresh rows (and
    checks any new hits in turn). An index found damaged on the way is rebuilt, once."""
    options: dict[str, object] = {"raw": raw, "read": read, "limit": limit, "kind": kind}
    options.update(snippets=snippets, cuts=cuts, shared=shared)
    ix = ensure(root, fulltext="if cards")
    try:
        if not holds_cards(ix.db):
            return []  # no full text opened: an empty library beside a collection
        try:
            return _fresh(ix, query, filters, **options)
        except IndexDamaged:
            from evcards.index.build import rebuild

            ix.close()
            rebuild(root)
            ix = Index(root, connect(index_path(root)), rebuilt=True)
            return _fresh(ix, query, filters, **options)
    finally:
        ix.close()


def _fresh(
    ix: Index,
    query: str,
    filters: Filters | None,
    **options: object,
) -> list[Hit]:
    checked: set[str] = set()
    while True:
        hits = search_db(ix, query, filters, **options)  # type: ignore[arg-type]
        fresh = {h.path for h in hits} - checked
        if not fresh:
            return hits
        checked |= fresh
        changed = sync(ix, only=fresh)
        if not (changed.added or changed.updated or changed.removed or changed.invalid):
            return hits
