"""Building the index from scratch, and reading the card files it is built from.

A rebuild reads every card file, on every core when there are enough of them, into a new
catalog file and a new full-text folder beside the ones in use. The catalog names its
full-text folder (`meta.fulltext`), so replacing the catalog file (one rename) swaps both at
once: a build killed or interrupted at any point leaves the old index, or none, never half of
a new one. A sync (evcards.index.sync) reads the files it finds changed with the same reader
and writes them with `insert`.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from evcards.index.schema import (
    INDEX_NAME,
    INDEXES,
    INSERT,
    INSERT_INVALID,
    SCHEMA,
    SCHEMA_VERSION,
    connect,
    index_path,
    set_meta,
    settled,
    settled_folder,
    stamp,
    state_dir,
)
from evcards.store import walk

if TYPE_CHECKING:
    import tantivy

    from evcards.index.facts import CardFacts

_PARALLEL_MIN = 4000  # below this, starting worker processes costs more than it saves
_BATCH = 2000  # catalog rows per executemany
PROGRESS_EVERY = 500  # cards between two calls of a Progress callback
BUILD_HEAP = 200_000_000  # tantivy's indexing memory in a rebuild (bench/README.md: build memory)
FULLTEXT_PREFIX = "fulltext-"

Progress = Callable[[int, int], None]  # (cards done, cards in all)


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


class Stats(Sequence[CardStat]):
    """The CardStats of a rebuild's every file, held as columns: a CardStat and its two ints
    cost about 150 bytes a file (150 MB at a million, for the whole build, and in the pages
    its forked readers inherit); two arrays of 8-byte ints cost 16."""

    def __init__(self, rels: list[str], dirs: list[str], mtimes: array[int], sizes: array[int]):
        self.rels, self.dirs, self.mtimes, self.sizes = rels, dirs, mtimes, sizes

    def __len__(self) -> int:
        return len(self.rels)

    @overload
    def __getitem__(self, i: int) -> CardStat: ...
    @overload
    def __getitem__(self, i: slice) -> list[CardStat]: ...
    def __getitem__(self, i: int | slice) -> CardStat | list[CardStat]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return CardStat(self.rels[i], self.dirs[i], self.mtimes[i], self.sizes[i])

    def __iter__(self) -> Iterator[CardStat]:
        return map(CardStat, self.rels, self.dirs, self.mtimes, self.sizes)


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


# A card as the index stores it: schema.CARD_COLUMNS (the catalog's), then the text only the
# full-text index holds: the cite paragraph, the spoken text and the body; last, the body's
# near-duplicate keys (evcards.index.cuts), worked out where the file is read.
Values = tuple[Any, ...]
Known = tuple[int, "Values | str"]  # a file evcards just wrote: its size in bytes, its Values
_CATALOG = 17  # len(schema.CARD_COLUMNS)


def values(f: CardFacts) -> Values:
    from evcards.core.neardup import keys_of

    return (
        f.id,
        f.kind,
        f.tag,
        f.short_cite,
        f.author,
        f.author_names,
        f.year,
        " ".join(f.labels),
        f.pocket,
        f.hat,
        f.block,
        "\n".join(f.files),
        f.words,
        f.words_read,
        f.seen,
        int(f.has_highlight),
        f.dupkey,
        f"{f.short_cite}\n{f.full_cite}".strip(),
        f.spoken,
        f.text,
        keys_of(f.text) if f.kind != "analytic" else [],
    )


def fulltext_fields(v: Values) -> dict[str, Any]:
    """A card's full-text document fields (fulltext.document) from its Values."""
    return {
        "tag": v[2],
        "cite": v[17],
        "spoken": v[18],
        "body": v[19],
        "author": v[5],
        "pocket": v[8],
        "hat": v[9],
        "block": v[10],
        "files": v[11],
        "labels": v[7].split(),
        "year": v[6],
        "highlighted": v[15],
        "analytic": v[1] == "analytic",
    }


