"""The whole library (or its cards carrying some labels) as jsonl or csv rows, on every core.

`export_library` is what `evcards export -f jsonl|csv` does with no CARD and no --query: the
bytes `exporting.render` writes for `exporting.select_marked` in document order, made at a
fraction of the cost. Each card file is read up to its body markup
(`cardfile.read_unparsed`) and its row's body columns made from the markup at once
(`formats.rows.body_fields`), falling back to the reference route (`cardfile.loads_marked`,
`rows.body_columns`) for any file or markup those cannot vouch for. The files are read in
chunks by a pool of processes when there are enough of them, and the rows written in the
order `outline.doc_order` gives, as they would be by one process
(tests/test_export_rows.py). The output file is written atomically: an interrupted export
leaves none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple, cast

from evcards.core.outline import doc_order
from evcards.errors import CardNotFound, EvcardsError, Interrupted
from evcards.formats import rows
from evcards.pools import worker_pool
from evcards.store.library import Library

if TYPE_CHECKING:
    from evcards.core.models import Card
    from evcards.exporting import Exported, ExportPlan

PARALLEL_MIN = 1500  # card files: below this, starting the processes costs more than they save
CHUNK = 250  # card files a worker reads at a time
BATCH = 500  # rows written at a time


class Row(NamedTuple):
    """One card's row as a worker makes it (plain values: they pickle fast)."""

    id: str
    labels: tuple[str, ...]
    sources: tuple[tuple[str, int | None], ...]
    words_read: int
    head: bytes  # the row's items before its location (rows.Pieces), encoded
    location: bytes
    tail: bytes


def card_columns(path: str) -> tuple[Card, tuple[str, str, str, str]]:
    """A card file's card (body left empty) and its row's body columns."""
    from evcards.store import cardfile

    text, quick = cardfile.read_unparsed(path)
    if quick is not None:
        columns = (
            rows.body_fields(quick.markup, quick.highlight, clean=True)
            if quick.markup
            else ("", "", "", "")
        )
        if columns is not None:
            return quick.card, columns
    card, marked = cardfile.loads_marked(text, path)
    return card, rows.body_columns(marked)


def card_file_row(path: str, fmt: str) -> Row:
    from evcards.formats.dataset import card_row

    card, columns = card_columns(path)
    row = card_row(card, columns=columns)
    head, location, tail = rows.json_pieces(row) if fmt == "jsonl" else rows.csv_pieces(row)
    return Row(
        card.id,
        tuple(card.labels),
        tuple((s.file, s.position) for s in card.sources),
        len(card.tag.split()) + len(columns[2].split()),
        head.encode(),
        location.encode(),
        tail.encode(),
    )


def rows_of(job: tuple[str, list[str]]) -> list[Row | EvcardsError]:
    """A worker's share: the rows of these card files, in order, up to the first that is
    not a valid card (its error, which the export stops at)."""
    fmt, paths = job
    out: list[Row | EvcardsError] = []
    for path in paths:
        try:
            out.append(card_file_row(path, fmt))
        except EvcardsError as e:
            out.append(e)
            break
    return out


