"""The whole library (or its cards carrying some labels) as jsonl or csv rows, on every core.

`export_library` is what `evcards export -f jsonl|csv` does with no CARD and no --query: the
bytes `exporting.render` writes for `exporting.select_marked` in document order, made at a
fraction of the cost. Each card file is read up to its body markup as bytes
(`cardfile.read_unparsed_bytes`) and its row made from the markup's bytes at once
(`formats.rowbytes`), falling back to the same by str (`cardfile.read_unparsed`,
`formats.rows.body_fields`) and then to the reference route (`cardfile.loads_marked`,
`rows.body_columns`) for any file or markup those cannot vouch for. The files are read in
chunks by a pool of processes when there are enough of them, and the rows written in the
order `outline.doc_order` gives, as they would be by one process
(tests/test_export_rows.py). Each worker writes its chunk's row bytes to a spill file and
hands back only where each row lies (a few numbers and its sightings), so memory does not
grow with the rows' text; once every row is placed, they are copied from the spill files
in doc order. The output file is written atomically: an interrupted export leaves
none, and no spill file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple, cast

from evcards.core.outline import doc_order
from evcards.errors import CardNotFound, EvcardsError, Interrupted
from evcards.formats import rowbytes, rows
from evcards.pools import worker_pool
from evcards.store.library import Library

if TYPE_CHECKING:
    import tempfile

    from evcards.core.models import Card
    from evcards.exporting import Exported, ExportPlan

PARALLEL_MIN = 1500  # card files: below this, starting the processes costs more than they save
CHUNK = 250  # card files a worker reads at a time


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
    """A card file's card (body left empty) and its row's body columns: the str route
    `card_file_row` takes for a file the bytes route cannot read."""
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
    """A card file's row: by bytes (`cardfile.loads_unparsed_bytes`, `rowbytes`) where
    they can read it, else by str (`card_columns`, which reads the file again); the same
    row either way (tests/test_rowbytes.py, tests/test_export_rows.py)."""
    from evcards.store import cardfile

    raw, quick = cardfile.read_unparsed_bytes(path)
    if quick is not None:
        body = rowbytes.body_fields(quick.markup, quick.highlight) if quick.markup else _EMPTY
        if body is not None:
            return _row_of_bytes(quick.card, body, fmt)
    return card_file_row_str(path, fmt)


_EMPTY = (b"", b"", b"", b"")


def _row_of_bytes(card: Card, body: rowbytes.BodyBytes, fmt: str) -> Row:
    from evcards.formats.dataset import card_row

    row = card_row(card, columns=("", "", "", ""))
    pieces = rowbytes.json_pieces if fmt == "jsonl" else rowbytes.csv_pieces
    head, location, tail = pieces(row, body)
    spoken = body[2]
    return Row(
        card.id,
        tuple(card.labels),
        tuple((s.file, s.position) for s in card.sources),
        len(card.tag.split()) + (spoken.count(b" ") + 1 if spoken else 0),
        head,
        location,
        tail,
    )


def card_file_row_str(path: str, fmt: str) -> Row:
    """`card_file_row` by str: the row from `card_columns`."""
    from evcards.formats.dataset import card_row

    card, columns = card_columns(path)
    row = card_row(card, columns=columns)
    if fmt == "jsonl":
        head, location, tail = rows.json_pieces_bytes(row)
    else:
        head, location, tail = (p.encode() for p in rows.csv_pieces(row))
    return Row(
        card.id,
        tuple(card.labels),
        tuple((s.file, s.position) for s in card.sources),
        len(card.tag.split()) + len(columns[2].split()),
        head,
        location,
        tail,
    )


Meta = tuple[str, tuple[tuple[str, int | None], ...], int, int, int, int, int]
# A row as the parent keeps it while the others are read: id, sightings, words read, and
# where its bytes lie in its chunk's spill file: start, end of the head (separator
# included), end of the location, end of the row.


def rows_of(job: tuple[str, list[str], str, tuple[str, ...]]) -> list[Meta | EvcardsError]:
    """A worker's share: the rows of these card files carrying every label, in order, up to
    the first that is not a valid card (its error, which the export stops at). Each row's
    bytes go to the spill file `spill`; only where they lie is returned."""
    fmt, paths, spill, labels = job
    wanted = set(labels)
    sep, end = (b", ", b"\n") if fmt == "jsonl" else (b",", b"\r\n")
    out: list[Meta | EvcardsError] = []
    pieces: list[bytes] = []
    at = 0
    for path in paths:
        try:
            row = card_file_row(path, fmt)
        except EvcardsError as e:
            out.append(e)
            break
        if wanted and not wanted <= set(row.labels):
            continue
        pieces += (row.head, sep, row.location, sep, row.tail, end)  # joined once, below
        start = at
        head = start + len(row.head) + len(sep)
        located = head + len(row.location)
        at = located + len(sep) + len(row.tail) + len(end)
        out.append((row.id, row.sources, row.words_read, start, head, located, at))
    with open(spill, "wb") as f:
        f.write(b"".join(pieces))
    return out


def read_rows(
    paths: list[str],
    fmt: str,
    spill: str,
    labels: tuple[str, ...] = (),
    workers: int | None = None,
) -> Iterator[tuple[int, Meta]]:
    """Where the rows of these card files lie, in their order, each beside its chunk's
    number (its bytes are in the file `spill/NUMBER`); read on every core when there are
    enough of them; the first invalid file's error is raised. Only the chunks being read
    are held: the rows stream to the spill files."""
    workers = workers or os.cpu_count() or 1
    jobs = [
        (fmt, paths[i : i + CHUNK], os.path.join(spill, str(k)), labels)
        for k, i in enumerate(range(0, len(paths), CHUNK))
    ]
    if len(paths) < PARALLEL_MIN or workers < 2:
        results: Iterable[list[Meta | EvcardsError]] = map(rows_of, jobs)
        yield from _raising(results)
        return
    with worker_pool(workers) as pool:
        yield from _raising(pool.imap(rows_of, jobs))


def _raising(results: Iterable[list[Meta | EvcardsError]]) -> Iterator[tuple[int, Meta]]:
    for k, chunk in enumerate(results):
        for item in chunk:
            if isinstance(item, EvcardsError):
                raise item
            yield k, item


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


class _Sighting(NamedTuple):
    file: str
    position: int | None


class _Placed:
    """A row as `outline.doc_order` reads a card, standing in for it: its sightings and its
    location, here where the location's bytes lie (chunk, start, end), which doc_order may
    take from the row placed before it; and where the row's own bytes lie."""

    __slots__ = ("chunk", "start", "head", "located", "end", "sources", "location")

    def __init__(self, chunk: int, meta: Meta, files: dict[str, str]) -> None:
        _, sightings, _, self.start, self.head, self.located, self.end = meta
        self.chunk = chunk
        self.sources = [_Sighting(files.setdefault(f, f), p) for f, p in sightings]
        self.location = (chunk, self.head, self.located)

    def model_copy(self, update: dict[str, tuple[int, int, int]]) -> _Placed:
        copy = _Placed.__new__(_Placed)
        for name in _Placed.__slots__:
            setattr(copy, name, getattr(self, name))
        copy.location = update["location"]
        return copy


