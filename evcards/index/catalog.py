"""Reading the catalog: the card listing (`list`, `stats`) and id lookups, without a card file.

Every row comes from the catalog (evcards.index.schema), synced first, so `list -n 20` reads
twenty rows of a million-card library instead of parsing its files, and counts them from the
`totals` the catalog keeps (per kind and label) unless other filters are given. Filters on
words (tag, cite, body, author, location, source file) are answered by the full-text index,
which then loads; the others (year, labels, highlighted, kind) by SQL alone.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import NamedTuple

from evcards.errors import AmbiguousCard, CardNotFound
from evcards.index.query import KINDS, Filters
from evcards.index.schema import IS_ANALYTIC, SORT_ORDER
from evcards.index.sync import Index, ensure

_COLUMNS = "card_id, tag, short_cite, labels, kind, words, words_read, seen, path, year"
_HEX = re.compile(r"[0-9a-f]{1,16}")


class Listed(NamedTuple):
    """One card as `list` and `stats` show it."""

    id: str
    tag: str
    short_cite: str
    labels: list[str]
    kind: str
    words: int
    words_read: int
    seen: int
    path: str  # the card file's full path
    year: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tag": self.tag,
            "short_cite": self.short_cite,
            "labels": self.labels,
            "kind": self.kind,
            "words": self.words,
            "words_read": self.words_read,
            "seen": self.seen,
            "year": self.year,
            "path": self.path,
        }


class Listing(NamedTuple):
    rows: list[Listed]
    total: int  # every card the filters keep, of which `rows` are the first `limit`
    invalid: list[str]  # why each file that is not a valid card is not


def list_cards(
    root: Path,
    filters: Filters | None = None,
    *,
    kind: str | None = None,
    sort: str = "added",
    limit: int | None = None,
) -> Listing:
    """The library's cards from the catalog: cards before analytics (or one `kind`), each in
    `sort` order, at most `limit` of them."""
    ix = ensure(root)
    try:
        filters = filters or Filters()
        where, args = _where(ix, filters)
        rows, total = _rows(ix, root, (where, args), kind, sort, limit, count=filters)
        return Listing(rows, total, _invalid(ix))
    finally:
        ix.close()


class Reading(NamedTuple):
    """What `stats` shows: the first rows of the cards the filters keep, and their totals."""

    rows: list[Listed]
    cards: int  # every card the filters keep
    words_read: int  # summed over those cards


def reading_totals(root: Path, filters: Filters | None = None, *, limit: int | None = 0) -> Reading:
    """Cards and words read of every card the filters keep, with the first `limit` of them
    in `stats` order (by path, cards before analytics; None: all). No filter or one label:
    the catalog's `totals`; any other filter: one aggregate query (a scan of the catalog)."""
    ix = ensure(root)
    try:
        filters = filters or Filters()
        where, args = _where(ix, filters)
        counted = _counted(ix.db, filters, KINDS)
        if counted is None:
            sql = f"SELECT count(*), coalesce(sum(words_read), 0) FROM cards WHERE 1{where}"
            counted = ix.db.execute(sql, args).fetchone()
        rows, _ = _rows(ix, root, (where, args), None, "path", limit, count=None)
        return Reading(rows, int(counted[0]), int(counted[1]))
    finally:
        ix.close()


def _counted(
    db: sqlite3.Connection, filters: Filters, kinds: tuple[str, ...]
) -> tuple[int, int] | None:
    """(cards, words read) of these kinds from `totals`, when the filters are none or one
    label; None for any other filter, which only a query over the cards can count."""
    if filters != Filters(labels=filters.labels) or len(filters.labels) > 1:
        return None
    label = filters.labels[0] if filters.labels else ""
    marks = ", ".join("?" for _ in kinds)
    return db.execute(
        "SELECT coalesce(sum(cards), 0), coalesce(sum(words_read), 0) FROM totals"
        f" WHERE label = ? AND kind IN ({marks})",
        (label, *kinds),
    ).fetchone()


def _rows(
    ix: Index,
    root: Path,
    condition: tuple[str, list[object]],
    kind: str | None,
    sort: str,
    limit: int | None,
    *,
    count: Filters | None,
) -> tuple[list[Listed], int]:
    """The first `limit` rows, tier by tier (cards, then analytics), and with `count` (the
    filters of the condition) how many the condition keeps in all (0 without)."""
    where, args = condition
    rows: list[Listed] = []
    total = 0
    for tier in [kind] if kind else list(KINDS):
        # Each sort index starts with whether a row is an analytic. By path, SQLite would
        # take one of them and sort every card of the kind; `+kind` has it walk the path
        # index in order instead and stop at `limit`.
        if sort == "path":
            clause, tier_args = f"+kind = ?{where}", [tier, *args]
        else:
            clause, tier_args = f"{IS_ANALYTIC} = ?{where}", [int(tier == "analytic"), *args]
        if count is not None:
            counted = _counted(ix.db, count, (tier,))
            sql = f"SELECT count(*) FROM cards WHERE {clause}"
            total += counted[0] if counted else ix.db.execute(sql, tier_args).fetchone()[0]
        room = -1 if limit is None else max(0, limit - len(rows))
        if room:
            order = f"ORDER BY {SORT_ORDER[sort]}{'' if sort == 'path' else ', key'} LIMIT ?"
            sql = f"SELECT {_COLUMNS} FROM cards WHERE {clause} {order}"
            rows += [_listed(root, r) for r in ix.db.execute(sql, [*tier_args, room])]
    return rows, total


def _invalid(ix: Index) -> list[str]:
    return [r[0] for r in ix.db.execute("SELECT error FROM invalid ORDER BY path")]


