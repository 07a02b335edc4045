"""The search index: a derived SQLite FTS5 database in `<library>/.evcards/index.sqlite`.

The card files stay the truth; the index can be deleted at any time. A missing index, one
with another schema version (`PRAGMA user_version`) or a corrupt file is rebuilt silently.

Layout (the sqlite-utils way): `cards` is the content table, one row per valid card file;
`cards_fts` is an FTS5 external-content table over it (text columns for the query, plus
filter columns with weight 0), kept in step by triggers. `dirs` holds a fingerprint per
folder, `invalid` the files that are not valid cards (so they are not re-read every time),
`meta` the time of the last sync.

Keeping in sync, cheaply. Every search first calls `sync()`, which must notice cards added,
deleted, renamed, or edited by hand (including an in-place rewrite that leaves the folder's
own mtime alone) without parsing the library. It makes one pass of `os.scandir` +
`DirEntry.stat()` over the library and, per folder, compares a fingerprint
(folder mtime_ns, number of card files, sum of their mtime_ns, sum of their sizes) with the
stored one:

- adding, deleting or renaming a file changes the folder's mtime (and the count);
- rewriting a file changes its mtime (and usually its size), so the sums move.

Only a folder whose fingerprint moved has its stored rows loaded and diffed file by file
(path, mtime_ns, size); only new or changed files are parsed (with the fast reader in
`evcards.extract`). So a no-change sync is one stat per file and no SQLite reads beyond the
`dirs` table. A stat pass cannot be avoided on plain POSIX: an in-place edit changes nothing
but the file's own inode. Its cost is measured in bench/README.md.

Timestamps are coarse (a kernel tick), so a change made within the same tick as a sync could
look unchanged (git's "racy" problem). A folder or file whose mtime is within RACY_NS of the
sync is therefore stored with mtime -1, which forces a re-check on the next sync.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evcards.extract import CardFacts, extract

SCHEMA_VERSION = 1
INDEX_NAME = "index.sqlite"
RACY_NS = 2_000_000_000
_MOD = 1 << 62
_PARALLEL_MIN = 4000  # below this, starting worker processes costs more than it saves

# FTS columns and their bm25 weights: the query's own columns first, filter columns (0) after.
TEXT_COLUMNS = ("tag", "cite", "spoken", "underlined", "body")
FILTER_COLUMNS = ("author", "labels", "pocket", "hat", "block", "files")
WEIGHTS = {"tag": 10.0, "cite": 5.0, "spoken": 3.0, "underlined": 2.0, "body": 1.0}
FTS_COLUMNS = TEXT_COLUMNS + FILTER_COLUMNS

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

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER, count INTEGER,
                   sum_mtime INTEGER, sum_size INTEGER);
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
CREATE VIRTUAL TABLE cards_fts USING fts5(
    {", ".join(FTS_COLUMNS)},
    content='cards', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
"""
_COLS = ", ".join(FTS_COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
_INDEXES_AND_TRIGGERS = f"""
CREATE INDEX cards_dir ON cards(dir);
CREATE INDEX cards_dupkey ON cards(dupkey);
CREATE INDEX cards_card_id ON cards(card_id);
CREATE INDEX invalid_dir ON invalid(dir);
CREATE TRIGGER cards_ai AFTER INSERT ON cards BEGIN
  INSERT INTO cards_fts (rowid, {_COLS}) VALUES (new.rowid, {_NEW});
END;
CREATE TRIGGER cards_ad AFTER DELETE ON cards BEGIN
  INSERT INTO cards_fts (cards_fts, rowid, {_COLS}) VALUES ('delete', old.rowid, {_OLD});
END;
"""
_INSERT = (
    f"INSERT INTO cards ({', '.join(_CARD_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in _CARD_COLUMNS)})"
)


@dataclass
class Status:
    """What `evcards index status` reports."""

    library: str
    index: str
    cards: int
    invalid: int
    size_bytes: int
    last_sync: str | None
    schema_version: int


@dataclass
class SyncResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    invalid: int = 0
    rebuilt: bool = False


def index_path(root: Path) -> Path:
    return root / ".evcards" / INDEX_NAME


# -- walking the library --------------------------------------------------------------------
@dataclass
class _Dir:
    rel: str
    mtime_ns: int
    files: list[tuple[str, int, int]]  # (name, mtime_ns, size)

    def fingerprint(self) -> tuple[int, int, int, int]:
        return (
            self.mtime_ns,
            len(self.files),
            sum(f[1] for f in self.files) % _MOD,  # mod: SQLite integers are 64-bit
            sum(f[2] for f in self.files) % _MOD,
        )


def _walk(root: Path) -> Iterator[_Dir]:
    """Every folder of the library with its card files' (name, mtime_ns, size): one scandir
    and one stat per entry, dot-names and symlinks skipped as Library.paths() does."""
    stack = [("", str(root), os.stat(root).st_mtime_ns)]
    while stack:
        rel, path, mtime = stack.pop()
        files = []
        try:
            with os.scandir(path) as it:
                for entry in it:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    if name.endswith(".toml"):
                        if entry.is_file(follow_symlinks=False):
                            st = entry.stat(follow_symlinks=False)
                            files.append((name, st.st_mtime_ns, st.st_size))
                    elif entry.is_dir(follow_symlinks=False):
                        sub = f"{rel}/{name}" if rel else name
                        stack.append((sub, entry.path, entry.stat().st_mtime_ns))
        except OSError:
            continue
        yield _Dir(rel, mtime, files)


# -- reading cards ---------------------------------------------------------------------------
def _read(root: str, rel: str) -> CardFacts | str:
    """Facts of one card file, or the one-line reason it is not a valid card."""
    from evcards.errors import EvcardsError

    path = os.path.join(root, rel)
    try:
        with open(path, "rb") as f:
            raw = f.read()
        return extract(raw, path)
    except EvcardsError as e:
        return str(e)
    except OSError as e:
        return f"{path}: cannot read ({e.strerror})"


def _read_chunk(args: tuple[str, list[str]]) -> list[CardFacts | str]:
    root, rels = args
    return [_read(root, rel) for rel in rels]


def _read_all(root: Path, rels: list[str]) -> Iterator[CardFacts | str]:
    """Parse files, on every core when there are enough of them to pay for the processes."""
    workers = os.cpu_count() or 1
    if len(rels) < _PARALLEL_MIN or workers < 2:
        for rel in rels:
            yield _read(str(root), rel)
        return
    import multiprocessing

    size = 500
    chunks = [(str(root), rels[i : i + size]) for i in range(0, len(rels), size)]
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(workers) as pool:
        for result in pool.imap(_read_chunk, chunks):
            yield from result


def _row(f: CardFacts, rel: str, folder: str, mtime: int, size: int) -> tuple[object, ...]:
    author = f.author or f.short_cite
    return (
        f.id,
        rel,
        folder,
        mtime,
        size,
        f.short_cite,
        f.year,
        int(f.has_highlight),
        f.seen,
        f.words_read,
        f.dupkey,
        f.tag,
        f"{f.short_cite}\n{f.full_cite}".strip(),
        f.spoken,
        f.underlined,
        f.text,
        author,
        " ".join(f.labels),
        f.pocket,
        f.hat,
        f.block,
        "\n".join(f.files),
    )


# -- opening, rebuilding ------------------------------------------------------------------------
def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def _usable(db: sqlite3.Connection) -> bool:
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False
        db.execute("SELECT count(*) FROM dirs").fetchone()
        db.execute("SELECT rowid FROM cards_fts WHERE cards_fts MATCH 'x' LIMIT 1").fetchall()
        return True
    except sqlite3.DatabaseError:
        return False


def open_index(root: Path) -> tuple[sqlite3.Connection, bool]:
    """A connection to an up-to-date-schema index, rebuilding it first when it is missing,
    of another schema version or not a database. Returns (connection, rebuilt)."""
    path = index_path(root)
    if path.exists():
        try:
            db = _connect(path)
            if _usable(db):
                return db, False
            db.close()
        except sqlite3.DatabaseError:
            pass
    rebuild(root)
    return _connect(path), True


def rebuild(root: Path) -> SyncResult:
    """Build the index from scratch in a temporary file, then swap it in atomically."""
    state = root / ".evcards"
    state.mkdir(parents=True, exist_ok=True)
    tmp = state / f"{INDEX_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    result = SyncResult(rebuilt=True)
    started = time.time_ns()
    db = _connect(tmp)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
        db.executescript(_SCHEMA)
        db.execute("BEGIN")
        dirs = list(_walk(root)) if root.is_dir() else []
        where = {}
        rels = []
        for d in dirs:
            for name, mtime, size in d.files:
                rel = f"{d.rel}/{name}" if d.rel else name
                where[rel] = (d.rel, _settled(mtime, started), size)
                rels.append(rel)
        _store_dirs(db, dirs, started)
        rows = []
        for rel, facts in zip(rels, _read_all(root, rels), strict=True):
            folder, mtime, size = where[rel]
            if isinstance(facts, str):
                db.execute(
                    "INSERT INTO invalid VALUES (?, ?, ?, ?, ?)", (rel, folder, mtime, size, facts)
                )
                result.invalid += 1
                continue
            rows.append(_row(facts, rel, folder, mtime, size))
            if len(rows) >= 2000:
                db.executemany(_INSERT, rows)
                rows.clear()
        db.executemany(_INSERT, rows)
        result.added = db.execute("SELECT count(*) FROM cards").fetchone()[0]
        db.execute("INSERT INTO cards_fts (cards_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO cards_fts (cards_fts) VALUES ('optimize')")
        _stamp(db)
        db.execute("COMMIT")
        db.executescript(_INDEXES_AND_TRIGGERS)  # after the bulk load: cheaper than per row
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    final = index_path(root)
    os.replace(tmp, final)
    for suffix in ("-journal", "-wal", "-shm"):
        Path(f"{final}{suffix}").unlink(missing_ok=True)
    return result


def _settled(mtime: int, now: int) -> int:
    """The mtime to remember: -1 (check again next time) when it is too recent to trust."""
    return -1 if mtime > now - RACY_NS else mtime


def _store_dirs(db: sqlite3.Connection, dirs: Iterable[_Dir], now: int) -> None:
    rows = []
    for d in dirs:
        fp = d.fingerprint()
        recent = d.mtime_ns > now - RACY_NS or any(f[1] > now - RACY_NS for f in d.files)
        rows.append((d.rel, -1 if recent else fp[0], *fp[1:]))
    db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?, ?, ?, ?)", rows)


