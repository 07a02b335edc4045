"""Keeping the index (the catalog and the full-text index) in line with the card files: sync,
ensure, status.

The card files stay the truth; the index can be deleted at any time. A missing catalog, one
with another schema version (`PRAGMA user_version`), a corrupt file, a full-text folder that
cannot be opened or one of another generation than its catalog is rebuilt silently
(evcards.index.build). The tables, and SMALL and RACY_NS, are in evcards.index.schema.

Two stores, one state. A sync that changes anything writes the catalog in a transaction,
then the full-text index (deletions, additions and a new generation number, one tantivy
commit), then commits the catalog with the same generation. Killed before the tantivy commit,
neither changed; killed between the two commits, the generations differ and the next command
rebuilds. A reader that finds them different waits for the catalog's write lock first, since
a sync may be between its commits right then (`Index.fulltext`).

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
   every sync; a bigger one STAT_WINDOW files at a time in catalog-key order (fewer when
   the stats are slow: STAT_BUDGET_NS), resuming where the last sync stopped
   (`meta.stat_cursor`), so over N / STAT_WINDOW searches or more, or at once with
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
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from evcards.index import schema
from evcards.index.build import (
    CardStat,
    Known,
    Progress,
    SyncResult,
    Values,
    insert,
    later,
    read_known,
    rebuild,
    reported,
)
from evcards.index.schema import (
    IndexDamaged,
    connect,
    generation,
    index_path,
    meta,
    set_meta,
    settled_folder,
    stamp,
    state_dir,
    usable,
)
from evcards.index.window import (
    Window,
    cursor,
    move_cursor,
    rolling_window,
    save_cursor,
    to_recheck,
)
from evcards.store import journal
from evcards.store.walk import scan

if TYPE_CHECKING:
    import tantivy

STAT_WINDOW = 1_000  # files stat-ed per sync, in turn, in a bigger library (about 6 ms)
# ... or fewer when the stats are slow: files the kernel has not looked at for a while cost
# 50-150 us each, not 2-6 (the inode and the folder's entry read again), and a million-card
# library's window is always such files. Past STAT_BUDGET_NS the pass stops, at least
# STAT_LEAST files on, and the next sync goes on from there: slower laps, never a file skipped.
STAT_BUDGET_NS = 8_000_000
STAT_LEAST = 50


@dataclass
class Status:
    """What `evcards index status` reports."""

    library: str
    index: str  # the catalog
    fulltext: str  # the full-text index's folder
    cards: int
    invalid: int
    size_bytes: int
    last_sync: str | None
    schema_version: int


class Index:
    """An open index: the catalog, and the full-text index, opened only when a search or a
    write needs it (so that `list` never loads tantivy)."""

    def __init__(self, root: Path, db: sqlite3.Connection, rebuilt: bool = False) -> None:
        self.root = root
        self.db = db
        self.rebuilt = rebuilt
        self._fulltext: tantivy.Index | None = None

    def fulltext(self) -> tantivy.Index:
        """The full-text index of this catalog, checked to be of its generation;
        fulltext.IndexDamaged when it is not (the caller rebuilds)."""
        if self._fulltext is None:
            from evcards.index import fulltext

            index = fulltext.open_index(state_dir(self.root) / (meta(self.db, "fulltext") or "?"))
            if fulltext.generation_of(index.searcher()) != generation(self.db):
                # A sync may be between its two commits: wait for it, then look again.
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute("ROLLBACK")
                index.reload()
                if fulltext.generation_of(index.searcher()) != generation(self.db):
                    raise IndexDamaged("the full-text index and the catalog disagree")
            self._fulltext = index
        return self._fulltext

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the last commit (a sync may just have made one)."""
        from evcards.index.fulltext import reading

        index = self.fulltext()
        with reading():
            index.reload()
            return index.searcher()

    def close(self) -> None:
        self._fulltext = None
        self.db.close()


def open_index(root: Path, progress: Progress | None = None) -> Index:
    """The catalog, rebuilding the index first when the catalog is missing, of another schema
    version or not a database."""
    path = index_path(root)
    if path.exists():
        try:
            db = connect(path)
            if usable(db):
                return Index(root, db)
            db.close()
        except sqlite3.DatabaseError:
            pass
    rebuild(root, progress)
    return Index(root, connect(path), rebuilt=True)


