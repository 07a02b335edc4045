"""Searching the library and the collections as one ranked list.

Each source is searched on its own (`index.search.search` for the library, synced first;
`search_db` on each collection's build folder), for as many results as asked, then the
lists are merged: cards before analytics, then by score. Scores are BM25 over separate
indexes, each ranked with the statistics of all the sources searched (`index.shared`:
document frequencies and average field lengths), so a card scores as it would in one index
of them all, wherever it is. A card with the same id in
the library and a collection is shown once, as the library's copy.

With no collection built, this is the library's search and nothing more: no collection
folder is opened, and tantivy loads only when a search runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evcards.collections import places
from evcards.collections.places import LIBRARY, CollectionError
from evcards.index.query import Filters
from evcards.index.search import CutsMode, Hit

if TYPE_CHECKING:
    from evcards.index.shared import Shared
    from evcards.index.sync import Index


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
    skipped: Callable[[str], None] | None = None,
) -> list[Hit]:
    """The best `limit` results of the library (at `root`) and the collections `where`
    names (default: all), merged; each hit's `where` says which it came from. Re-cuts are
    grouped (`cuts`, as `index.search.search` takes it) within each source. With more than
    one source, each is ranked with the statistics of them all (`index.shared`).

    A collection that cannot be searched (built by another version of evcards, or damaged)
    is a CollectionError naming the fix; when `where` names none and `skipped` is given, it
    is left out instead and `skipped` told why, so that a search of everything still
    searches the rest."""
    from evcards.index.query import leaves, weights_for
    from evcards.index.search import search
    from evcards.index.shared import Shared

    filters = filters or Filters()
    options: dict[str, Any] = {"raw": raw, "read": read, "limit": limit, "kind": kind}
    # Snippets are cut once the sources' hits are merged: only for the hits kept.
    options.update(cuts=cuts, snippets="later" if snippets else False)
    names = sources(where)
    library = LIBRARY in names and not filters.round_only() and root.is_dir()
    # (a library card has no event, side, level or caselist: round filters leave it out)
    shared = Shared(leaves(query, weights_for(read)), later=True)
    hits: list[Hit] = []
    skip = skipped if not where else None
    with _opened([n for n in names if n != LIBRARY], skip) as builds:
        for name, ix in builds.items():
            shared.note(name, ix.searcher(), memo=getattr(ix, "memo", None))
        if library:
            hits += search(
                root, query, filters, **options, shared=shared.source(LIBRARY, recount=True)
            )
        for name, ix in builds.items():
            hits += _search_collection(name, ix, query, filters, options, shared)
    rescored(hits, limit)
    kept = merged(hits, limit)
    for hit in kept:
        if hit.later is not None:
            hit.snippet, hit.later = hit.later(), None
    return kept


# Builds opened by earlier searches of this process, by folder, kept for the next (the
# terminal UI searches as you type): opening one, its catalog and its tantivy segments, cost
# as much as a quarter of a search over it (bench/README.md). A finished build folder never
# changes (a rebuild writes a new folder and swaps `current`: collections.building), so an
# open build is right for as long as its folder is the current one; the others are closed at
# the end of each search. A search takes the builds it uses out of here and puts them back
# when it is done: two searches at once, in two threads, never share one.
KEEP = 8  # builds kept at most
_kept: dict[Path, Index] = {}  # least recently used first
_kept_lock = threading.Lock()


@contextmanager
def _opened(
    names: list[str], skipped: Callable[[str], None] | None = None
) -> Iterator[dict[str, Index]]:
    """The collections named, each's build opened (or taken from `_kept`), kept for the next
    search on the way out (closed instead when the search failed). One that cannot be
    opened is a CollectionError, or left out and `skipped` told why (`search_all`)."""
    builds: dict[str, Index] = {}
    folders: dict[str, Path] = {}
    ok = False
    try:
        for name in names:
            folders[name] = folder = places.known(name)
            with _kept_lock:
                kept = _kept.pop(folder, None)
            try:
                builds[name] = kept if kept is not None else _open(name, folder)
            except CollectionError as e:
                if skipped is None:
                    raise
                skipped(str(e))
        yield builds
        ok = True
    finally:
        if ok:
            _keep([(folders[name], ix) for name, ix in builds.items()])
        else:
            for ix in builds.values():
                ix.close()


def _open(name: str, folder: Path) -> Index:
    """A collection's build, its full text checked to open; a CollectionError if it cannot
    be searched."""
    from evcards.collections.store import open_checked
    from evcards.index.schema import IndexDamaged

    try:
        return open_checked(folder, any_thread=True)
    except IndexDamaged as e:
        raise CollectionError(
            f"collection {name} cannot be searched ({e}): rebuild it from its files with"
            f" `evcards collection update {name}`"
        ) from None


def _keep(opened: list[tuple[Path, Index]]) -> None:
    """Keep these builds for the next search (the last used at the end), and close those
    that are no longer their collection's current build (rebuilt, removed, or of a data
    folder that is gone), a copy another search kept of the same one meanwhile, and the
    least recently used past KEEP."""
    gone: list[Index] = []
    with _kept_lock:
        for folder, ix in opened:
            other = _kept.pop(folder, None)
            if other is not None:
                gone.append(other)
            _kept[folder] = ix
        for folder in list(_kept):
            if places.current_of(folder.parent) != folder or len(_kept) > KEEP:
                gone.append(_kept.pop(folder))
    for ix in gone:
        ix.close()


def forget_kept() -> None:
    """Close every build kept by earlier searches."""
    with _kept_lock:
        gone = list(_kept.values())
        _kept.clear()
    for ix in gone:
        ix.close()


def _search_collection(
    name: str, ix: Index, query: str, filters: Filters, options: dict[str, Any], shared: Shared
) -> list[Hit]:
    from evcards.index.search import search_db

    found = search_db(ix, query, filters, **options, shared=shared.source(name))
    for hit in found:
        hit.where = name
    return found


_SLACK = 1e-4  # a relative margin on the reach of a rescoring: its float rounding is ~1e-7


def rescored(hits: list[Hit], limit: int) -> None:
    """Each hit's score with the shared field lengths (its `rescore`, index.shared), worked
    out only for the hits that can be among the first `limit` once merged. Each hit's score
    lies within its reach: the `limit`-th best of the least scores that the cards (each
    card id at its least copy) can have is a line that the `limit` merged results reach;
    a hit whose highest possible score is below it cannot be one of them, and keeps that
    highest score instead (below every result: `merged` drops it, after the dedupe it takes
    part in). A hit with no reach to tell, or all of them when the line is not known, is
    rescored. The same results as rescoring all of them (tests/test_collections_search.py)."""
    bounds = []
    for hit in hits:
        later = hit.rescore
        low = high = hit.score
        if later is not None:
            low *= later.reach[0] * (1 - _SLACK)
            high *= later.reach[1] * (1 + _SLACK)
        bounds.append((low, high))
    least: dict[str, tuple[bool, float]] = {}  # id -> its worst place: (analytic, -score)
    for hit, (low, _) in zip(hits, bounds, strict=True):
        place = (hit.kind == "analytic", -low)
        least[hit.id] = max(least.get(hit.id, place), place)
    order = sorted(least.values())
    line = order[limit - 1] if 0 < limit <= len(order) else None
    for hit, (_, high) in zip(hits, bounds, strict=True):
        if hit.rescore is None:
            continue
        if line is not None and (hit.kind == "analytic", -high) > line:
            hit.score = high
        else:
            hit.score = hit.rescore.run()
        hit.rescore = None


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