def text_values(text: str, where: str) -> Values | str:
    """The Values of a card file's text held in memory (a card evcards is writing), exactly
    what reading the file would give; or the reason it is not a valid card."""
    from evcards.errors import EvcardsError
    from evcards.index.facts import extract

    try:
        return values(extract(text.encode("utf-8", "surrogatepass"), where))
    except EvcardsError as e:
        return str(e)


def _read_chunk(args: tuple[str, list[str]]) -> list[Values | str]:
    """A worker's share, as row values: everything per card is done here rather than in the
    process that writes the index, which is the bottleneck (and plain tuples pickle fast)."""
    root, rels = args
    out: list[Values | str] = []
    for rel in rels:
        facts = _read(root, rel)
        out.append(facts if isinstance(facts, str) else values(facts))
    return out


_CHUNK = 500  # files a reader process is given at once
_AHEAD = 3  # chunks in flight per reader: enough to keep them busy, few enough that what they
# read ahead of the writer stays a few megabytes (pool.imap would queue every result)


def read_all(root: Path, rels: list[str]) -> Iterator[Values | str]:
    """Parse files, on every core when there are enough of them to pay for the processes,
    in order."""
    workers = os.cpu_count() or 1
    if len(rels) < _PARALLEL_MIN or workers < 2:
        yield from _read_chunk((str(root), rels))
        return
    from collections import deque

    from evcards.pools import worker_pool

    chunks = ((str(root), rels[i : i + _CHUNK]) for i in range(0, len(rels), _CHUNK))
    with worker_pool(workers) as pool:
        pending = deque(
            pool.apply_async(_read_chunk, (c,))
            for _, c in zip(range(workers * _AHEAD), chunks, strict=False)
        )
        while pending:
            result = pending.popleft().get()
            for chunk in itertools.islice(chunks, 1):
                pending.append(pool.apply_async(_read_chunk, (chunk,)))
            yield from result


def read_known(
    root: Path, files: Sequence[CardStat], known: Mapping[str, Known]
) -> tuple[Iterator[Values | str], set[str]]:
    """`read_all` of `files`, but the files in `known` (written by evcards just now, their
    Values worked out from the text it wrote) are not read when their size is the one
    written; and the set of those, whose stat the index may trust (see `insert`)."""
    trusted = {f.rel for f in files if f.rel in known and known[f.rel][0] == f.size}
    if not trusted:
        return read_all(root, [f.rel for f in files]), trusted
    read = read_all(root, [f.rel for f in files if f.rel not in trusted])

    def merged() -> Iterator[Values | str]:
        for f in files:
            yield known[f.rel][1] if f.rel in trusted else next(read)

    return merged(), trusted