def _stamp(db: sqlite3.Connection) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('last_sync', ?)", (now,))


# -- syncing ----------------------------------------------------------------------------------
def sync(root: Path, db: sqlite3.Connection) -> SyncResult:
    """Bring the index in line with the card files (see the module docstring for how)."""
    result = SyncResult()
    started = time.time_ns()
    stored = {row[0]: tuple(row[1:]) for row in db.execute("SELECT * FROM dirs").fetchall()}
    changed: list[_Dir] = []
    seen_dirs = set()
    for d in _walk(root) if root.is_dir() else ():
        seen_dirs.add(d.rel)
        if stored.get(d.rel) != d.fingerprint():
            changed.append(d)
    gone_dirs = [rel for rel in stored if rel not in seen_dirs]
    if not changed and not gone_dirs:
        return result

    to_read: list[tuple[str, str, int, int]] = []  # (rel, folder, mtime, size)
    to_delete: list[str] = []
    for d in changed:
        known = dict(
            db.execute(
                "SELECT path, mtime_ns || ':' || size FROM cards WHERE dir = ?"
                " UNION ALL SELECT path, mtime_ns || ':' || size FROM invalid WHERE dir = ?",
                (d.rel, d.rel),
            ).fetchall()
        )
        for name, mtime, size in d.files:
            rel = f"{d.rel}/{name}" if d.rel else name
            if known.pop(rel, None) != f"{mtime}:{size}":
                to_read.append((rel, d.rel, mtime, size))
        to_delete.extend(known)
    for rel in gone_dirs:
        to_delete.extend(
            r[0]
            for r in db.execute(
                "SELECT path FROM cards WHERE dir = ? UNION ALL SELECT path FROM invalid"
                " WHERE dir = ?",
                (rel, rel),
            )
        )

    read = list(_read_all(root, [r[0] for r in to_read]))
    db.execute("BEGIN IMMEDIATE")
    try:
        existing = {
            r[0]
            for rel, *_ in to_read
            for r in db.execute("SELECT path FROM cards WHERE path = ?", (rel,))
        }
        for rel in to_delete:
            result.removed += db.execute("DELETE FROM cards WHERE path = ?", (rel,)).rowcount
            db.execute("DELETE FROM invalid WHERE path = ?", (rel,))
        for (rel, folder, mtime, size), facts in zip(to_read, read, strict=True):
            db.execute("DELETE FROM cards WHERE path = ?", (rel,))
            db.execute("DELETE FROM invalid WHERE path = ?", (rel,))
            mtime = _settled(mtime, started)
            if isinstance(facts, str):
                db.execute(
                    "INSERT INTO invalid VALUES (?, ?, ?, ?, ?)", (rel, folder, mtime, size, facts)
                )
                result.invalid += 1
                continue
            db.execute(_INSERT, _row(facts, rel, folder, mtime, size))
            if rel in existing:
                result.updated += 1
            else:
                result.added += 1
        for rel in gone_dirs:
            db.execute("DELETE FROM dirs WHERE path = ?", (rel,))
        _store_dirs(db, changed, started)
        _stamp(db)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return result


def ensure(root: Path) -> sqlite3.Connection:
    """An index that matches the card files right now: opened (or rebuilt) and synced."""
    if not root.is_dir():
        from evcards.errors import LibraryError

        raise LibraryError(
            f"{root}: no library here yet; add cards with `evcards import FILE` or `evcards add`"
        )
    db, rebuilt = open_index(root)
    if not rebuilt:
        try:
            sync(root, db)
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
                raise
            db.close()  # corrupt beyond what opening noticed: start again
            rebuild(root)
            db = _connect(index_path(root))
    return db


def status(root: Path) -> Status:
    db = ensure(root)
    try:
        cards = db.execute("SELECT count(*) FROM cards").fetchone()[0]
        invalid = db.execute("SELECT count(*) FROM invalid").fetchone()[0]
        last = db.execute("SELECT value FROM meta WHERE key = 'last_sync'").fetchone()
        version = db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()
    path = index_path(root)
    return Status(
        library=str(root),
        index=str(path),
        cards=cards,
        invalid=invalid,
        size_bytes=path.stat().st_size,
        last_sync=last[0] if last else None,
        schema_version=version,
    )


def invalid_files(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute("SELECT path, error FROM invalid ORDER BY path").fetchall()