class Placed(NamedTuple):
    """The rows read, as `write_rows` takes them: each card once, in doc order."""

    rows: list[_Placed]
    cards: int
    words_read: int


def placed_rows(found: Iterable[tuple[int, Meta]]) -> Placed:
    """Each card's row once (its first), in `doc_order` (`exporting._wanted`, then the
    order `export_cards` writes)."""
    seen: set[str] = set()
    files: dict[str, str] = {}  # each file named once, however many rows name it
    kept: list[_Placed] = []
    words = 0
    for chunk, meta in found:
        if meta[0] in seen:
            continue
        seen.add(meta[0])
        words += meta[2]
        kept.append(_Placed(chunk, meta, files))
    ordered = cast(list[_Placed], doc_order(cast(list["Card"], kept)))
    return Placed(ordered, len(kept), words)


class Spill:
    """The spill folder's files, read a row at a time (`os.pread`: a mapping of them would
    count every page read in the process's memory)."""

    OPEN_MAX = 256  # files kept open at once

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.fds: dict[int, int] = {}

    def read(self, chunk: int, start: int, end: int) -> bytes:
        fd = self.fds.get(chunk)
        if fd is None:
            if len(self.fds) >= self.OPEN_MAX:
                self.close()
            fd = self.fds[chunk] = os.open(os.path.join(self.folder, str(chunk)), os.O_RDONLY)
        return os.pread(fd, end - start, start)

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()


