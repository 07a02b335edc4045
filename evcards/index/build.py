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
from typing import TYPE_CHECKING

from evcards.index import schema
from evcards.index.schema import (
    INDEX_NAME,
    INDEXES,
    INSERT,
    SCHEMA,
    SCHEMA_VERSION,
    TRIGGERS,
    connect,
    index_new,
    index_path,
    last_rowid,
    settled,
    stamp,
)

if TYPE_CHECKING:
    from evcards.index.facts import CardFacts

_PARALLEL_MIN = 4000  # below this, starting worker processes costs more than it saves


@dataclass
class SyncResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    invalid: int = 0
    rebuilt: bool = False


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


def row(values: Values, rel: str, folder: str, mtime: int, size: int) -> Values:
    return (values[0], rel, folder, mtime, size, *values[1:])


# -- rebuilding ------------------------------------------------------------------------------
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
    db = connect(tmp)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(SCHEMA + TRIGGERS)
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
                where[rel] = (d.rel, settled(mtime, started), size)
                written.append((mtime, rel))
        # Oldest file first, so rowids follow the order cards were written, as a sync's
        # appends do: a broad search ranks the newest matches (evcards.index.search._ranked).
        written.sort()
        rels = [rel for _, rel in written]
        _store_dirs(db, dirs, started)
        rows = []
        for rel, facts in zip(rels, read_all(root, rels), strict=True):
            folder, mtime, size = where[rel]
            if isinstance(facts, str):
                db.execute(
                    "INSERT INTO invalid VALUES (?, ?, ?, ?, ?)", (rel, folder, mtime, size, facts)
                )
                result.invalid += 1
                continue
            rows.append(row(facts, rel, folder, mtime, size))
            if len(rows) >= 2000:  # indexed batch by batch, while the workers parse on
                after = last_rowid(db)
                db.executemany(INSERT, rows)
                index_new(db, after)
                rows.clear()
        after = last_rowid(db)
        db.executemany(INSERT, rows)
        index_new(db, after)
        result.added = db.execute("SELECT count(*) FROM cards").fetchone()[0]
        for table in ("cards_fts", "head_fts"):
            db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
            db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 4)")
        stamp(db)
        db.execute("COMMIT")
        db.executescript(INDEXES)  # after the bulk load: cheaper than kept up per row
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


def _store_dirs(db: sqlite3.Connection, dirs: Iterable[_Dir], now: int) -> None:
    rows = []
    for d in dirs:
        recent = d.mtime_ns > now - schema.RACY_NS and len(d.files) <= schema.SMALL
        rows.append((d.rel, -1 if recent else d.mtime_ns))
    db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", rows)
