"""The search index's tables: a derived SQLite FTS5 database in `<library>/.evcards/index.sqlite`.

Layout (the sqlite-utils way): `cards` is the content table, one row per valid card file;
`cards_fts` is an FTS5 external-content table over it (text columns for the query, plus
filter columns with weight 0); `head_fts` a second, small one over the tag, the cite and the
filter columns, which lets a search rank a broad query without scoring every body
(evcards.index.search); `facets` the few small columns a search filters on. New rows reach all
three in batches (`index_new`), deleted ones through a trigger. `dirs` holds the mtime of
each folder, `invalid` the files that are not valid cards (so they are not re-read every
time), `meta` the time of the last sync.

A stored mtime of -1 means "too recent to trust, look again": timestamps are coarse (a kernel
tick), so a change made within the same tick as a sync could look unchanged (git's "racy"
problem). See `settled`.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

SCHEMA_VERSION = 5  # 5: `author` holds the names `--author` matches (facts.author_names)
INDEX_NAME = "index.sqlite"
RACY_NS = 2_000_000_000
SMALL = 5_000  # a folder or library this size is stat-ed whole on every sync (about 30 ms)

# FTS columns and their bm25 weights: the query's own columns first, filter columns (0) after.
TEXT_COLUMNS = ("tag", "cite", "spoken", "underlined", "body")
FILTER_COLUMNS = ("author", "labels", "pocket", "hat", "block", "files")
WEIGHTS = {"tag": 10.0, "cite": 5.0, "spoken": 3.0, "underlined": 2.0, "body": 1.0}
FTS_COLUMNS = TEXT_COLUMNS + FILTER_COLUMNS
# The small index over the card's head (tag and cite) and filters, ranked first: a broad
# query is answered from it without scoring every body that mentions the words.
HEAD_COLUMNS = ("tag", "cite") + FILTER_COLUMNS

_CARD_COLUMNS = (
    "card_id",
    "path",
    "dir",
    "mtime_ns",
    "size",
    "short_cite",
    "year",
    "has_highlight",
    "seen",
    "words_read",
    "dupkey",
    *FTS_COLUMNS,
)

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER);
CREATE TABLE invalid (path TEXT PRIMARY KEY, dir TEXT, mtime_ns INTEGER, size INTEGER,
                      error TEXT);
CREATE TABLE cards (
    rowid INTEGER PRIMARY KEY,
    card_id TEXT NOT NULL, path TEXT NOT NULL UNIQUE, dir TEXT NOT NULL,
    mtime_ns INTEGER, size INTEGER,
    short_cite TEXT, year INTEGER, has_highlight INTEGER, seen INTEGER, words_read INTEGER,
    dupkey TEXT,
    {", ".join(f"{c} TEXT" for c in FTS_COLUMNS)}
);
CREATE TABLE facets (
    rowid INTEGER PRIMARY KEY, dupkey TEXT, year INTEGER, has_highlight INTEGER, labels TEXT
);
CREATE VIRTUAL TABLE cards_fts USING fts5(
    {", ".join(FTS_COLUMNS)},
    content='cards', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE head_fts USING fts5(
    {", ".join(HEAD_COLUMNS)},
    content='cards', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
"""


def _delete_sql(table: str, columns: tuple[str, ...]) -> str:
    cols = ", ".join(columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return f"INSERT INTO {table} ({table}, rowid, {cols}) VALUES ('delete', old.rowid, {old});"


_FULL_AD = _delete_sql("cards_fts", FTS_COLUMNS)
_HEAD_AD = _delete_sql("head_fts", HEAD_COLUMNS)
# cards rows hold whole bodies, so one row read is a random page of a 10 GB file at a million
# cards: the rolling stat pass and the duplicate count read these covering indexes instead.
INDEXES = """
CREATE INDEX cards_dir ON cards(dir);
CREATE INDEX cards_dupkey ON cards(dupkey, seen);
CREATE INDEX cards_stat ON cards(path, mtime_ns, size);
CREATE INDEX cards_card_id ON cards(card_id);
CREATE INDEX cards_racy ON cards(path, mtime_ns, size) WHERE mtime_ns = -1;
CREATE INDEX invalid_dir ON invalid(dir);
"""
# Deleting needs the old values ('delete' in an external-content table), which the trigger has.
# Inserting is done in batches by `index_new`: FTS5 fed row by row from a trigger costs
# twice as much per card as FTS5 fed by one INSERT ... SELECT over the batch.
TRIGGERS = f"""
CREATE TRIGGER cards_ad AFTER DELETE ON cards BEGIN
  {_FULL_AD}
  {_HEAD_AD}
  DELETE FROM facets WHERE rowid = old.rowid;
END;
"""
# `facets` repeats the few columns a search filters or collapses on. A `cards` row holds the
# whole body, so at a million cards a filter joined to `cards` reads random pages of a 10 GB
# file (17 s cold for one broad query with --year); `facets` is 50 bytes a card.
_FACETS = ("dupkey", "year", "has_highlight", "labels")
_FTS_FILL = [
    f"INSERT INTO {table} (rowid, {', '.join(cols)}) SELECT rowid, {', '.join(cols)}"
    " FROM cards WHERE rowid > ?"
    for table, cols in (("cards_fts", FTS_COLUMNS), ("head_fts", HEAD_COLUMNS), ("facets", _FACETS))
]


def last_rowid(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT coalesce(max(rowid), 0) FROM cards").fetchone()[0])


def index_new(db: sqlite3.Connection, after: int) -> None:
    """Add to both FTS tables and to `facets` every `cards` row past rowid `after` (rows only
    ever append: an INTEGER PRIMARY KEY takes max(rowid) + 1)."""
    for sql in _FTS_FILL:
        db.execute(sql, (after,))


INSERT = (
    f"INSERT INTO cards ({', '.join(_CARD_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in _CARD_COLUMNS)})"
)
INSERT_INVALID = "INSERT INTO invalid VALUES (?, ?, ?, ?, ?)"  # path, dir, mtime_ns, size, error


def index_path(root: Path) -> Path:
    return root / ".evcards" / INDEX_NAME


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
        db.execute("SELECT rowid FROM facets LIMIT 1").fetchall()
        db.execute("SELECT rowid FROM cards_fts WHERE cards_fts MATCH 'x' LIMIT 1").fetchall()
        db.execute("SELECT rowid FROM head_fts WHERE head_fts MATCH 'x' LIMIT 1").fetchall()
        return True
    except sqlite3.DatabaseError:
        return False


def settled(mtime: int, now: int) -> int:
    """The mtime to remember: -1 (check again next time) when it is too recent to trust."""
    return -1 if mtime > now - RACY_NS else mtime


def settled_folder(mtime: int, files: int, now: int) -> int:
    """The same for a folder of `files` card files, but only a small one: a file added in the
    tick of the listing would otherwise go unseen, and listing a small folder again is cheap,
    where a folder of a million names costs most of a second on every search for a while."""
    return -1 if files <= SMALL and mtime > now - RACY_NS else mtime


def stamp(db: sqlite3.Connection) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('last_sync', ?)", (now,))
