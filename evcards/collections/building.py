"""Building a collection: dataset rows streamed into a new build folder, swapped in at the end.

Rows come from `formats.rowstream.read_dataset` one at a time; each card becomes its TOML
text (`cardfile.dumps`, what a library file would hold), the catalog and full-text values
made from that text (`index.build.text_values`, so a collection card is indexed exactly as
the same card in a library), and a `rows` row holding the text compressed. SQLite commits
and tantivy writes in batches, so memory stays flat whatever the input's size.

The build goes to `NAME/b-<pid>-<ns>/`; only when it is whole is `NAME/current` rewritten
(atomically) to name it, and the previous build folder removed. A build killed at any point
leaves the previous collection in use and its own folder unnamed, swept by the next build or
removal (`sweep`: a folder whose process is gone).
"""

from __future__ import annotations

import inspect
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

    from evcards.collections.feed import Feed
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


def build(
    name: str,
    paths: Iterable[Path],
    fmt: str | None = None,
    progress: Progress | None = None,
    on_bad: BadRows | None = None,
    parallel: bool | None = None,
) -> BuildResult:
    """Build the collection `name` from the dataset files `paths` (replacing it if it exists).
    `parallel`: rows made ready in a producer process (`collections.feed`); None decides."""
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
        result = _load(tmp, build_id, files, fmt, progress, on_bad, parallel)
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
    """`read_dataset` of the files, told the format when it takes one."""
    from evcards.formats.rowstream import read_dataset

    if fmt is not None and "fmt" in inspect.signature(read_dataset).parameters:
        return read_dataset(files, fmt=fmt)  # type: ignore[call-arg]
    return read_dataset(files)


def _load(
    tmp: Path,
    build_id: str,
    files: list[Path],
    fmt: str | None,
    progress: Progress | None,
    on_bad: BadRows | None,
    parallel: bool | None,
) -> BuildResult:
    from evcards.collections.feed import feed

    with feed(files, fmt, parallel) as rows:  # the producer forks before tantivy's threads
        return _written(tmp, build_id, files, fmt, rows, progress, on_bad)


def _written(
    tmp: Path,
    build_id: str,
    files: list[Path],
    fmt: str | None,
    feed: Feed,
    progress: Progress | None,
    on_bad: BadRows | None,
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
        result = BuildResult(name="", sources=sources)
        try:
            _write(db, writer, _told(feed, progress), result, on_bad)
            fulltext.mark_generation(writer, 1)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        info = {
            "sources": [list(s) for s in sources],
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "format": fmt,
            "bad": result.bad,
            "rows": result.rows_read,
        }
        db.execute("BEGIN")
        set_meta(db, "fulltext", folder)
        set_meta(db, "generation", 1)
        set_meta(db, "collection", json.dumps(info))
        db.execute("COMMIT")
        db.executescript(INDEXES)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        db.close()
    return result


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
    key = 1
    db.execute("BEGIN")
    for item in items:
        result.rows_read += 1
        if isinstance(item, BadRow):
            result.bad += 1
            if on_bad is not None:
                on_bad(item)
            continue
        card, doc, extra = item
        cards.append((key, *card))
        rows.append((key, *extra))
        writer.add_document(_document(key, doc))
        key += 1
        if len(cards) >= BATCH:
            _flush(db, cards, rows)
            if (key - 1) % COMMIT_EVERY < BATCH:
                db.execute("COMMIT")
                writer.commit()
                db.execute("BEGIN")
    _flush(db, cards, rows)
    db.execute("COMMIT")
    result.cards = key - 1


def _flush(db: sqlite3.Connection, cards: list[Any], rows: list[Any]) -> None:
    db.executemany(INSERT, cards)
    db.executemany(INSERT_ROW, rows)
    cards.clear()
    rows.clear()


Made = tuple[tuple[Any, ...], dict[str, Any], tuple[Any, ...]]


def row_values(item: DatasetRow) -> Made | BadRow:
    """A dataset row as (catalog columns after the key, full-text fields, `rows` columns after
    the key); a BadRow when its card cannot be written as a valid card file."""
    from evcards.formats.rowstream import BadRow
    from evcards.index.build import fulltext_fields, text_values
    from evcards.store.cardfile import dumps

    where = f"{item.file}, row {item.row}"
    text = dumps(item.card)
    v = text_values(text, where)
    if isinstance(v, str):
        return BadRow(item.file, item.row, v.removeprefix(where + ": "))
    path = f"{item.file}:{item.row}"
    card = (path, item.file, 0, len(text), item.row, *v[:_CATALOG])
    doc = fulltext_fields(v)
    doc.update(
        event=item.event.lower(),
        side=item.side.lower(),
        level=item.level.lower(),
        caselist=item.caselist.lower(),
        season=item.year,
    )
    extra = (
        item.file,
        item.row,
        item.event,
        item.side,
        item.level,
        item.year,
        item.caselist,
        item.team,
        item.duplicates,
        pack(text),
    )
    return card, doc, extra


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
