"""Cuts grouped in a catalog: the keys of evcards.core.neardup stored per card, groups from them.

Two ways, one table. Every catalog that groups cuts holds `cutkeys (key, bucket)`: one row per
key (`neardup.keys_of` of the card's body, a few per card) and card (`key`, the catalog's key).

- **A collection** (built once, read-only) is grouped at the end of its build: `group(db)`
  reads the table in bucket order, joins the cards of each bucket in a union-find over one
  array of integers (8 bytes a card: 8 MB at a million cards) and writes `cutgroups (key,
  grp, cuts)`: each card's group (the smallest key in it) and the group's number of cuts
  (the dataset's `duplicateCount` is the integrator's to add where a row carries one).
- **The library** changes card by card, so its groups are worked out when asked, for the few
  cards a search shows: `component(db, key)` follows shared keys from the card (bucket to
  cards to buckets, through the indexes on both columns) until no new card comes. A card
  added or removed changes only its own rows (`cutkeys` rows go with their card: a trigger),
  so the groups are right after every sync with nothing to recompute.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from evcards.core.neardup import keys_of

__all__ = [
    "MAX_GROUP",
    "Cut",
    "card_cuts",
    "component",
    "cuts_count",
    "group",
    "groups_of",
    "keys_of",
    "store_keys",
]

MAX_GROUP = 5_000  # cards a library group is followed to: past this, a group is cut short

# Keyed by card first: cards are written in key order, so the table is appended to, not
# sorted into, during a build; the index by bucket (what grouping and `component` read) is made
# after the bulk load (schema.INDEXES), in one sorted pass.
CUTKEYS = """
CREATE TABLE IF NOT EXISTS cutkeys (key INTEGER NOT NULL, bucket INTEGER NOT NULL,
                                    PRIMARY KEY (key, bucket)) WITHOUT ROWID;
"""
CUTKEYS_INDEXES = """
CREATE INDEX IF NOT EXISTS cutkeys_bucket ON cutkeys(bucket);
"""


def store_keys(db: sqlite3.Connection, rows: Iterable[tuple[int, Sequence[int]]]) -> None:
    """Each (card key, its neardup keys) into `cutkeys`."""
    db.executemany(
        "INSERT OR IGNORE INTO cutkeys (key, bucket) VALUES (?, ?)",
        ((key, bucket) for key, buckets in rows for bucket in sorted(set(buckets))),
    )


def _in(db: sqlite3.Connection, sql: str, values: list[int]) -> list[int]:
    out: list[int] = []
    for i in range(0, len(values), 10_000):
        part = values[i : i + 10_000]
        out += [r[0] for r in db.execute(sql.format(",".join("?" * len(part))), part)]
    return out


def component(db: sqlite3.Connection, key: int, limit: int = MAX_GROUP) -> set[int]:
    """The catalog keys of the cards grouped with card `key` (itself included): those it
    shares a neardup key with, and theirs, and so on (at most `limit` cards)."""
    cards, buckets = {key}, set[int]()
    new = [key]
    while new and len(cards) < limit:
        found = set(_in(db, "SELECT bucket FROM cutkeys WHERE key IN ({})", new)) - buckets
        buckets |= found
        if not found:
            break
        more = set(_in(db, "SELECT key FROM cutkeys WHERE bucket IN ({})", list(found)))
        new = list(more - cards)
        cards |= more
    return cards


def grouped(db: sqlite3.Connection) -> bool:
    """Whether the catalog's groups were worked out once (`group`: a collection's)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'cutgroups'").fetchone()
    return found is not None


def built_groups_of(db: sqlite3.Connection, seeds: Iterable[int]) -> dict[int, tuple[int, int]]:
    """`groups_of` read from the groups `group` wrote: each seed -> (its group's id, the
    group's cuts); a card with no row is a group of one (its own key for an id, as `group`
    names a group by its least key)."""
    keys = list(seeds)
    out = {k: (k, 1) for k in keys}
    out.update(
        {k: (g, n) for k, g, n in _triples(db, "SELECT key, grp, cuts FROM cutgroups", keys)}
    )
    return out


