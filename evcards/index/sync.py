"""The search index: a derived SQLite FTS5 database in `<library>/.evcards/index.sqlite`.

The card files stay the truth; the index can be deleted at any time. A missing index, one
with another schema version (`PRAGMA user_version`) or a corrupt file is rebuilt silently.

Layout (the sqlite-utils way): `cards` is the content table, one row per valid card file;
`cards_fts` is an FTS5 external-content table over it (text columns for the query, plus
filter columns with weight 0); `head_fts` a second, small one over the tag, the cite and the
filter columns, which lets a search rank a broad query without scoring every body
(evcards.index.search); `facets` the few small columns a search filters on. New rows reach all
three in batches (`_index_new`), deleted ones through a trigger. `dirs` holds the mtime of
each folder, `invalid` the files that are not valid cards (so they are not re-read every
time), `meta` the time of the last sync.

Keeping in sync, cheaply. Every search first calls `sync()`, which must notice cards added,
deleted, renamed or edited by hand without parsing the library, and without a stat per file
when the library is large (one stat costs 1-6 us, so a full pass over a million files is
1-6 s). Three passes, each cheap, each catching what the others cannot:

1. The journal (evcards/store/journal.py). `Library.write`/`.remove` note every file evcards itself
   writes or removes, with the folder's mtime before and after. Those files are re-read
   exactly, whatever their stat says.
2. Folder mtimes (table `dirs`), one stat per folder. Adding, deleting or renaming a file
   (which is also how most editors save: write a temporary file, rename it over) changes
   its folder's mtime. A changed folder is listed (scandir, names only) and diffed with the
   stored names: new files are read, missing ones deleted, and, in a folder of at most
   SMALL files, every file is stat-ed to catch a save-by-rename. A folder whose mtime
   moved only through a chain of journal notes is not listed at all: evcards' own writes
   into a folder of a million cards cost nothing extra.
3. The rolling stat pass. Rewriting a file in place (`write_text`, some editors) changes
   nothing but the file's own inode. A library of at most SMALL cards is stat-ed whole on
   every sync; a bigger one STAT_WINDOW files at a time, resuming where the last sync
   stopped (`meta.stat_cursor`), so over N / STAT_WINDOW searches, or at once with
   `evcards index sync` (`sync(full=True)`). The files of the hits a search shows are
   checked every time (evcards.index.search), so a result is never shown stale.

Only new or changed files are parsed, with the fast reader in `evcards.index.facts`. The
no-change cost is measured in bench/README.md.

Timestamps are coarse (a kernel tick), so a change made within the same tick as a sync could
look unchanged (git's "racy" problem). A file, or a small folder, whose mtime is within
RACY_NS of the sync is stored with mtime -1, which forces a re-check by the next sync.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evcards.index.facts import CardFacts

SCHEMA_VERSION = 4
INDEX_NAME = "index.sqlite"
RACY_NS = 2_000_000_000
SMALL = 5_000  # a folder or library this size is stat-ed whole on every sync (about 30 ms)
STAT_WINDOW = 1_000  # files stat-ed per sync, in turn, in a bigger library (about 6 ms)
_PARALLEL_MIN = 4000  # below this, starting worker processes costs more than it saves

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

_SCHEMA = f"""
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
_INDEXES = """
CREATE INDEX cards_dir ON cards(dir);
CREATE INDEX cards_dupkey ON cards(dupkey, seen);
CREATE INDEX cards_stat ON cards(path, mtime_ns, size);
CREATE INDEX cards_card_id ON cards(card_id);
CREATE INDEX cards_racy ON cards(path, mtime_ns, size) WHERE mtime_ns = -1;
CREATE INDEX invalid_dir ON invalid(dir);
"""
# Deleting needs the old values ('delete' in an external-content table), which the trigger has.
# Inserting is done in batches by `_index_new`: FTS5 fed row by row from a trigger costs
# twice as much per card as FTS5 fed by one INSERT ... SELECT over the batch.
_TRIGGERS = f"""
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


def _last_rowid(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT coalesce(max(rowid), 0) FROM cards").fetchone()[0])


def _index_new(db: sqlite3.Connection, after: int) -> None:
    """Add to both FTS tables and to `facets` every `cards` row past rowid `after` (rows only
    ever append: an INTEGER PRIMARY KEY takes max(rowid) + 1)."""
    for sql in _FTS_FILL:
        db.execute(sql, (after,))


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
    from evcards.index.facts import extract
    from evcards.limits import MAX_CARD_FILE_BYTES, megabytes

    path = os.path.join(root, rel)
    try:
        if os.stat(path).st_size > MAX_CARD_FILE_BYTES:  # as cardfile.read refuses it
            return f"{path}: larger than {megabytes(MAX_CARD_FILE_BYTES)}, too big to be one card"
        with open(path, "rb") as f:
            raw = f.read()
        return extract(raw, path)
    except EvcardsError as e:
        return str(e)
    except OSError as e:
        return f"{path}: cannot read ({e.strerror})"


Values = tuple[object, ...]  # a `cards` row without its file columns (path, dir, mtime, size)


def _values(f: CardFacts) -> Values:
    return (
        f.id,
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
        f.author or f.short_cite,
        " ".join(f.labels),
        f.pocket,
        f.hat,
        f.block,
        "\n".join(f.files),
    )


def _read_chunk(args: tuple[str, list[str]]) -> list[Values | str]:
    """A worker's share, as row values: everything per card is done here rather than in the
    process that writes the index, which is the bottleneck (and plain tuples pickle fast)."""
    root, rels = args
    out: list[Values | str] = []
    for rel in rels:
        facts = _read(root, rel)
        out.append(facts if isinstance(facts, str) else _values(facts))
    return out


def _read_all(root: Path, rels: list[str]) -> Iterator[Values | str]:
    """Parse files, on every core when there are enough of them to pay for the processes."""
    workers = os.cpu_count() or 1
    if len(rels) < _PARALLEL_MIN or workers < 2:
        yield from _read_chunk((str(root), rels))
        return
    import multiprocessing

    size = 500
    chunks = [(str(root), rels[i : i + size]) for i in range(0, len(rels), size)]
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(workers) as pool:
        for result in pool.imap(_read_chunk, chunks):
            yield from result


def _row(values: Values, rel: str, folder: str, mtime: int, size: int) -> Values:
    return (values[0], rel, folder, mtime, size, *values[1:])


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
        db.execute("SELECT rowid FROM facets LIMIT 1").fetchall()
        db.execute("SELECT rowid FROM cards_fts WHERE cards_fts MATCH 'x' LIMIT 1").fetchall()
        db.execute("SELECT rowid FROM head_fts WHERE head_fts MATCH 'x' LIMIT 1").fetchall()
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
    from evcards.store import journal

    _, note_files = journal.take(root)  # the walk below sees everything they mention
    db = _connect(tmp)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(_SCHEMA + _TRIGGERS)
        # No merging while loading, one 'optimize' at the end: a quarter less work per card.
        for table in ("cards_fts", "head_fts"):
            db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
        db.execute("BEGIN")
        dirs = list(_walk(root)) if root.is_dir() else []
        where = {}
        written = []
        for d in dirs:
            for name, mtime, size in d.files:
                rel = f"{d.rel}/{name}" if d.rel else name
                where[rel] = (d.rel, _settled(mtime, started), size)
                written.append((mtime, rel))
        # Oldest file first, so rowids follow the order cards were written, as a sync's
        # appends do: a broad search ranks the newest matches (evcards.index.search._ranked).
        written.sort()
        rels = [rel for _, rel in written]
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
            if len(rows) >= 2000:  # indexed batch by batch, while the workers parse on
                after = _last_rowid(db)
                db.executemany(_INSERT, rows)
                _index_new(db, after)
                rows.clear()
        after = _last_rowid(db)
        db.executemany(_INSERT, rows)
        _index_new(db, after)
        result.added = db.execute("SELECT count(*) FROM cards").fetchone()[0]
        for table in ("cards_fts", "head_fts"):
            db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
            db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 4)")
        _stamp(db)
        db.execute("COMMIT")
        db.executescript(_INDEXES)  # after the bulk load: cheaper than kept up per row
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    final = index_path(root)
    os.replace(tmp, final)
    for path in note_files:
        path.unlink(missing_ok=True)
    for suffix in ("-journal", "-wal", "-shm"):
        Path(f"{final}{suffix}").unlink(missing_ok=True)
    return result


def _settled(mtime: int, now: int) -> int:
    """The mtime to remember: -1 (check again next time) when it is too recent to trust."""
    return -1 if mtime > now - RACY_NS else mtime


def _store_dirs(db: sqlite3.Connection, dirs: Iterable[_Dir], now: int) -> None:
    rows = []
    for d in dirs:
        recent = d.mtime_ns > now - RACY_NS and len(d.files) <= SMALL
        rows.append((d.rel, -1 if recent else d.mtime_ns))
    db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", rows)


def _stamp(db: sqlite3.Connection) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('last_sync', ?)", (now,))


# -- syncing ----------------------------------------------------------------------------------
def _stored_stat(db: sqlite3.Connection, rel: str) -> tuple[int, int] | None:
    row = db.execute(
        "SELECT mtime_ns, size FROM cards WHERE path = ?"
        " UNION ALL SELECT mtime_ns, size FROM invalid WHERE path = ?",
        (rel, rel),
    ).fetchone()
    return (row[0], row[1]) if row else None


def _list(root: Path, rel: str) -> tuple[list[str], list[str]] | None:
    """Card file names and sub-folder names of one folder (no stat per file), or None."""
    files, subdirs = [], []
    try:
        with os.scandir(root / rel if rel else root) as it:
            for entry in it:
                name = entry.name
                if name[0] == ".":
                    continue
                if name.endswith(".toml") and entry.is_file(follow_symlinks=False):
                    files.append(name)
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(name)
    except OSError:
        return None
    return files, subdirs


def sync(
    root: Path, db: sqlite3.Connection, full: bool = False, only: Iterable[str] | None = None
) -> SyncResult:
    """Bring the index in line with the card files (see the module docstring for how).
    `full=True` stats every known file instead of the rolling window; `only` checks just
    those files (relative paths) and nothing else."""
    from evcards.store import journal

    result = SyncResult()
    started = time.time_ns()
    base = os.path.join(root, "")  # plain strings: pathlib costs more than the stat itself
    notes, note_files = journal.take(root) if only is None else ([], [])
    check: set[str] = set(only or ())  # to stat; re-read if new or changed, delete if gone
    force: set[str] = set()  # files evcards wrote: re-read whatever their stat says
    for n in notes:
        force.update(n.paths)
    delete: set[str] = set()
    dirs = dict(db.execute("SELECT path, mtime_ns FROM dirs").fetchall())
    new_dirs: dict[str, int] = {}
    gone_dirs: list[str] = []
    pending = list(dirs) if only is None else []
    while pending:
        rel = pending.pop()
        try:
            mtime = os.stat(root / rel if rel else root).st_mtime_ns
        except OSError:
            gone_dirs.append(rel)
            continue
        if rel in dirs and mtime == dirs[rel]:
            continue
        if rel in dirs and journal.explained(dirs[rel], mtime, [n for n in notes if n.dir == rel]):
            new_dirs[rel] = mtime  # only evcards wrote here, and `force` has its files
            continue
        listing = _list(root, rel)
        if listing is None:
            gone_dirs.append(rel)
            continue
        names, subdirs = listing
        here = {f"{rel}/{n}" if rel else n for n in names}
        known = {
            r[0]
            for r in db.execute(
                "SELECT path FROM cards WHERE dir = ? UNION ALL SELECT path FROM invalid"
                " WHERE dir = ?",
                (rel, rel),
            )
        }
        delete |= known - here
        # A big folder's unchanged names are left to the rolling pass: stat-ing a million
        # files because one was added would make every search after an import slow.
        check |= here if len(here) <= SMALL or rel not in dirs else here - known
        for sub in subdirs:
            sub_rel = f"{rel}/{sub}" if rel else sub
            if sub_rel not in dirs and sub_rel not in new_dirs:
                pending.append(sub_rel)
        recent = mtime > started - RACY_NS and len(here) <= SMALL
        new_dirs[rel] = -1 if recent else mtime

    # The rolling stat pass: in-place edits change nothing but the file's own inode.
    cursor = db.execute("SELECT value FROM meta WHERE key = 'stat_cursor'").fetchone()
    after = cursor[0] if cursor and not full else ""
    window: list[tuple[str, int, int]] = []
    rolling = False  # whether the cursor moves (a big library, a window at a time)
    if only is None:
        # max(rowid) is instant where count(*) reads the table; it is at least the count.
        size = db.execute("SELECT max(rowid) FROM cards").fetchone()[0] or 0
        if full or size <= SMALL:
            after, step = "", -1
        else:
            step, rolling = STAT_WINDOW, True
        window = db.execute(
            "SELECT path, mtime_ns, size FROM cards WHERE path > ? ORDER BY path LIMIT ?",
            (after, step),
        ).fetchall()
        if step > 0 and len(window) < step and after:  # wrap around
            window += db.execute(
                "SELECT path, mtime_ns, size FROM cards WHERE path <= ? ORDER BY path LIMIT ?",
                (after, step - len(window)),
            ).fetchall()
    next_cursor = window[-1][0] if window else after
    if only is None:
        # Files stored as too recent to trust (mtime -1) are checked again at once.
        window += db.execute(
            "SELECT path, mtime_ns, size FROM cards INDEXED BY cards_racy WHERE mtime_ns = -1"
        )
        window += db.execute("SELECT path, mtime_ns, size FROM invalid").fetchall()
    for rel, mtime, size in window:
        try:
            st = os.stat(base + rel)
        except OSError:
            delete.add(rel)
            continue
        if (st.st_mtime_ns, st.st_size) != (mtime, size):
            check.add(rel)

    to_read: list[tuple[str, str, int, int]] = []
    for rel in check | force:
        try:
            st = os.stat(base + rel)
        except OSError:
            delete.add(rel)
            continue
        if rel in force or _stored_stat(db, rel) != (st.st_mtime_ns, st.st_size):
            folder = rel.rpartition("/")[0]
            to_read.append((rel, folder, st.st_mtime_ns, st.st_size))
            delete.discard(rel)
    for rel in gone_dirs:
        delete.update(
            r[0]
            for r in db.execute(
                "SELECT path FROM cards WHERE dir = ? UNION ALL SELECT path FROM invalid"
                " WHERE dir = ?",
                (rel, rel),
            )
        )

    to_read.sort(key=lambda r: r[2])  # oldest first, as rebuild does: rowids follow writes
    read = list(_read_all(root, [r[0] for r in to_read]))
    changed = bool(to_read or delete or new_dirs or gone_dirs)
    if not changed:
        for path in note_files:
            path.unlink(missing_ok=True)
        if not rolling:  # a library stat-ed whole: nothing to remember
            return result
        # Only the rolling cursor moves. Losing it to a power cut costs a re-stat, so this
        # write skips the fsyncs (up to 6, and 1-400 ms on a busy disk) every search paid.
        db.execute("PRAGMA synchronous=OFF")
        try:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('stat_cursor', ?)", (next_cursor,))
        finally:
            db.execute("PRAGMA synchronous=NORMAL")
        return result
    db.execute("BEGIN IMMEDIATE")
    try:
        for rel in delete:
            result.removed += db.execute("DELETE FROM cards WHERE path = ?", (rel,)).rowcount
            db.execute("DELETE FROM invalid WHERE path = ?", (rel,))
        existed = set()
        for rel, _, _, _ in to_read:
            if db.execute("DELETE FROM cards WHERE path = ?", (rel,)).rowcount:
                existed.add(rel)
            db.execute("DELETE FROM invalid WHERE path = ?", (rel,))
        after = _last_rowid(db)
        for (rel, folder, mtime, size), facts in zip(to_read, read, strict=True):
            mtime = _settled(mtime, started)
            if isinstance(facts, str):
                db.execute(
                    "INSERT INTO invalid VALUES (?, ?, ?, ?, ?)", (rel, folder, mtime, size, facts)
                )
                result.invalid += 1
                continue
            db.execute(_INSERT, _row(facts, rel, folder, mtime, size))
            if rel in existed:
                result.updated += 1
            else:
                result.added += 1
        _index_new(db, after)
        for rel in gone_dirs:
            db.execute("DELETE FROM dirs WHERE path = ?", (rel,))
        db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", new_dirs.items())
        db.execute("INSERT OR REPLACE INTO meta VALUES ('stat_cursor', ?)", (next_cursor,))
        _stamp(db)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    for path in note_files:
        path.unlink(missing_ok=True)
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
