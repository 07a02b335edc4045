"""Building a collection: dataset rows streamed into a new build folder, swapped in at the end.

Rows come from `formats.rowstream.read_dataset` one at a time (their bodies as (text,
Marks) pairs, no Span built); each card becomes its TOML text (`cardfile.dumps`, what a
library file would hold), its catalog and full-text values (`collections.values`, from the
card in memory, checked against those its text read back gives, `made_from_text`: a
collection card is indexed exactly as the same card in a library), and a `rows` row
holding the text compressed. SQLite commits
and tantivy writes in batches, so memory stays flat whatever the input's size.

The build goes to `NAME/b-<pid>-<ns>/`; only when it is whole is `NAME/current` rewritten
(atomically) to name it, and the previous build folder removed. A build killed at any point
leaves the previous collection in use and its own folder unnamed, swept by the next build or
removal (`sweep`: a folder whose process is gone).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evcards.collections import places
from evcards.collections.store import INSERT_ROW, ROWS, Source, pack
from evcards.errors import InputFileError
from evcards.index.build import FULLTEXT_PREFIX
from evcards.index.schema import (
    INDEX_NAME,
    INDEXES,
    INSERT,
    SCHEMA,
    SCHEMA_VERSION,
    connect,
    set_meta,
)

if TYPE_CHECKING:
    import tantivy

    from evcards.collections.feed import Feed, Kept
    from evcards.formats.rowstream import BadRow, DatasetRow

Progress = Callable[[int, int, int], None]  # (rows read, bytes read, bytes in all)
BadRows = Callable[["BadRow"], None]  # told of each row skipped
FORMATS = ("ode", "debatesum", "jsonl", "csv", "parquet")
HEAP = 200_000_000  # tantivy's indexing memory: segments are flushed when it fills
BATCH = 2000  # rows per SQLite executemany
COMMIT_EVERY = 100_000  # rows between two commits of the catalog and the full-text index
_CATALOG = 17  # len(schema.CARD_COLUMNS)


@dataclass
class BuildResult:
    name: str
    cards: int = 0
    bad: int = 0
    rows_read: int = 0
    seconds: float = 0.0
    sources: list[Source] = field(default_factory=list)
    bad_by_file: dict[str, int] = field(default_factory=dict)  # file name -> bad rows
    kept: list[str] = field(default_factory=list)  # files whose stored rows were kept


def build(
    name: str,
    paths: Iterable[Path],
    fmt: str | None = None,
    progress: Progress | None = None,
    on_bad: BadRows | None = None,
    parallel: bool | None = None,
    kept: Kept | None = None,
) -> BuildResult:
    """Build the collection `name` from the dataset files `paths` (replacing it if it exists).
    `parallel`: rows made ready in a producer process (`collections.feed`); None decides.
    `kept`: files (by name) whose rows are taken from a finished build's stored texts rather
    than read again (`collection update`, for the files that did not change)."""
    here = places.folder(name)
    files = [_checked(Path(p)) for p in paths]
    if not files:
        raise InputFileError("no dataset files given; name one or more .csv or .jsonl files")
    if fmt is not None and fmt not in FORMATS:
        raise InputFileError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    here.mkdir(parents=True, exist_ok=True)
    sweep(here)
    build_id = f"{os.getpid()}-{time.time_ns():x}"
    tmp = here / f"{places.BUILD_PREFIX}{build_id}"
    tmp.mkdir()
    started = time.monotonic()
    try:
        result = _load(tmp, build_id, files, fmt, progress, on_bad, (parallel, kept or {}))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = places.current(name)
    from evcards.store.atomic import atomic_write

    atomic_write(here / places.CURRENT, tmp.name + "\n")
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    result.name = name
    result.seconds = time.monotonic() - started
    return result


def _checked(path: Path) -> Path:
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no such file"
        raise InputFileError(f"{path}: {what}; name the dataset files (.csv, .jsonl) themselves")
    return path


def read_rows(files: list[Path], fmt: str | None) -> Any:
    """`read_dataset` of the files, the bodies kept as pairs, no Span built (`row_values`
    reads nothing else of a body)."""
    from evcards.formats.rowstream import read_dataset

    return read_dataset(files, fmt=fmt, spans=False)


def _load(
    tmp: Path,
    build_id: str,
    files: list[Path],
    fmt: str | None,
    progress: Progress | None,
    on_bad: BadRows | None,
    how: tuple[bool | None, Kept],
) -> BuildResult:
    from evcards.collections.feed import feed

    parallel, kept = how
    with feed(files, fmt, parallel, kept) as rows:  # the producer forks before tantivy's threads
        result = _written(tmp, build_id, files, fmt, rows, progress, on_bad, kept)
    return result


def _written(
    tmp: Path,
    build_id: str,
    files: list[Path],
    fmt: str | None,
    feed: Feed,
    progress: Progress | None,
    on_bad: BadRows | None,
    kept: Kept,
) -> BuildResult:
    from evcards.index import fulltext

    sources = [Source.of(p) for p in files]
    db = connect(tmp / INDEX_NAME)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(SCHEMA + ROWS)
        folder = f"{FULLTEXT_PREFIX}{build_id}"
        index = fulltext.create(tmp / folder)
        writer = fulltext.writer(index, heap=HEAP, threads=min(2, os.cpu_count() or 1))
        result = BuildResult(name="", sources=sources, kept=sorted(kept))
        for name, old in kept.items():  # what the kept files' reading found, still true
            result.bad_by_file[name] = bad_rows_of(old).get(name, 0)
        with fulltext.committed(writer, 1):
            _write(db, writer, _told(feed, progress), result, on_bad)
        info = {
            "sources": [list(s) for s in sources],
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "format": fmt,
            "bad": sum(result.bad_by_file.values()),
            "bad_by_file": result.bad_by_file,
            "rows": result.rows_read,
        }
        db.execute("BEGIN")
        set_meta(db, "fulltext", folder)
        set_meta(db, "generation", 1)
        set_meta(db, "collection", json.dumps(info))
        set_meta(db, "lengths", _lengths_memo(index))
        db.execute("COMMIT")
        db.executescript(INDEXES)
        _group(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        db.close()
    return result


def _lengths_memo(index: tantivy.Index) -> str:
    """The build's field lengths as a search remembers them (index.shared.lengths_memo), for
    its catalog: a first search then reads them from there."""
    from evcards.index.fulltext import reading
    from evcards.index.shared import lengths_memo, memo_json

    with reading():
        index.reload()
        return memo_json(lengths_memo(index.searcher()))


def _group(db: sqlite3.Connection) -> None:
    """The collection's groups of re-cuts, worked out once (`cuts.group`: a collection does
    not change, so search reads each card's group instead of following it), each group's
    cuts counting the exact copies the dataset folded into its rows (`duplicateCount`)."""
    from evcards.index.cuts import group

    db.execute("BEGIN")
    group(db, "SELECT key, duplicates FROM rows WHERE duplicates > 0")
    db.execute("COMMIT")


def _told(reader: Feed, progress: Progress | None) -> Iterator[Made | BadRow]:
    """The feed's rows, telling `progress` every 500 of them."""
    if progress is None:
        yield from reader
        return
    n = 0
    for n, item in enumerate(reader, 1):
        yield item
        if n % 500 == 0:
            progress(n, reader.bytes_read, reader.total_bytes)
    progress(n, reader.total_bytes, reader.total_bytes)