def _triples(db: sqlite3.Connection, sql: str, keys: list[int]) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for i in range(0, len(keys), 10_000):
        part = keys[i : i + 10_000]
        out += db.execute(f"{sql} WHERE key IN ({','.join('?' * len(part))})", part).fetchall()
    return out


def groups_of(
    db: sqlite3.Connection, seeds: Iterable[int], limit: int = MAX_GROUP
) -> dict[int, tuple[int, int]]:
    """`component` and `cuts_count` of many cards at once, in a few queries whatever their
    number (a search page's hits): each card of their groups -> (its group's id, the group's
    number of cuts). The groups are followed together (at most `limit` cards in all), then
    told apart by a union-find over the (card, bucket) rows read. The reference of
    `built_groups_of` (tests/test_collections_cuts.py)."""
    cards = set(seeds)
    new, buckets = list(cards), set[int]()
    rows: list[tuple[int, int]] = []
    while new and len(cards) < limit:
        found = _pairs(db, "SELECT key, bucket FROM cutkeys WHERE key IN ({})", new)
        rows += found
        fresh = {b for _, b in found} - buckets
        if not fresh:
            break
        buckets |= fresh
        more = _members(db, sorted(fresh), cards, limit)
        rows += more
        new = list({k for k, _ in more} - cards)
        cards.update(new)
    parent = {k: k for k in cards}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[int, int] = {}
    for key, bucket in rows:
        a, b = find(first.setdefault(bucket, key)), find(key)
        if a != b:
            parent[max(a, b)] = min(a, b)
    dupkeys: dict[int, set[str]] = {}
    for key, dupkey in _pairs(db, "SELECT key, dupkey FROM cards WHERE key IN ({})", list(cards)):
        dupkeys.setdefault(find(key), set()).add(dupkey)
    return {k: (find(k), max(1, len(dupkeys.get(find(k), ())))) for k in cards}


def _members(
    db: sqlite3.Connection, buckets: list[int], cards: set[int], limit: int
) -> list[tuple[int, int]]:
    """The (card, bucket) rows of `buckets`, in bucket order, up to the row that would bring
    a card past `limit` (with `cards`, those met so far): a bucket a thousand cards share
    (a sentence pair quoted across a big library) is not read whole to be cut short after."""
    out: list[tuple[int, int]] = []
    met = set(cards)
    for i in range(0, len(buckets), 10_000):
        part = buckets[i : i + 10_000]
        sql = "SELECT key, bucket FROM cutkeys WHERE bucket IN ({}) ORDER BY bucket, key"
        for key, bucket in db.execute(sql.format(",".join("?" * len(part))), part):
            if key not in met:
                if len(met) >= limit:
                    return out
                met.add(key)
            out.append((key, bucket))
    return out