# -- syncing ----------------------------------------------------------------------------------
def sync(
    ix: Index,
    full: bool = False,
    only: Iterable[str] | None = None,
    known: Mapping[str, Known] | None = None,
    progress: Progress | None = None,
    rolling: bool = True,
) -> SyncResult:
    """Bring the index in line with the card files (see the module docstring for how).
    `full=True` stats every indexed file instead of the rolling window; `only` checks just
    those files (relative paths) and nothing else; `known`: files evcards has just written,
    with their Values, which are not read again (`build.index_written`); `progress` is told
    of the files read, then of the same files written (twice their number in all);
    `rolling=False` leaves out pass 3's stats of known files, for a caller that reads the
    files it shows (an id looked up: an edit in place moves no card to another file)."""
    root, db = ix.root, ix.db
    found = _Found(root, db)
    if only is None:
        note_files, window = found.passes(full, rolling)
    else:
        note_files = []
        found.check.update(only)
        window = Window([], cursor(db, full), rolling=False)
    to_read = found.to_read()
    found.forget_gone_folders()
    if not (to_read or found.delete or found.dirs or found.gone_dirs):
        for path in note_files:
            path.unlink(missing_ok=True)
        if window.rolling:  # a library stat-ed whole has nothing to remember
            move_cursor(db, window.next_cursor)
        return SyncResult()
    if to_read or found.delete:
        reading, trusted = read_known(root, to_read, known or {})  # before the write lock:
        read = list(reported(reading, progress, 2 * len(to_read)))
        found.progress = progress
        result = _write(ix, found, (to_read, read, trusted), window.next_cursor)
    else:  # only folder mtimes to remember: the catalog alone, and no tantivy to load
        db.execute("BEGIN IMMEDIATE")
        try:
            result = found.write_folders()
            save_cursor(db, window.next_cursor)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    for path in note_files:
        path.unlink(missing_ok=True)
    return result


_Read = tuple[list[CardStat], list[Values | str], Set[str]]  # files, their Values, trusted


def _write(ix: Index, found: _Found, files: _Read, mark: str) -> SyncResult:
    """Everything a sync found, into both stores at one new generation (module docstring)."""
    from evcards.index import fulltext

    db = ix.db
    index = ix.fulltext()
    db.execute("BEGIN IMMEDIATE")
    try:
        index.reload()  # another process may have synced since this one looked
        if fulltext.generation_of(index.searcher()) != generation(db):
            raise IndexDamaged("the full-text index and the catalog disagree")
        writer = fulltext.writer(index)
        try:
            result = found.write(writer, *files)
            save_cursor(db, mark)
            stamp(db)
            new = generation(db) + 1
            fulltext.mark_generation(writer, new)
            set_meta(db, "generation", new)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # and lets go of tantivy's writer lock
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return result


