"""Building the search index from scratch, and reading the card files it is built from.

A rebuild reads every card file, on every core when there are enough of them, and loads the
rows in batches into a temporary file that is swapped in only when complete: a failed or
interrupted build leaves the old index (or none) in place. A sync (evcards.index.sync) reads
the files it finds changed with the same reader.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from evcards.index.schema import (
    INDEX_NAME,
    INDEXES,
    INSERT,
    INSERT_INVALID,
    SCHEMA,
    SCHEMA_VERSION,
    TRIGGERS,
    connect,
    index_new,
    index_path,
    last_rowid,
    settled,
    settled_folder,
    stamp,
)
from evcards.store import walk

if TYPE_CHECKING:
    from evcards.index.facts import CardFacts

_PARALLEL_MIN = 4000  # below this, starting worker processes costs more than it saves
_BATCH = 2000  # rows per INSERT ... SELECT into the FTS tables


@dataclass
class SyncResult:
    """What a rebuild or a sync did to the index."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    invalid: int = 0
    rebuilt: bool = False


class CardStat(NamedTuple):
    """A card file to read, as it was when stat-ed."""

    rel: str  # its path below the library, "/"-separated
    dir: str  # its folder's, "" for the root
    mtime_ns: int
    size: int


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
        f.author_names,
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


def read_all(root: Path, rels: list[str]) -> Iterator[Values | str]:
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


def _row(values: Values, file: CardStat, mtime: int) -> Values:
    return (values[0], file.rel, file.dir, mtime, file.size, *values[1:])


def insert(
    db: sqlite3.Connection, files: list[CardStat], read: Iterable[Values | str], now: int
) -> int:
    """Store what was read from each file: a `cards` row, or the error in `invalid`. Rows are
    indexed a batch at a time, so that in a rebuild the workers parse on meanwhile. Returns
    the number of invalid files."""
    rows: list[Values] = []
    invalid = 0
    for file, values in zip(files, read, strict=True):
        mtime = settled(file.mtime_ns, now)
        if isinstance(values, str):
            db.execute(INSERT_INVALID, (file.rel, file.dir, mtime, file.size, values))
            invalid += 1
            continue
        rows.append(_row(values, file, mtime))
        if len(rows) >= _BATCH:
            _insert_rows(db, rows)
            rows.clear()
    _insert_rows(db, rows)
    return invalid


def _insert_rows(db: sqlite3.Connection, rows: list[Values]) -> None:
    after = last_rowid(db)
    db.executemany(INSERT, rows)
    index_new(db, after)


# -- rebuilding ------------------------------------------------------------------------------
def rebuild(root: Path) -> SyncResult:
    """Build the index from scratch in a temporary file, then swap it in atomically."""
    state = root / ".evcards"
    state.mkdir(parents=True, exist_ok=True)
    tmp = state / f"{INDEX_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    started = time.time_ns()
    from evcards.store import journal

    _, note_files = journal.take(root)  # the walk below sees everything they mention
    db = connect(tmp)
    try:
        result = _load(db, root, started)
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


def _load(db: sqlite3.Connection, root: Path, started: int) -> SyncResult:
    """Every card file of the library into a new, empty database."""
    db.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(SCHEMA + TRIGGERS)
    # No merging while loading, one 'optimize' at the end: a quarter less work per card.
    for table in ("cards_fts", "head_fts"):
        db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
    db.execute("BEGIN")
    folders = list(walk.folders(root))
    rows = [(f.rel, settled_folder(f.mtime_ns, len(f.files), started)) for f in folders]
    db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", rows)
    files = _stat_all(folders)
    invalid = insert(db, files, read_all(root, [f.rel for f in files]), started)
    for table in ("cards_fts", "head_fts"):
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 4)")
    stamp(db)
    db.execute("COMMIT")
    db.executescript(INDEXES)  # after the bulk load: cheaper than kept up per row
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return SyncResult(added=len(files) - invalid, invalid=invalid, rebuilt=True)


def _stat_all(folders: Iterable[walk.Folder]) -> list[CardStat]:
    """The card files of these folders, oldest first, so that rowids follow the order cards
    were written, as a sync's appends do: a broad search ranks the newest matches
    (evcards.index.search._ranked)."""
    files = []
    for folder in folders:
        base = os.path.join(folder.path, "")  # a join per file costs a tenth of the stat
        for name in folder.files:
            try:
                st = os.lstat(base + name)
            except OSError:
                continue  # gone since the folder was listed
            rel = f"{folder.rel}/{name}" if folder.rel else name
            files.append(CardStat(rel, folder.rel, st.st_mtime_ns, st.st_size))
    files.sort(key=lambda f: (f.mtime_ns, f.rel))
    return files