def _write(
    db: sqlite3.Connection,
    writer: tantivy.IndexWriter,
    items: Iterable[Made | BadRow],
    result: BuildResult,
    on_bad: BadRows | None,
) -> None:
    """Each row into the catalog, `rows` and the full-text index, in batches."""
    from evcards.formats.rowstream import BadRow

    cards: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    keys: list[tuple[int, list[int]]] = []  # each card's near-duplicate keys (index.cuts)
    key = 1
    db.execute("BEGIN")
    for item in items:
        result.rows_read += 1
        if isinstance(item, BadRow):
            result.bad += 1
            result.bad_by_file[item.file] = result.bad_by_file.get(item.file, 0) + 1
            if on_bad is not None:
                on_bad(item)
            continue
        card, doc, extra, cut_keys = item
        cards.append((key, *card))
        rows.append((key, *extra))
        keys.append((key, cut_keys))
        writer.add_document(_document(key, doc))
        key += 1
        if len(cards) >= BATCH:
            _flush(db, cards, rows, keys)
            if (key - 1) % COMMIT_EVERY < BATCH:
                db.execute("COMMIT")
                writer.commit()
                db.execute("BEGIN")
    _flush(db, cards, rows, keys)
    db.execute("COMMIT")
    result.cards = key - 1


def _flush(db: sqlite3.Connection, cards: list[Any], rows: list[Any], keys: list[Any]) -> None:
    from evcards.index.cuts import store_keys

    db.executemany(INSERT, cards)
    db.executemany(INSERT_ROW, rows)
    store_keys(db, keys)
    cards.clear()
    rows.clear()
    keys.clear()