def next_key(db: sqlite3.Connection) -> int:
    """The catalog key the next card gets: never one used before (AUTOINCREMENT keeps the
    highest), so that a full-text document is never taken for a later card's."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'cards'").fetchone()
    top = db.execute("SELECT coalesce(max(key), 0) FROM cards").fetchone()[0]
    return max(row[0] if row else 0, top) + 1


def insert(
    db: sqlite3.Connection,
    writer: tantivy.IndexWriter,
    files: Sequence[CardStat],
    read: Iterable[Values | str],
    now: int,
    progress: Progress | None = None,
    trusted: Set[str] = frozenset(),
) -> int:
    """Store what was read from each file: a catalog row and a full-text document, or the
    error in `invalid`. Returns the number of invalid files.

    A file's mtime is stored as -1 ("look again") when it is too recent to trust (see
    schema.settled), except for the `trusted` files: evcards wrote them itself, under the
    library lock, and their Values come from the text it wrote, not from reading them back.
    Looking again would mean parsing every card an import wrote on the next search, which is
    what indexing them from memory saves; the racy case it guards against, a writer other
    than evcards changing the file within the clock tick of its writing without changing
    its size, would have to hit a file it has had no time to learn the name of."""
    from evcards.index import fulltext
    from evcards.index.cuts import store_keys

    key = next_key(db)
    rows: list[tuple[Any, ...]] = []
    cut_keys: list[tuple[int, list[int]]] = []
    invalid = 0
    read = reported(read, progress, len(files))
    for file, v in zip(files, read, strict=True):
        mtime = file.mtime_ns if file.rel in trusted else settled(file.mtime_ns, now)
        if isinstance(v, str):
            db.execute(INSERT_INVALID, (file.rel, file.dir, mtime, file.size, v))
            invalid += 1
            continue
        rows.append((key, file.rel, file.dir, mtime, file.size, file.mtime_ns, *v[:_CATALOG]))
        writer.add_document(fulltext.document(key, fulltext_fields(v)))
        cut_keys.append((key, v[20]))
        key += 1
        if len(rows) >= _BATCH:
            db.executemany(INSERT, rows)
            store_keys(db, cut_keys)
            rows.clear()
            cut_keys.clear()
    db.executemany(INSERT, rows)
    store_keys(db, cut_keys)
    return invalid


def later(progress: Progress | None, start: int, total: int) -> Progress | None:
    """`progress` told (start + done, total): a second stage of the same bar."""
    if progress is None:
        return None
    told = progress
    return lambda done, _: told(start + done, total)


def reported(
    items: Iterable[Any], progress: Progress | None, total: int, start: int = 0
) -> Iterator[Any]:
    """`items`, telling `progress` every PROGRESS_EVERY of them: (start + done, total)."""
    if progress is None:
        yield from items
        return
    done = 0
    for done, item in enumerate(items, 1):
        yield item
        if done % PROGRESS_EVERY == 0:
            progress(start + done, total)
    progress(start + done, total)


def index_written(root: Path, known: Mapping[str, Known]) -> SyncResult | None:
    """The index brought up to date just after evcards wrote the files `known` (their size
    and Values from the text written, `text_values`), reading none of them: a sync, or a
    build reading only the other files when there is no usable index. None when it cannot
    be written now (locked, or damaged): the next command sees to it, and an import must not
    fail over derived state."""
    from evcards.index.schema import IndexDamaged, usable
    from evcards.index.sync import Index, sync

    path = index_path(root)
    try:
        db = connect(path) if path.exists() else None
        if db is None or not usable(db):
            if db is not None:
                db.close()
            return rebuild(root, known=known)
        ix = Index(root, db)
        try:
            ix.fulltext()
            return sync(ix, known=known)
        finally:
            ix.close()
    except (IndexDamaged, sqlite3.DatabaseError, OSError):
        return None


# -- rebuilding ------------------------------------------------------------------------------
def rebuild(
    root: Path, progress: Progress | None = None, known: Mapping[str, Known] | None = None
) -> SyncResult:
    """Build the index from scratch beside the one in use, then swap it in atomically.
    `known`: files evcards has just written, with their Values, not read again (`read_known`)."""
    state = state_dir(root)
    state.mkdir(parents=True, exist_ok=True)
    build_id = f"{os.getpid()}-{time.time_ns():x}"
    tmp = state / f"{INDEX_NAME}.{build_id}.tmp"
    folder = state / f"{FULLTEXT_PREFIX}{build_id}"
    started = time.time_ns()
    from evcards.index import fulltext
    from evcards.store import journal

    _, note_files = journal.take(root)  # the walk below sees everything they mention
    db = connect(tmp)
    try:
        index = fulltext.create(folder)
        result = _load(db, index, root, (started, folder.name), progress, known or {})
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    db.close()
    final = index_path(root)
    os.replace(tmp, final)
    for path in note_files:
        path.unlink(missing_ok=True)
    Path(f"{final}-journal").unlink(missing_ok=True)
    sweep(state, keep=folder.name)
    return result


def _load(
    db: sqlite3.Connection,
    index: tantivy.Index,
    root: Path,
    build: tuple[int, str],
    progress: Progress | None,
    known: Mapping[str, Known],
) -> SyncResult:
    """Every card file of the library into a new, empty catalog and full-text index; `build`
    is when it started and the full-text folder's name."""
    started, folder = build
    from evcards.index import fulltext

    db.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(SCHEMA)
    db.execute("BEGIN")
    folders = list(walk.folders(root))
    rows = [(f.rel, settled_folder(f.mtime_ns, len(f.files), started)) for f in folders]
    db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", rows)
    files = _stat_all(folders)
    del folders, rows  # what the rest needs of them is in `files`
    writer = fulltext.writer(index, heap=BUILD_HEAP, threads=min(4, os.cpu_count() or 1))
    with fulltext.committed(writer, 1):
        read, trusted = read_known(root, files, known)
        invalid = insert(db, writer, files, read, started, progress, trusted)
    set_meta(db, "fulltext", folder)
    set_meta(db, "generation", 1)
    stamp(db)
    db.execute("COMMIT")
    db.executescript(INDEXES)  # after the bulk load: cheaper than kept up per row
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return SyncResult(added=len(files) - invalid, invalid=invalid, rebuilt=True)