WRITE_AT = 1 << 20  # bytes of rows gathered before a write


def write_rows(out: IO[bytes], ordered: list[_Placed], fmt: str, spill: Spill) -> None:
    """The rows' bytes, copied from the spill files in this order."""
    if fmt == "csv":
        from evcards.formats.dataset import COLUMNS

        out.write(rows.csv_header(COLUMNS).encode())
    pieces: list[bytes] = []
    size = 0
    for p in ordered:
        if p.location == (p.chunk, p.head, p.located):
            pieces.append(spill.read(p.chunk, p.start, p.end))
        else:
            pieces += (
                spill.read(p.chunk, p.start, p.head),
                spill.read(*p.location),
                spill.read(p.chunk, p.located, p.end),
            )
        size += p.end - p.start
        if size >= WRITE_AT:
            out.write(b"".join(pieces))
            pieces, size = [], 0
    out.write(b"".join(pieces))


def export_library(
    library: Library, plan: ExportPlan, labels: Iterable[str], stdout: IO[bytes] | None
) -> Exported:
    """The library's rows written to the plan's file (atomically), else to `stdout`, else
    returned; CardNotFound when there are none. The rows are spilled to files beside the
    output (or in the temporary folder) as they are read, and copied from there in doc
    order: the process holds a few numbers a card, not its row. Ctrl-C: `Interrupted`,
    no file written, no spill left."""
    from evcards.exporting import Exported, _nothing_to_export

    labels = list(labels)
    try:
        with _spill_folder(plan) as folder:
            paths = library_paths(library, labels)
            found = read_rows(paths, plan.fmt, folder, tuple(sorted(set(labels))))
            placed = placed_rows(found)
            if not placed.rows:
                raise CardNotFound(_nothing_to_export(None, labels))
            done = Exported([], b"", count=placed.cards, words_read=placed.words_read)
            spill = Spill(folder)
            try:
                _write(plan, placed.rows, spill, stdout, done)
            finally:
                spill.close()
            return done
    except KeyboardInterrupt:
        kept = f"{plan.path} was not written" if plan.path else "the output stopped part-way"
        raise Interrupted(f"the export stopped before the end; {kept}") from None


def _spill_folder(plan: ExportPlan) -> tempfile.TemporaryDirectory[str]:
    """A folder for the spill files: beside the output file (checked first), else in the
    temporary folder."""
    import tempfile

    from evcards.errors import OutputFileError
    from evcards.exporting import check_output

    near = None
    if plan.path is not None:
        check_output(plan.path, plan.force)
        near = str(plan.path.parent)
    try:
        return tempfile.TemporaryDirectory(prefix=".tmp-export-", dir=near)
    except OSError as e:
        where = plan.path or "the temporary folder"
        raise OutputFileError(f"{where}: cannot write ({e.strerror or e})") from None


def _write(
    plan: ExportPlan,
    ordered: list[_Placed],
    spill: Spill,
    stdout: IO[bytes] | None,
    done: Exported,
) -> None:
    if plan.path is not None:
        _write_file(plan, ordered, spill)
    elif stdout is not None:
        write_rows(stdout, ordered, plan.fmt, spill)
    else:
        import io

        buf = io.BytesIO()
        write_rows(buf, ordered, plan.fmt, spill)
        done.data = buf.getvalue().decode()


def _write_file(plan: ExportPlan, ordered: list[_Placed], spill: Spill) -> None:
    """`exporting.write_output`, the rows streamed into the temporary file."""
    from evcards.errors import OutputFileError
    from evcards.exporting import check_output
    from evcards.store.atomic import atomic_stream

    path = cast(Path, plan.path)
    check_output(path, plan.force)
    try:
        with atomic_stream(path, overwrite=plan.force) as out:
            write_rows(out, ordered, plan.fmt, spill)
    except FileExistsError:
        raise OutputFileError(f"{path}: already exists; add --force to overwrite it") from None
    except OSError as e:
        raise OutputFileError(f"{path}: cannot write ({e.strerror or e})") from None