# (catalog columns after the key, full-text fields, `rows` columns after the key, the card's
# near-duplicate keys: worked out in the feed's process, with the rest)
Made = tuple[tuple[Any, ...], dict[str, Any], tuple[Any, ...], list[int]]


def row_values(item: DatasetRow) -> Made | BadRow:
    """A dataset row as (catalog columns after the key, full-text fields, `rows` columns after
    the key); a BadRow when its card cannot be written as a valid card file. The values come
    from the card in memory (`collections.values.marked_facts`), or where it cannot vouch for
    them, from its TOML text read back (`made_from_text`, the reference)."""
    from evcards.collections.values import marked_facts
    from evcards.index.build import values
    from evcards.store.cardfile import dumps

    facts: tuple[Any, ...] = (item.file, item.row, item.event, item.side, item.level, item.year)
    facts += (item.caselist, item.team, item.duplicates)
    marked = item.body_pairs()
    text = dumps(item.card, marked=marked)
    found = marked_facts(item.card, marked)
    if found is None:
        return made_from_text(text, facts)
    return made_from_values(text, values(found), facts)


def made_from_text(text: str, facts: tuple[Any, ...], blob: bytes | None = None) -> Made | BadRow:
    """`row_values` of a card's TOML text and its `rows` facts (file, row, event, side,
    level, season, caselist, team, duplicates); `blob`: the text already packed."""
    from evcards.formats.rowstream import BadRow
    from evcards.index.build import text_values

    file, row = facts[:2]
    where = f"{file}, row {row}"
    v = text_values(text, where)
    if isinstance(v, str):
        return BadRow(file, row, v.removeprefix(where + ": "))
    return made_from_values(text, v, facts, blob)


def made_from_values(
    text: str, v: tuple[Any, ...], facts: tuple[Any, ...], blob: bytes | None = None
) -> Made:
    """`made_from_text` of the text's index values already worked out (`index.build.Values`)."""
    from evcards.index.build import fulltext_fields

    file, row, event, side, level, season, caselist = facts[:7]
    card = (f"{file}:{row}", file, 0, len(text), row, *v[:_CATALOG])
    doc = fulltext_fields(v)
    doc.update(
        event=event.lower(),
        side=side.lower(),
        level=level.lower(),
        caselist=caselist.lower(),
        season=season,
    )
    return card, doc, (*facts, blob if blob is not None else pack(text)), v[_CATALOG + 3]


def _document(key: int, doc: dict[str, Any]) -> Any:
    from evcards.index import fulltext

    for name in fulltext.ROUND_FIELDS:
        if not doc[name]:
            del doc[name]  # no value: no term (an empty raw term would match `--event ''`)
    return fulltext.document(key, doc)


def sweep(here: Path) -> None:
    """Build folders of a collection that are not in use and whose build is over (its
    process gone): left by a build killed half-way."""
    used = places.current(here.name)
    for entry in here.iterdir():
        if not entry.name.startswith(places.BUILD_PREFIX) or entry == used:
            continue
        pid = entry.name[len(places.BUILD_PREFIX) :].partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and alive(int(pid)):
            continue  # a build still running
        shutil.rmtree(entry, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # there, but another user's
    return True


def bad_rows_of(build: Path) -> dict[str, int]:
    """The bad rows a finished build skipped, per source file name."""
    from evcards.collections.store import collection_meta

    db = connect(build / INDEX_NAME)
    try:
        return dict(collection_meta(db).get("bad_by_file", {}))
    finally:
        db.close()
