"""Keeping the search index in line with the card files: sync, ensure, status.

The card files stay the truth; the index can be deleted at any time. A missing index, one
with another schema version (`PRAGMA user_version`) or a corrupt file is rebuilt silently
(evcards.index.build). The tables, and SMALL and RACY_NS, are in evcards.index.schema.

Keeping in sync, cheaply. Every search first calls `sync()`, which must notice cards added,
deleted, renamed or edited by hand without parsing the library, and without a stat per file
when the library is large (one stat costs 1-6 us, so a full pass over a million files is
1-6 s). Three passes, each cheap, each catching what the others cannot:

1. The journal (evcards/store/journal.py). `Library.write`/`.remove` note every file evcards
   itself writes or removes, with the folder's mtime before and after. Those files are re-read
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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evcards.index import schema
from evcards.index.build import SyncResult, read_all, rebuild, row
from evcards.index.schema import (
    INSERT,
    connect,
    index_new,
    index_path,
    last_rowid,
    settled,
    stamp,
    usable,
)

STAT_WINDOW = 1_000  # files stat-ed per sync, in turn, in a bigger library (about 6 ms)


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


def open_index(root: Path) -> tuple[sqlite3.Connection, bool]:
    """A connection to an up-to-date-schema index, rebuilding it first when it is missing,
    of another schema version or not a database. Returns (connection, rebuilt)."""
    path = index_path(root)
    if path.exists():
        try:
            db = connect(path)
            if usable(db):
                return db, False
            db.close()
        except sqlite3.DatabaseError:
            pass
    rebuild(root)
    return connect(path), True


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
        check |= here if len(here) <= schema.SMALL or rel not in dirs else here - known
        for sub in subdirs:
            sub_rel = f"{rel}/{sub}" if rel else sub
            if sub_rel not in dirs and sub_rel not in new_dirs:
                pending.append(sub_rel)
        recent = mtime > started - schema.RACY_NS and len(here) <= schema.SMALL
        new_dirs[rel] = -1 if recent else mtime

    # The rolling stat pass: in-place edits change nothing but the file's own inode.
    cursor = db.execute("SELECT value FROM meta WHERE key = 'stat_cursor'").fetchone()
    after = cursor[0] if cursor and not full else ""
    window: list[tuple[str, int, int]] = []
    rolling = False  # whether the cursor moves (a big library, a window at a time)
    if only is None:
        # max(rowid) is instant where count(*) reads the table; it is at least the count.
        size = db.execute("SELECT max(rowid) FROM cards").fetchone()[0] or 0
        if full or size <= schema.SMALL:
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
    read = list(read_all(root, [r[0] for r in to_read]))
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
        after = last_rowid(db)
        for (rel, folder, mtime, size), facts in zip(to_read, read, strict=True):
            mtime = settled(mtime, started)
            if isinstance(facts, str):
                db.execute(
                    "INSERT INTO invalid VALUES (?, ?, ?, ?, ?)", (rel, folder, mtime, size, facts)
                )
                result.invalid += 1
                continue
            db.execute(INSERT, row(facts, rel, folder, mtime, size))
            if rel in existed:
                result.updated += 1
            else:
                result.added += 1
        index_new(db, after)
        for rel in gone_dirs:
            db.execute("DELETE FROM dirs WHERE path = ?", (rel,))
        db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", new_dirs.items())
        db.execute("INSERT OR REPLACE INTO meta VALUES ('stat_cursor', ?)", (next_cursor,))
        stamp(db)
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
            db = connect(index_path(root))
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