def _listed(root: Path, row: tuple[object, ...]) -> Listed:
    card_id, tag, short, labels, kind, words, read, seen, path, year = row
    return Listed(
        str(card_id),
        str(tag),
        str(short),
        str(labels).split(),
        str(kind),
        int(words),  # type: ignore[call-overload]
        int(read),  # type: ignore[call-overload]
        int(seen),  # type: ignore[call-overload]
        str(root / str(path)),
        year,  # type: ignore[arg-type]
    )


def _where(ix: Index, filters: Filters) -> tuple[str, list[object]]:
    """SQL conditions (each after an AND) for the filters; word filters through tantivy."""
    where: list[str] = []
    args: list[object] = []
    if filters.year_from is not None:
        where.append("year >= ?")
        args.append(filters.year_from)
    if filters.year_to is not None:
        where.append("year <= ?")
        args.append(filters.year_to)
    if filters.highlighted:
        where.append("has_highlight = 1")
    for label in filters.labels:  # labels match whole
        where.append("instr(' ' || labels || ' ', ?) > 0")
        args.append(f" {label} ")
    if filters.words():
        _matching_keys(ix, filters)
        where.append("key IN (SELECT key FROM temp.wanted)")
    return "".join(f" AND {w}" for w in where), args


def _matching_keys(ix: Index, filters: Filters) -> None:
    """The keys of every card the word filters keep, into the temporary table `wanted`."""
    from evcards.index.query import combine, filter_queries

    searcher = ix.searcher()
    query = combine(None, filter_queries(Filters(**{**vars(filters), "labels": []}), None))
    hits = searcher.search(query, max(1, searcher.num_docs), count=False).hits
    keys = searcher.fast_field_values("key", [a for _, a in hits])
    ix.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key INTEGER PRIMARY KEY)")
    ix.db.execute("DELETE FROM temp.wanted")
    ix.db.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)", ((k,) for k in keys))


_IDS_A_QUERY = 500  # well under SQLite's limit on a statement's parameters (32,766)


def _has_index(root: Path) -> bool:
    """Whether `root` is a library with an index already (building one costs more than the
    walk the callers fall back to)."""
    from evcards.index.schema import index_path

    return root.is_dir() and index_path(root).is_file()


def card_file(root: Path, ref: str) -> Path | None:
    """The card file of an id prefix, from the catalog synced first (CardNotFound when it has
    none, which stands); None to leave `ref` to `Library.resolve`: a card file named by path,
    a library with no index yet (building one would cost more than the walk), or a file
    gone since."""
    if ref.endswith(".toml") or os.sep in ref or Path(ref).is_file():
        return None
    if not _has_index(root):
        return None
    path = find_id(root, ref)
    return path if path is not None and path.is_file() else None


def files_of(root: Path, card_ids: list[str]) -> dict[str, list[Path]]:
    """id -> card files of a few ids, from the catalog synced first (no rolling pass), so a
    remote search's twenty hits cost one index query, not a walk of the library. Empty when
    `root` holds no library (or no index) yet."""
    if not card_ids or not _has_index(root):
        return {}
    ix = ensure(root, rolling=False)
    try:
        found: dict[str, list[Path]] = {}
        for at in range(0, len(card_ids), _IDS_A_QUERY):
            some = card_ids[at : at + _IDS_A_QUERY]
            marks = ",".join("?" * len(some))
            for card_id, rel in ix.db.execute(
                f"SELECT card_id, path FROM cards WHERE card_id IN ({marks}) ORDER BY path", some
            ):
                found.setdefault(card_id, []).append(root / rel)
        return found
    finally:
        ix.close()


def find_id(root: Path, ref: str) -> Path | None:
    """The card file of an id or unambiguous id prefix, from the catalog (or the one file
    with such an id that is not a valid card); None when `ref` is not an id prefix.
    CardNotFound or AmbiguousCard as `Library.resolve` raises them."""
    key = ref.strip().lower()
    if not _HEX.fullmatch(key):
        return None
    # Files added, removed or renamed are found; an edit in place is not looked for (the
    # rolling pass), as it leaves each card in its file, which the caller reads.
    ix = ensure(root, rolling=False)
    try:
        found = _with_prefix(ix.db, key)
        broken = [] if found else _invalid_with_prefix(ix.db, root, key)
    finally:
        ix.close()
    ids = sorted({card_id for card_id, _ in found})
    if not ids and len(broken) == 1:
        return broken[0]  # not a valid card: reading it says why, as the library would
    if not ids:
        raise CardNotFound(f"no card with id '{ref}' in {root}; `evcards list` shows the ids")
    if len(ids) > 1:
        shown = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "")
        raise AmbiguousCard(
            f"id prefix '{ref}' matches {len(ids)} cards ({shown}); type more of the id"
        )
    if len(found) > 1:
        from evcards.errors import LibraryError

        names = ", ".join(str(root / p) for _, p in found)
        raise LibraryError(f"card {ids[0]} is stored twice ({names}); delete one of them")
    return root / found[0][1]


def _with_prefix(db: sqlite3.Connection, prefix: str) -> list[tuple[str, str]]:
    """(id, path) of every card whose id starts with `prefix` (a range on the id index)."""
    upper = prefix + "g"  # past every hex digit
    return db.execute(
        "SELECT card_id, path FROM cards WHERE card_id >= ? AND card_id < ? ORDER BY path",
        (prefix, upper),
    ).fetchall()


def _invalid_with_prefix(db: sqlite3.Connection, root: Path, prefix: str) -> list[Path]:
    """The files that are not valid cards (few) whose name or text carries such an id."""
    from evcards.store.library import card_id_of

    paths = [root / p for (p,) in db.execute("SELECT path FROM invalid ORDER BY path")]
    return [p for p in paths if (card_id_of(p) or "").startswith(prefix)]