class _Found:
    """What one sync's passes find, gathered for one write."""

    def __init__(self, root: Path, db: sqlite3.Connection) -> None:
        self.root = root
        self.db = db
        self.started = time.time_ns()
        self.base = os.path.join(root, "")  # plain strings: pathlib costs more than the stat
        self.check: set[str] = set()  # to stat; re-read if new or changed, delete if gone
        self.force: set[str] = set()  # files evcards wrote: re-read whatever their stat says
        self.delete: set[str] = set()
        self.dirs: dict[str, int] = {}  # folders to store, with the mtime to remember
        self.gone_dirs: list[str] = []
        self.progress: Progress | None = None  # told of the files written (`write`)

    def folders(self, notes: list[journal.Note]) -> None:
        """Pass 2: every known folder whose mtime moved, and any new folder found in one."""
        known = dict(self.db.execute("SELECT path, mtime_ns FROM dirs").fetchall())
        pending = list(known)
        while pending:
            rel = pending.pop()
            for sub in self._folder(rel, known.get(rel), notes):
                sub_rel = f"{rel}/{sub}" if rel else sub
                if sub_rel not in known and sub_rel not in self.dirs:
                    pending.append(sub_rel)

    def _folder(self, rel: str, stored: int | None, notes: list[journal.Note]) -> list[str]:
        """One folder of pass 2; its sub-folders when it had to be listed."""
        path = self.root / rel if rel else self.root
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            self.gone_dirs.append(rel)
            return []
        if stored is not None:
            if mtime == stored:
                return []
            if journal.explained(stored, mtime, [n for n in notes if n.dir == rel]):
                self.dirs[rel] = mtime  # only evcards wrote here, and `force` has its files
                return []
        try:
            names, subdirs = scan(path, root=not rel)
        except OSError:
            self.gone_dirs.append(rel)
            return []
        here = {f"{rel}/{n}" if rel else n for n in names}
        indexed = set(_paths_in(self.db, rel))
        self.delete |= indexed - here
        # A big folder's unchanged names are left to the rolling pass: stat-ing a million
        # files because one was added would make every search after an import slow.
        big = stored is not None and len(here) > schema.SMALL
        self.check |= here - indexed if big else here
        self.dirs[rel] = settled_folder(mtime, len(here), self.started)
        return subdirs

    def stat_known(self, rows: Iterable[tuple[str, int, int]]) -> None:
        """Pass 3: indexed files, (path, mtime_ns, size), whose stat no longer matches."""
        for rel, mtime, size in rows:
            try:
                st = os.stat(self.base + rel)
            except OSError:
                self.delete.add(rel)
                continue
            if (st.st_mtime_ns, st.st_size) != (mtime, size):
                self.check.add(rel)

    def passes(self, full: bool, rolling: bool) -> tuple[list[Path], Window]:
        """The three passes of a whole sync (module docstring); the journal's files to delete
        once applied, and the window stat-ed."""
        notes, note_files = journal.take(self.root)
        self.force.update(path for note in notes for path in note.paths)  # pass 1
        self.folders(notes)  # pass 2
        if rolling:  # pass 3
            window = rolling_window(self.db, full, STAT_WINDOW)
        else:
            window = Window([], cursor(self.db, full), False)
        self.stat_known(to_recheck(self.db))
        return note_files, self.stat_window(window)

    def stat_window(self, window: Window) -> Window:
        """Pass 3's window, stat-ed in order; a rolling one only until STAT_BUDGET_NS is
        spent (STAT_LEAST files at least), the cursor then left after the last file stat-ed."""
        if not window.rolling:
            self.stat_known(window.rows)
            return window
        deadline = time.perf_counter_ns() + STAT_BUDGET_NS
        for done in range(0, len(window.rows), STAT_LEAST):
            if done and time.perf_counter_ns() > deadline:
                mark = str(window.keys[done - 1])
                return Window(window.rows[:done], mark, True, window.keys[:done])
            self.stat_known(window.rows[done : done + STAT_LEAST])
        return window

    def to_read(self) -> list[CardStat]:
        """The files found that are new or changed (or written by evcards), oldest first, as
        a rebuild orders them: keys follow writes."""
        out = []
        for rel in self.check | self.force:
            try:
                st = os.stat(self.base + rel)
            except OSError:
                self.delete.add(rel)
                continue
            if rel in self.force or _stored_stat(self.db, rel) != (st.st_mtime_ns, st.st_size):
                out.append(CardStat(rel, rel.rpartition("/")[0], st.st_mtime_ns, st.st_size))
                self.delete.discard(rel)
        out.sort(key=lambda f: f.mtime_ns)
        return out

    def forget_gone_folders(self) -> None:
        for rel in self.gone_dirs:
            self.delete.update(_paths_in(self.db, rel))

    def write(
        self,
        writer: tantivy.IndexWriter,
        to_read: list[CardStat],
        read: list[Values | str],
        trusted: Set[str] = frozenset(),
    ) -> SyncResult:
        """Everything found, inside the caller's transaction and tantivy commit."""
        db = self.db
        gone: list[int] = []  # catalog keys, which name the full-text documents
        removed = sum(_forget(db, rel, gone) for rel in self.delete)
        existed = {f.rel for f in to_read if _forget(db, f.rel, gone)}
        for key in gone:
            writer.delete_documents_by_term("key", key)
        progress = later(self.progress, len(to_read), 2 * len(to_read))  # after the reading
        invalid = insert(db, writer, to_read, read, self.started, progress, trusted)
        cards = {
            f.rel for f, values in zip(to_read, read, strict=True) if not isinstance(values, str)
        }
        self.write_folders()
        updated = len(cards & existed)
        return SyncResult(
            added=len(cards) - updated, updated=updated, removed=removed, invalid=invalid
        )

    def write_folders(self) -> SyncResult:
        """The folders found, inside the caller's transaction."""
        gone = ((rel,) for rel in self.gone_dirs)
        self.db.executemany("DELETE FROM dirs WHERE path = ?", gone)
        self.db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", self.dirs.items())
        return SyncResult()