def _pairs(db: sqlite3.Connection, sql: str, values: list[int]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for i in range(0, len(values), 10_000):
        part = values[i : i + 10_000]
        out += db.execute(sql.format(",".join("?" * len(part))), part).fetchall()
    return out


def cuts_count(db: sqlite3.Connection, keys: Iterable[int]) -> int:
    """The number of cuts among the cards `keys`: their distinct dupkeys (copies of one cut
    in several files count once), at least 1."""
    got = _in(db, "SELECT DISTINCT dupkey FROM cards WHERE key IN ({})", list(keys))
    return max(1, len(set(got)))


def group(db: sqlite3.Connection, duplicates: str | None = None) -> int:
    """Group a built catalog's cards from its `cutkeys` into `cutgroups (key, grp, cuts)`,
    replacing what it held; the number of groups of more than one card. A card with no keys
    has no row: it is a group of one (`cuts` 1). `duplicates`: SQL giving (key, n) rows, the
    dataset's `duplicateCount` of a card where it carries one (the exact copies of it the
    dataset folded into that row): each adds its n to its group's cuts, so that a group's
    count is what the caselist holds, not only the rows kept."""
    top = db.execute("SELECT coalesce(max(key), 0) FROM cutkeys").fetchone()[0]
    parent = array("q", range(top + 1))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    last, first = None, 0
    for bucket, key in db.execute("SELECT bucket, key FROM cutkeys ORDER BY bucket, key"):
        if bucket != last:
            last, first = bucket, key
            continue
        a, b = find(first), find(key)
        if a != b:
            parent[max(a, b)] = min(a, b)
    keyed = [k for (k,) in db.execute("SELECT DISTINCT key FROM cutkeys ORDER BY key")]
    members = _sizes(db, keyed, find, top, duplicates)
    db.execute("DROP TABLE IF EXISTS cutgroups")
    db.execute(
        "CREATE TABLE cutgroups (key INTEGER PRIMARY KEY, grp INTEGER NOT NULL,"
        " cuts INTEGER NOT NULL)"
    )
    db.executemany(
        "INSERT INTO cutgroups VALUES (?, ?, ?)",
        ((k, g, members[g]) for k in keyed for g in (find(k),)),
    )
    db.execute("CREATE INDEX cutgroups_grp ON cutgroups(grp)")
    return sum(1 for k in keyed if parent[k] == k and members[k] > 1)


class Cut(NamedTuple):
    """One cut of a group as `evcards cuts` lists it."""

    id: str
    tag: str
    short_cite: str
    words_read: int
    where: str  # "lib" for the library, else the collection's name
    path: str  # the card file's full path

    def as_json(self) -> dict[str, object]:
        return self._asdict()


def card_cuts(root: Path, ref: str) -> list[Cut]:
    """The cuts of the library card `ref` (an id or unambiguous prefix): the card first,
    then the others of its group by words read, most first. CardNotFound, AmbiguousCard as
    `show` raises them."""
    from evcards.errors import AmbiguousCard, CardNotFound
    from evcards.index.sync import ensure

    prefix = ref.strip().lower()
    ix = ensure(root)
    try:
        found = ix.db.execute(
            "SELECT DISTINCT card_id, key FROM cards WHERE card_id >= ? AND card_id < ?"
            " ORDER BY card_id, key",
            (prefix, prefix + "g"),
        ).fetchall()
        ids = sorted({card_id for card_id, _ in found})
        if not prefix or not ids:
            raise CardNotFound(f"no card with id '{ref}' in {root}; `evcards list` shows the ids")
        if len(ids) > 1:
            raise AmbiguousCard(
                f"id prefix '{ref}' matches {len(ids)} cards ({', '.join(ids[:5])}); "
                "type more of the id"
            )
        return cuts_in(ix.db, found[0][1], "lib", lambda path: str(root / path))
    finally:
        ix.close()


def cuts_in(
    db: sqlite3.Connection, own: int, where: str, path_of: Callable[[str], str]
) -> list[Cut]:
    """The cuts of the card with catalog key `own` in `db` (a library's catalog or a
    collection's, said by `where`): the card first, then the others of its group by words
    read, most first; `path_of` makes a catalog path the one shown."""
    rows = _rows(db, sorted(component(db, own)))
    rows.sort(key=lambda r: (r[0] != own, -r[4], r[1]))
    return [
        Cut(i, tag or "", short or "", read, where, path_of(path))
        for _, i, tag, short, read, path in rows
    ]


def _rows(db: sqlite3.Connection, keys: list[int]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for i in range(0, len(keys), 10_000):
        part = keys[i : i + 10_000]
        out += db.execute(
            "SELECT key, card_id, tag, short_cite, words_read, path FROM cards"
            f" WHERE key IN ({','.join('?' * len(part))})",
            part,
        ).fetchall()
    return out


def _sizes(
    db: sqlite3.Connection,
    keyed: list[int],
    find: Callable[[int], int],
    top: int,
    duplicates: str | None,
) -> array[int]:
    """Each group's number of cuts, at its root: its cards, plus the dataset's duplicates of
    each where `duplicates` gives them (see `group`)."""
    members = array("q", [0]) * (top + 1)
    for k in keyed:
        members[find(k)] += 1
    for key, n in db.execute(duplicates) if duplicates else ():
        if 0 <= key <= top and n and int(n) > 0:
            members[find(key)] += int(n)
    return members
