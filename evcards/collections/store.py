"""A collection build's folder: the catalog and full-text index of `index/`, and `rows`.

`rows` holds, per catalog key, the card's TOML text (zlib-compressed: a card file is read
back from it by `show`, `take` and `export`) and what the dataset says about its round.
The catalog's `meta` holds the collection's own facts under `collection.*` keys: its
sources (path, size, mtime), when it was built, the rows read and skipped.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evcards.index.schema import INDEX_NAME, IndexDamaged, connect, meta, usable
from evcards.index.sync import Index

if TYPE_CHECKING:
    import tantivy

ROWS = """
CREATE TABLE rows (
    key INTEGER PRIMARY KEY, file TEXT NOT NULL, row INTEGER NOT NULL, event TEXT,
    side TEXT, level TEXT, season INTEGER, caselist TEXT, team TEXT, duplicates INTEGER,
    toml BLOB NOT NULL
);
"""
INSERT_ROW = "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
LEVEL = 1  # zlib: 6 (the default) saved 2% of the size for 25% more time (bench/README.md)


def pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8", "surrogatepass"), LEVEL)


def unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8", "surrogatepass")


class Source(NamedTuple):
    """A file a collection was built from, as it was when read."""

    path: str  # absolute
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Source:
        st = path.stat()
        return cls(str(path.resolve()), st.st_size, st.st_mtime_ns)


class Facts(NamedTuple):
    """What `collection list` shows of a collection."""

    name: str
    cards: int
    bad: int
    size_bytes: int
    sources: list[Source]
    built: str
    format: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "cards": self.cards,
            "bad_rows": self.bad,
            "size_bytes": self.size_bytes,
            "sources": [s.path for s in self.sources],
            "built": self.built,
            "format": self.format,
        }


class CollectionIndex(Index):
    """A build folder's index: the catalog and its full-text folder side by side in it.
    A finished build never changes: `memo` holds what searches work out once of it
    (index.shared._lengths)."""

    def __init__(self, root: Path, db: sqlite3.Connection, rebuilt: bool = False) -> None:
        super().__init__(root, db, rebuilt)
        self.memo: dict[Any, Any] = {}

    def fulltext(self) -> tantivy.Index:
        if self._fulltext is None:
            from evcards.index import fulltext

            name = meta(self.db, "fulltext") or "?"
            self._fulltext = fulltext.open_index(self.root / name)
        return self._fulltext

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the build's one commit: no reload to look for another (tantivy
        reads its meta.json and segment list again on each, 0.3-0.6 ms at 1M rows)."""
        from evcards.index.fulltext import reading

        index = self.fulltext()
        with reading():
            return index.searcher()


def open_build(build: Path, any_thread: bool = False) -> CollectionIndex:
    """The index of a finished build folder; IndexDamaged when it cannot be read.
    `any_thread`: its catalog usable from other threads, one at a time (a search keeps it
    for the next: collections.searching)."""
    path = build / INDEX_NAME
    if not path.is_file():
        raise IndexDamaged(f"{build}: no catalog")
    db = connect(path, any_thread)
    if not usable(db):
        db.close()
        raise IndexDamaged(f"{path}: built by another version of evcards, or damaged")
    ix = CollectionIndex(build, db)
    from evcards.index.shared import memo_of_json

    ix.memo.update(memo_of_json(meta(db, "lengths")))  # none in a build made before
    return ix


def open_checked(build: Path, any_thread: bool = False) -> CollectionIndex:
    """`open_build`, its full text opened too: IndexDamaged when either cannot be read."""
    ix = open_build(build, any_thread)
    try:
        ix.searcher()
    except IndexDamaged:
        ix.close()
        raise
    return ix


def searchable(build: Path) -> bool:
    """Whether a build folder's index opens (of this version of evcards, not damaged)."""
    try:
        open_checked(build).close()
    except IndexDamaged:
        return False
    return True


def facts(name: str, build: Path) -> Facts:
    db = connect(build / INDEX_NAME)
    try:
        cards = db.execute("SELECT coalesce(sum(cards), 0) FROM totals WHERE label = ''")
        total = int(cards.fetchone()[0])
        info = collection_meta(db)
    finally:
        db.close()
    size = sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    return Facts(
        name=name,
        cards=total,
        bad=int(info.get("bad", 0)),
        size_bytes=size,
        sources=[Source(*s) for s in info.get("sources", [])],
        built=str(info.get("built", "")),
        format=info.get("format"),
    )


def collection_meta(db: sqlite3.Connection) -> dict[str, Any]:
    text = meta(db, "collection")
    return json.loads(text) if text else {}


def sources_of(build: Path) -> tuple[list[Source], str | None]:
    """The sources a build read, and the format it was told (None: sniffed)."""
    db = connect(build / INDEX_NAME)
    try:
        info = collection_meta(db)
    finally:
        db.close()
    return [Source(*s) for s in info.get("sources", [])], info.get("format")


def card_text(db: sqlite3.Connection, key: int) -> str | None:
    row = db.execute("SELECT toml FROM rows WHERE key = ?", (key,)).fetchone()
    return unpack(row[0]) if row else None