def _paths_in(db: sqlite3.Connection, folder: str) -> list[str]:
    """The indexed files of one folder, cards and invalid files alike."""
    rows = db.execute(
        "SELECT path FROM cards WHERE dir = ? UNION ALL SELECT path FROM invalid WHERE dir = ?",
        (folder, folder),
    )
    return [r[0] for r in rows]


def _stored_stat(db: sqlite3.Connection, rel: str) -> tuple[int, int] | None:
    row = db.execute(
        "SELECT mtime_ns, size FROM cards WHERE path = ?"
        " UNION ALL SELECT mtime_ns, size FROM invalid WHERE path = ?",
        (rel, rel),
    ).fetchone()
    return (row[0], row[1]) if row else None


def _forget(db: sqlite3.Connection, rel: str, gone: list[int]) -> bool:
    """Drop a file from the catalog, adding its key to `gone`; whether it was a card."""
    keys = [r[0] for r in db.execute("DELETE FROM cards WHERE path = ? RETURNING key", (rel,))]
    db.execute("DELETE FROM invalid WHERE path = ?", (rel,))
    gone += keys
    return bool(keys)


def ensure(
    root: Path,
    fulltext: bool | Literal["if cards"] = False,
    progress: Progress | None = None,
    rolling: bool = True,
) -> Index:
    """An index that matches the card files right now: opened (or rebuilt) and synced.
    `fulltext`: check the full-text index too, as a search will use it ("if cards": only
    when the catalog holds a card, as a search of a library with none opens no full text;
    a sync that adds cards opens it then, and its damage is found there); `progress`: a
    bar; `rolling=False`: no rolling stat pass (see `sync`)."""
    if not root.is_dir():
        from evcards.errors import LibraryError

        raise LibraryError(
            f"{root}: no library here yet; add cards with `evcards import FILE` or `evcards add`"
        )
    ix = open_index(root, progress)
    from evcards.index.build import sweep

    sweep(state_dir(root))  # what a build killed half-way left
    try:
        if fulltext is True or (fulltext and holds_cards(ix.db)):
            ix.fulltext()
        if not ix.rebuilt:
            sync(ix, progress=progress, rolling=rolling)
    except (IndexDamaged, sqlite3.DatabaseError) as e:
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
            raise
        ix.close()  # corrupt beyond what opening noticed: start again
        rebuild(root, progress)
        ix = Index(root, connect(index_path(root)), rebuilt=True)
    return ix


def holds_cards(db: sqlite3.Connection) -> bool:
    """Whether the catalog holds a card (or an analytic)."""
    return db.execute("SELECT 1 FROM cards LIMIT 1").fetchone() is not None


def status(root: Path) -> Status:
    ix = ensure(root, fulltext=True)
    db = ix.db
    try:
        cards = db.execute("SELECT count(*) FROM cards").fetchone()[0]
        invalid = db.execute("SELECT count(*) FROM invalid").fetchone()[0]
        last = meta(db, "last_sync")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        folder = state_dir(root) / (meta(db, "fulltext") or "?")
    finally:
        ix.close()
    path = index_path(root)
    size = path.stat().st_size + sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    return Status(
        library=str(root),
        index=str(path),
        fulltext=str(folder),
        cards=cards,
        invalid=invalid,
        size_bytes=size,
        last_sync=last,
        schema_version=version,
    )