def read_rows(paths: list[str], fmt: str, workers: int | None = None) -> Iterator[Row]:
    """The rows of these card files in their order, read on every core when there are
    enough of them; the first invalid file's error is raised."""
    workers = workers or os.cpu_count() or 1
    jobs = [(fmt, paths[i : i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    if len(paths) < PARALLEL_MIN or workers < 2:
        results: Iterable[list[Row | EvcardsError]] = map(rows_of, jobs)
        yield from _raising(results)
        return
    with worker_pool(workers) as pool:
        yield from _raising(pool.imap(rows_of, jobs))


def _raising(results: Iterable[list[Row | EvcardsError]]) -> Iterator[Row]:
    for chunk in results:
        for item in chunk:
            if isinstance(item, EvcardsError):
                raise item
            yield item


def library_paths(library: Library, labels: Iterable[str]) -> list[str]:
    """The library's card files in `Library.paths` order (as strings: a Path apiece costs
    more than reading the list); with labels, only those the catalog lists as carrying
    every one (the others are not read)."""
    from evcards.store import walk

    paths = [
        os.path.join(folder.path, name)
        for folder in walk.folders(library.root)
        for name in sorted(folder.files)
    ]
    wanted = sorted(set(labels))
    if not wanted or not library.root.is_dir():
        return paths
    from evcards.index.catalog import list_cards
    from evcards.index.query import Filters

    listed = {
        os.path.normpath(r.path) for r in list_cards(library.root, Filters(labels=wanted)).rows
    }
    return [p for p in paths if os.path.normpath(p) in listed]


def wanted_rows(found: Iterable[Row], labels: Iterable[str]) -> list[Row]:
    """Rows of cards carrying every label, each card once, in order (`exporting._wanted`)."""
    wanted = set(labels)
    seen: set[str] = set()
    out = []
    for row in found:
        if row.id in seen or not wanted <= set(row.labels):
            continue
        seen.add(row.id)
        out.append(row)
    return out


class _Sighting(NamedTuple):
    file: str
    position: int | None


class _Placed:
    """What `outline.doc_order` reads of a card, standing in for it: its sightings and its
    location (here the row's location piece, which doc_order may take from the card
    placed before it)."""

    __slots__ = ("at", "sources", "location")

    def __init__(self, at: int, sources: list[_Sighting], location: bytes) -> None:
        self.at, self.sources, self.location = at, sources, location

    def model_copy(self, update: dict[str, bytes]) -> _Placed:
        return _Placed(self.at, self.sources, update["location"])


def in_doc_order(found: list[Row]) -> list[tuple[Row, bytes]]:
    """Each row beside the location piece it is written with, in `doc_order`."""
    placed = [
        _Placed(i, [_Sighting(*s) for s in row.sources], row.location)
        for i, row in enumerate(found)
    ]
    ordered = cast(list[_Placed], doc_order(cast(list["Card"], placed)))
    return [(found[p.at], p.location) for p in ordered]


def write_rows(out: IO[bytes], ordered: list[tuple[Row, bytes]], fmt: str) -> None:
    if fmt == "csv":
        from evcards.formats.dataset import COLUMNS

        out.write(rows.csv_header(COLUMNS).encode())
    sep, end = (b", ", b"\n") if fmt == "jsonl" else (b",", b"\r\n")
    for i in range(0, len(ordered), BATCH):
        out.write(
            b"".join(
                [
                    row.head + sep + location + sep + row.tail + end
                    for row, location in ordered[i : i + BATCH]
                ]
            )
        )


def export_library(
    library: Library, plan: ExportPlan, labels: Iterable[str], stdout: IO[bytes] | None
) -> Exported:
    """The library's rows written to the plan's file (atomically), else to `stdout`, else
    returned; CardNotFound when there are none. Ctrl-C: `Interrupted`, no file written."""
    from evcards.exporting import Exported, _nothing_to_export

    labels = list(labels)
    try:
        found = wanted_rows(read_rows(library_paths(library, labels), plan.fmt), labels)
        if not found:
            raise CardNotFound(_nothing_to_export(None, labels))
        ordered = in_doc_order(found)
        words = sum(row.words_read for row in found)
        done = Exported([], b"", count=len(found), words_read=words)
        if plan.path is not None:
            _write_file(plan, ordered)
        elif stdout is not None:
            write_rows(stdout, ordered, plan.fmt)
        else:
            import io

            buf = io.BytesIO()
            write_rows(buf, ordered, plan.fmt)
            done.data = buf.getvalue().decode()
        return done
    except KeyboardInterrupt:
        kept = f"{plan.path} was not written" if plan.path else "the output stopped part-way"
        raise Interrupted(f"the export stopped before the end; {kept}") from None


def _write_file(plan: ExportPlan, ordered: list[tuple[Row, bytes]]) -> None:
    """`exporting.write_output`, the rows streamed into the temporary file."""
    from evcards.errors import OutputFileError
    from evcards.exporting import check_output
    from evcards.store.atomic import atomic_stream

    path = cast(Path, plan.path)
    check_output(path, plan.force)
    try:
        with atomic_stream(path, overwrite=plan.force) as out:
            write_rows(out, ordered, plan.fmt)
    except FileExistsError:
        raise OutputFileError(f"{path}: already exists; add --force to overwrite it") from None
    except OSError as e:
        raise OutputFileError(f"{path}: cannot write ({e.strerror or e})") from None
