"""The rows a build writes, made ready on the other core while this one writes them.

Reading a dataset row into a card (`formats.rowstream`) is most of a build's cost, and writing
the catalog and the full-text index is the rest; they are done by two processes at once. A
producer (one `pools.worker_pool` worker) runs the reader and turns each row into what the
index stores (`building.row_values`: plain tuples and bytes, cheap to pickle), and sends them
in batches through a bounded queue, so what it reads ahead stays a few megabytes. The writer
(this process) takes them in order. `serial_feed` does the same in one process: the
reference that tests/test_collections_feed.py checks the producer against, and what runs for
small inputs (starting a process costs more than it saves) or where there is no fork.

A producer whose writer is gone (killed) stops at its next full queue; Ctrl-C is the
writer's (`pools`: workers ignore it), which terminates the pool on its way out.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evcards.collections.building import Made
    from evcards.formats.rowstream import BadRow

PARALLEL_MIN = 4_000_000  # bytes of input below which one process does it all
_BATCH = 200  # rows a queue item holds
_AHEAD = 8  # queue items in flight
_QUEUE: Any = None  # the producer's queue: made before the fork, inherited by the worker


class Feed:
    """Rows made ready to write, in order (`Made`, or a `BadRow`), and how far the reader
    has got in bytes (for a progress bar's ETA)."""

    def __init__(self, items: Iterator[Made | BadRow], total_bytes: int) -> None:
        self.items = items
        self.total_bytes = total_bytes
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Made | BadRow]:
        return self.items


def _made(item: Any) -> Made | BadRow:
    from evcards.collections.building import row_values
    from evcards.formats.rowstream import BadRow

    return item if isinstance(item, BadRow) else row_values(item)


Kept = dict[str, Path]  # a source's file name -> the build folder whose rows of it are kept


def _items(files: list[Path], fmt: str | None, kept: Kept) -> Iterator[tuple[Made | BadRow, int]]:
    """Each file's rows made ready, with the bytes read so far: read from the file, or for a
    file in `kept` (unchanged since the build named), from that build's stored card texts."""
    from evcards.collections.building import read_rows

    done = 0
    for path in files:
        old = kept.get(path.name)
        if old is not None:
            for made in stored_rows(old, path.name):
                yield made, done
        else:
            reader = read_rows([path], fmt)
            for item in reader:
                yield _made(item), done + reader.bytes_read
        done += path.stat().st_size


def stored_rows(build: Path, name: str) -> Iterator[Made | BadRow]:
    """The rows of the source file `name` as a finished build stored them, made ready again
    from their TOML text (`collection update` keeps an unchanged file's rows this way)."""
    from evcards.collections.building import made_from_text
    from evcards.collections.store import unpack
    from evcards.index.schema import INDEX_NAME, connect

    db = connect(build / INDEX_NAME)
    try:
        rows = db.execute(
            "SELECT file, row, event, side, level, season, caselist, team, duplicates, toml"
            " FROM rows WHERE file = ? ORDER BY key",
            (name,),
        )
        for *facts, blob in rows:
            yield made_from_text(unpack(blob), tuple(facts), blob)
    finally:
        db.close()


def serial_feed(files: list[Path], fmt: str | None, kept: Kept | None = None) -> Feed:
    """The reference: the reader and `row_values` in this process."""
    feed = Feed(iter(()), sum(p.stat().st_size for p in files))

    def items() -> Iterator[Made | BadRow]:
        for made, done in _items(files, fmt, kept or {}):
            feed.bytes_read = done
            yield made

    feed.items = items()
    return feed


@contextmanager
def feed(
    files: list[Path], fmt: str | None, parallel: bool | None = None, kept: Kept | None = None
) -> Iterator[Feed]:
    """The rows of `files`, from a producer process when it pays (`parallel=None`: inputs of
    PARALLEL_MIN bytes or more, on a machine of two cores or more that can fork)."""
    if parallel is None:
        total = sum(p.stat().st_size for p in files)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        parallel = total >= PARALLEL_MIN and cores >= 2 and hasattr(os, "fork")
    if not parallel:
        yield serial_feed(files, fmt, kept)
        return
    import multiprocessing

    from evcards.pools import worker_pool

    global _QUEUE
    _QUEUE = multiprocessing.get_context("fork").Queue(maxsize=_AHEAD)
    try:
        with worker_pool(1) as pool:
            job = pool.apply_async(_produce, (files, fmt, kept or {}, os.getpid()))
            result = Feed(iter(()), sum(p.stat().st_size for p in files))
            result.items = _taken(_QUEUE, job, result)
            yield result
    finally:
        _QUEUE.close()
        _QUEUE = None


def _taken(q: Any, job: Any, into: Feed) -> Iterator[Made | BadRow]:
    """The producer's rows in order; its error, if it fails, raised here."""
    while True:
        try:
            got = q.get(timeout=0.5)
        except queue.Empty:
            if job.ready():
                job.get()  # the producer's exception, raised here
                raise RuntimeError("the row producer stopped without a word") from None
            continue
        if got is None:
            job.get()
            return
        batch, into.bytes_read = got
        yield from batch


def _produce(files: list[Path], fmt: str | None, kept: Kept, writer: int) -> None:
    """In the producer: every row made ready, sent in batches, then None."""
    batch: list[Made | BadRow] = []
    done = 0
    for made, done in _items(files, fmt, kept):
        batch.append(made)
        if len(batch) >= _BATCH:
            _put((batch, done), writer)
            batch = []
    _put((batch, sum(p.stat().st_size for p in files)), writer)
    _put(None, writer)


def _put(item: Any, writer: int) -> None:
    while True:
        try:
            _QUEUE.put(item, timeout=1.0)
            return
        except queue.Full:
            if os.getppid() != writer:
                os._exit(0)  # the writer is gone (killed): nobody will read this