def sweep(state: Path, keep: str | None = None) -> None:
    """Full-text folders and catalog files of earlier builds: a replaced index, or a build
    killed half-way. A build still running (its process alive) is left alone, and so is the
    folder `keep`, by default the one the catalog on disk names (read afresh: another
    process may have swapped in a new index since this one opened its catalog)."""
    entries = [e for e in state.iterdir() if e.name.startswith(FULLTEXT_PREFIX)]
    entries += [e for e in state.iterdir() if e.name.endswith(".tmp")]
    if len(entries) < 2:
        return  # the index in use, and nothing else
    if keep is None:
        keep = _current_fulltext(state)
    for entry in entries:
        if entry.name != keep and keep and _abandoned(entry.name):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _abandoned(name: str) -> bool:
    """Whether a build's folder or catalog file is left over: its process is gone (or is
    this one, whose builds are done)."""
    if name.startswith(FULLTEXT_PREFIX):
        build_id = name[len(FULLTEXT_PREFIX) :]
    elif name.startswith(f"{INDEX_NAME}.") and name.endswith(".tmp"):
        build_id = name[len(INDEX_NAME) + 1 : -4]
    else:
        return False
    pid = build_id.partition("-")[0]
    return not (pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)))


def _current_fulltext(state: Path) -> str:
    from evcards.index.schema import meta

    db = connect(state / INDEX_NAME)
    try:
        return meta(db, "fulltext") or ""
    except sqlite3.DatabaseError:
        return ""
    finally:
        db.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _stat_all(folders: Iterable[walk.Folder]) -> Stats:
    """The card files of these folders, oldest first, so that keys follow the order cards
    were written, as a sync's appends do (`list --sort added` reads the mtime itself)."""
    rels: list[str] = []
    dirs: list[str] = []
    mtimes, sizes = array("q"), array("q")
    for folder in folders:
        base = os.path.join(folder.path, "")  # a join per file costs a tenth of the stat
        for name in folder.files:
            try:
                st = os.lstat(base + name)
            except OSError:
                continue  # gone since the folder was listed
            rels.append(f"{folder.rel}/{name}" if folder.rel else name)
            dirs.append(folder.rel)
            mtimes.append(st.st_mtime_ns)
            sizes.append(st.st_size)
    order = sorted(range(len(rels)), key=lambda i: (mtimes[i], rels[i]))
    return Stats(
        [rels[i] for i in order],
        [dirs[i] for i in order],
        array("q", (mtimes[i] for i in order)),
        array("q", (sizes[i] for i in order)),
    )
