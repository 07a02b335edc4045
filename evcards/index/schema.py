"""The catalog: a derived SQLite database in `<library>/.evcards/index.sqlite` holding what is
not full text.

`cards` has one row per valid card file: where it is (path, folder, mtime, size), what
`list`, `stats` and the filters read (tag, short cite, authors, year, labels, kind, words,
words read, location, source files) and what collapsing duplicates needs (`dupkey`, `seen`).
Its `key` names the card's document in the full-text index (evcards.index.fulltext), which
holds the text a query ranks. `dirs` holds the mtime of each folder, `invalid` the files that
are not valid cards (so they are not re-read every time), `totals` the cards and words read
of each kind and label (kept by triggers: rows of `cards` are only ever inserted and deleted,
and an update is counted too), `meta` the time of the last sync,
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
# 7: totals kept by triggers for `stats` and `list`; smaller sort indexes, a packed path index
# 8: the collection-only filters (event, side, level, caselist, season) in the tantivy schema;
#    `cutkeys`, each card's near-duplicate keys (evcards.index.cuts), its cuts grouped
# 9: the body and spoken text stored deflated in one tantivy field (fulltext.packed)
SCHEMA_VERSION = 9
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

# 8 KB pages: a fifth less of each page lost to the rows that do not fit (1.7% of the file).
# The small tables are keyed by text, so WITHOUT ROWID: the key is the table, not an index
# beside it. `totals` holds, per kind, the cards and words read of all of them (label '')
# and of each label: what `stats` and the count of `list` print, kept by the triggers below
# as rows come and go, so that neither scans a million rows.
SCHEMA = """
PRAGMA page_size = 8192;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER) WITHOUT ROWID;
CREATE TABLE invalid (path TEXT PRIMARY KEY, dir TEXT, mtime_ns INTEGER, size INTEGER,
                      error TEXT) WITHOUT ROWID;
CREATE TABLE cards (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL, dir TEXT NOT NULL, mtime_ns INTEGER, size INTEGER,
    added_ns INTEGER,
    card_id TEXT NOT NULL, kind TEXT NOT NULL, tag TEXT, short_cite TEXT, authors TEXT,
    author_names TEXT, year INTEGER, labels TEXT, pocket TEXT, hat TEXT, block TEXT,
    files TEXT, words INTEGER, words_read INTEGER, seen INTEGER, has_highlight INTEGER,
    dupkey TEXT
);
CREATE TABLE totals (
    kind TEXT NOT NULL, label TEXT NOT NULL, cards INTEGER NOT NULL, words_read INTEGER NOT NULL,
    PRIMARY KEY (kind, label)
) WITHOUT ROWID;
CREATE TABLE cutkeys (key INTEGER NOT NULL, bucket INTEGER NOT NULL,
                      PRIMARY KEY (key, bucket)) WITHOUT ROWID;
"""


def _labels_json(row: str) -> str:
    """SQL for a JSON array of '' and each of the row's labels (space-separated, and of
    characters that need no JSON escape: core/labels.py)."""
    return (
        f"""'[""' || CASE {row}.labels WHEN '' THEN '' """
        f"""ELSE ',"' || replace({row}.labels, ' ', '","') || '"' END || ']'"""
    )


_COUNT_IN = f"""
    INSERT INTO totals SELECT NEW.kind, value, 1, NEW.words_read
    FROM json_each({_labels_json("NEW")}) WHERE 1 ON CONFLICT DO UPDATE
    SET cards = cards + 1, words_read = words_read + excluded.words_read;"""
_COUNT_OUT = f"""
    UPDATE totals SET cards = cards - 1, words_read = words_read - OLD.words_read
    WHERE kind = OLD.kind AND label IN (SELECT value FROM json_each({_labels_json("OLD")}));"""

# Made after a bulk load (cheaper than kept up per row, and packed: the path index built
# row by row in mtime order was an eighth empty space). `list` sorts on each `by_` index
# within a kind (cards before analytics, `kind = 'analytic'` being 0 or 1, which costs no
# byte), so that `list -n 20` reads 20 rows, not a million; DESC as `list` orders, since
# ties then come in key order as the ORDER BY asks, where an ascending index made SQLite
# sort every card of the first year (92 ms of 100,000). The tag index holds the first 12
# characters (a fifth of its size): SQLite sorts only the rows that share them.
INDEXES = f"""
CREATE UNIQUE INDEX cards_path ON cards(path);
CREATE INDEX cards_dir ON cards(dir);
CREATE INDEX cards_dupkey ON cards(dupkey, seen);
CREATE INDEX cards_card_id ON cards(card_id);
CREATE INDEX cards_racy ON cards(path, mtime_ns, size) WHERE mtime_ns = -1;
CREATE INDEX cards_by_tag ON cards((kind = 'analytic'), substr(tag, 1, 12));
CREATE INDEX cards_by_cite ON cards((kind = 'analytic'), short_cite);
CREATE INDEX cards_by_year ON cards((kind = 'analytic'), year DESC);
CREATE INDEX cards_by_words ON cards((kind = 'analytic'), words DESC);
CREATE INDEX cards_by_added ON cards((kind = 'analytic'), added_ns DESC);
CREATE INDEX invalid_dir ON invalid(dir);
CREATE INDEX cutkeys_bucket ON cutkeys(bucket);
INSERT INTO totals
    SELECT kind, value, sum(n), sum(w)
    FROM (SELECT kind, labels, count(*) AS n, sum(words_read) AS w FROM cards
          GROUP BY kind, labels) AS c, json_each({_labels_json("c")})
    GROUP BY kind, value;
CREATE TRIGGER cards_counted AFTER INSERT ON cards BEGIN {_COUNT_IN}
END;
CREATE TRIGGER cards_uncounted AFTER DELETE ON cards BEGIN {_COUNT_OUT}
    DELETE FROM cutkeys WHERE key = OLD.key;
END;
CREATE TRIGGER cards_recounted AFTER UPDATE OF kind, labels, words_read ON cards BEGIN
    {_COUNT_OUT}
    {_COUNT_IN}
END;
"""
# What `list` orders by, for each --sort, matching the indexes above (then by key).
SORT_ORDER = {
    "tag": "substr(tag, 1, 12), tag",
    "cite": "short_cite",
    "year": "year DESC",
    "words": "words DESC",
    "added": "added_ns DESC",
    "path": "path",  # the order `stats` lists cards in (the unique path index)
}
IS_ANALYTIC = "(kind = 'analytic')"  # the sort indexes' first column

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


def connect(path: Path, any_thread: bool = False) -> sqlite3.Connection:
    """The catalog at `path`; `any_thread`: usable from another thread than this one (one
    at a time: the caller sees to it)."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=not any_thread)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def usable(db: sqlite3.Connection) -> bool:
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False
        db.execute("SELECT count(*) FROM dirs").fetchone()
        db.execute("SELECT key, dupkey, kind FROM cards LIMIT 1").fetchall()
        db.execute("SELECT bucket, key FROM cutkeys LIMIT 1").fetchall()
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
