"""The catalog: a derived SQLite database in `<library>/.evcards/index.sqlite` holding what is
not full text.

`cards` has one row per valid card file: where it is (path, folder, mtime, size), what
`list`, `stats` and the filters read (tag, short cite, authors, year, labels, kind, words,
words read, location, source files) and what collapsing duplicates needs (`dupkey`, `seen`).
Its `key` names the card's document in the full-text index (evcards.index.fulltext), which
holds the text a query ranks. `dirs` holds the mtime of each folder, `invalid` the files that
are not valid cards (so they are not re-read every time), `meta` the time of the last sync,
the full-text folder this catalog belongs to (`fulltext`) and the generation both were last
written at (`generation`; see evcards.index.sync).

A stored mtime of -1 means "too recent to trust, look again": timestamps are coarse (a kernel
tick), so a change made within the same tick as a sync could look unchanged (git's "racy"
problem). See `settled`.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

# 6: the catalog and tantivy replace FTS5; `words`, `kind`, `added_ns` for `list`
SCHEMA_VERSION = 6
INDEX_NAME = "index.sqlite"
RACY_NS = 2_000_000_000
SMALL = 5_000  # a folder or library this size is stat-ed whole on every sync (about 30 ms)

# A card's catalog columns, in the order `build.values` gives them after the file columns.
CARD_COLUMNS = (
    "card_id",
    "kind",
    "tag",
    "short_cite",
    "authors",
    "author_names",
    "year",
    "labels",
    "pocket",
    "hat",
    "block",
    "files",
    "words",
    "words_read",
    "seen",
    "has_highlight",
    "dupkey",
)
FILE_COLUMNS = ("path", "dir", "mtime_ns", "size", "added_ns")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER);
CREATE TABLE invalid (path TEXT PRIMARY KEY, dir TEXT, mtime_ns INTEGER, size INTEGER,
                      error TEXT);
CREATE TABLE cards (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE, dir TEXT NOT NULL, mtime_ns INTEGER, size INTEGER,
    added_ns INTEGER,
    card_id TEXT NOT NULL, kind TEXT NOT NULL, tag TEXT, short_cite TEXT, authors TEXT,
    author_names TEXT, year INTEGER, labels TEXT, pocket TEXT, hat TEXT, block TEXT,
    files TEXT, words INTEGER, words_read INTEGER, seen INTEGER, has_highlight INTEGER,
    dupkey TEXT
);
"""
# Made after a bulk load (cheaper than kept up per row). `list` sorts on each of these
# within a kind (cards before analytics), so that `list -n 20` reads 20 rows, not a million.
INDEXES = """
CREATE INDEX cards_dir ON cards(dir);
CREATE INDEX cards_dupkey ON cards(dupkey, seen);
CREATE INDEX cards_card_id ON cards(card_id);
CREATE INDEX cards_racy ON cards(path, mtime_ns, size) WHERE mtime_ns = -1;
CREATE INDEX cards_by_tag ON cards(kind, tag);
CREATE INDEX cards_by_cite ON cards(kind, short_cite);
CREATE INDEX cards_by_year ON cards(kind, year);
CREATE INDEX cards_by_words ON cards(kind, words);
CREATE INDEX cards_by_added ON cards(kind, added_ns);
CREATE INDEX invalid_dir ON invalid(dir);
"""

_ROW = ("key", *FILE_COLUMNS, *CARD_COLUMNS)
INSERT = f"INSERT INTO cards ({', '.join(_ROW)}) VALUES ({', '.join('?' for _ in _ROW)})"
INSERT_INVALID = "INSERT INTO invalid VALUES (?, ?, ?, ?, ?)"  # path, dir, mtime_ns, size, error


class IndexDamaged(Exception):
    """The full-text index cannot be read or written, or disagrees with the catalog: the
    index is rebuilt, and the user never sees this."""


def state_dir(root: Path) -> Path:
    return root / ".evcards"


def index_path(root: Path) -> Path:
    return state_dir(root) / INDEX_NAME


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def usable(db: sqlite3.Connection) -> bool:
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False
        db.execute("SELECT count(*) FROM dirs").fetchone()
        db.execute("SELECT key, dupkey, kind FROM cards LIMIT 1").fetchall()
        return meta(db, "fulltext") is not None
    except sqlite3.DatabaseError:
        return False


def meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite3.Connection, key: str, value: object) -> None:
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))


def generation(db: sqlite3.Connection) -> int:
    return int(meta(db, "generation") or 0)


def settled(mtime: int, now: int) -> int:
    """The mtime to remember: -1 (check again next time) when it is too recent to trust."""
    return -1 if mtime > now - RACY_NS else mtime


def settled_folder(mtime: int, files: int, now: int) -> int:
    """The same for a folder of `files` card files, but only a small one: a file added in the
    tick of the listing would otherwise go unseen, and listing a small folder again is cheap,
    where a folder of a million names costs most of a second on every search for a while."""
    return -1 if files <= SMALL and mtime > now - RACY_NS else mtime


def stamp(db: sqlite3.Connection) -> None:
    set_meta(db, "last_sync", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
