"""Searching the library and the collections as one ranked list.

Each source is searched on its own (`index.search.search` for the library, synced first;
`search_db` on each collection's build folder), for as many results as asked, then the
lists are merged: cards before analytics, then by score. Scores are BM25 over separate
indexes, each with its own document frequencies and lengths: they are approximately, not
exactly, comparable (a word rare in the library but common in a caselist scores higher in
the library). A card with the same id in the library and a collection is shown once, as
the library's copy.

With no collection built, this is the library's search and nothing more: no collection
folder is opened, and tantivy loads only when a search runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evcards.collections import places
from evcards.collections.places import LIBRARY, CollectionError
from evcards.index.query import Filters
from evcards.index.search import CutsMode, Hit


def sources(chosen: Iterable[str] | None) -> list[str]:
    """The sources to search: `chosen` (names; `lib` is the library), checked, or every one."""
    known = places.names()
    if not chosen:
        return [LIBRARY, *known]
    out: list[str] = []
    for name in chosen:
        if name != LIBRARY and name not in known:
            places.check_name(name)
            raise CollectionError(
                f"no collection named '{name}' to search in; use --in lib or one of"
                f" {', '.join(known) if known else '(none built yet)'}"
            )
        if name not in out:
            out.append(name)
    return out


def search_all(
    root: Path,
    query: str,
    filters: Filters | None = None,
    *,
    where: Iterable[str] | None = None,
    raw: bool = False,
    read: bool = False,
    limit: int = 20,
    kind: str | None = None,
    cuts: CutsMode = "group",
    snippets: bool = True,
) -> list[Hit]:
    """The best `limit` results of the library (at `root`) and the collections `where`
    names (default: all), merged; each hit's `where` says which it came from. Re-cuts are
    grouped (`cuts`, as `index.search.search` takes it) within each source."""
    from evcards.index.search import search

    filters = filters or Filters()
    options: dict[str, Any] = {"raw": raw, "read": read, "limit": limit, "kind": kind}
    # Snippets are cut once the sources' hits are merged: only for the hits kept.
    options.update(cuts=cuts, snippets="later" if snippets else False)
    hits: list[Hit] = []
    for name in sources(where):
        if name == LIBRARY:
            if filters.round_only() or not root.is_dir():
                continue  # a library card has no event, side, level or caselist
            hits += search(root, query, filters, **options)  # type: ignore[arg-type]
        else:
            hits += _search_collection(name, query, filters, options)
    kept = merged(hits, limit)
    for hit in kept:
        if hit.later is not None:
            hit.snippet, hit.later = hit.later(), None
    return kept


def _search_collection(
    name: str, query: str, filters: Filters, options: dict[str, Any]
) -> list[Hit]:
    from evcards.collections.store import open_build
    from evcards.index.search import search_db

    ix = open_build(places.known(name))
    try:
        found = search_db(ix, query, filters, **options)  # type: ignore[arg-type]
    finally:
        ix.close()
    for hit in found:
        hit.where = name
    return found


def merged(hits: list[Hit], limit: int) -> list[Hit]:
    """Cards before analytics, best score first, each card id once (the library's copy, or
    the first source's), the first `limit`, ranked anew."""
    order = sorted(
        range(len(hits)),
        key=lambda i: (hits[i].kind == "analytic", hits[i].where != LIBRARY, -hits[i].score, i),
    )
    seen: set[str] = set()
    out: list[Hit] = []
    for i in order:
        hit = hits[i]
        if hit.id in seen:
            continue
        seen.add(hit.id)
        out.append(hit)
    out.sort(key=lambda h: (h.kind == "analytic", -h.score))
    out = out[:limit]
    for n, hit in enumerate(out, 1):
        hit.rank = n
    return out
