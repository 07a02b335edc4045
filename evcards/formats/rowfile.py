"""One dataset file's rows: its container and layout found, each record made a row.

The container is read from the first bytes (after decompression): `PAR1` is parquet, `{`
a JSON line, anything else is tried as CSV, whose header must then name a layout's columns.
The layout is read from the CSV header or the first JSON object's keys: DebateSum's
columns, its JSONL wrapping (`source_sample`), or OpenDebateEvidence's (tag, fulltext or
markup; evcards' export rows are these plus `cite_*`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from evcards.errors import InputFileError
from evcards.formats import ZIP_MAGIC, debatesum
from evcards.formats.rowread import Bad, csv_records, json_records
from evcards.formats.rowsource import Source, peek
from evcards.formats.rowstream import CONTAINERS, BadRow, DatasetRow, Item, ode_facts

PARQUET_MAGIC = b"PAR1"
ODE_COLUMNS = ("tag", "fulltext", "markup")
EXPECTED = (
    "dataset rows: OpenDebateEvidence's (CSV with a header naming tag, fulltext or markup;"
    " JSONL with those fields; parquet), or DebateSum's (Full-Document, Citation, Extract,"
    " Abstract)"
)
Mapper = Callable[..., Item]


def file_rows(
    path: Path,
    fmt: str | None,
    progress: list[Callable[[], int]],
    cites: bool = True,
    spans: bool = True,
) -> Iterator[Item]:
    """The rows of one file; `progress` gets the function saying how many of its bytes on
    disk have been read; `cites`: parse each cite paragraph into its fields; `spans`: see
    `read_dataset`."""
    if fmt == "parquet" or (fmt not in CONTAINERS and _starts_with(path, PARQUET_MAGIC)):
        from evcards.formats.rowparquet import parquet_records

        records = parquet_records(path, progress)
        yield from _mapped(records, path, fmt, "parquet", (cites, spans))
        return
    with Source(path) as source:
        progress.append(lambda: source.consumed)
        head = _head(source, path)
        container = fmt if fmt in ("csv", "jsonl") else _container(head, path)
        records = csv_rows(source, path) if container == "csv" else json_records(source.stream)
        try:
            yield from _mapped(records, path, fmt, container, (cites, spans))
        except (OSError, EOFError, zlib.error) as e:
            yield BadRow(path.name, 0, f"the file breaks off ({e}); the rest of it is skipped")
        except Exception as e:  # zstandard.ZstdError, which is loaded only with it
            if type(e).__name__ != "ZstdError":
                raise
            yield BadRow(path.name, 0, f"the file breaks off ({e}); the rest of it is skipped")


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:
        return False


def _head(source: Source, path: Path) -> bytes:
    try:
        return peek(source.stream, 64)
    except (OSError, EOFError, zlib.error) as e:
        raise InputFileError(f"{path}: the compressed data is broken ({e})") from None


def _container(head: bytes, path: Path) -> str:
    if head.startswith(ZIP_MAGIC):
        raise InputFileError(
            f"{path}: a zip file (a Word .docx?), not a dataset; expected {EXPECTED}; a .docx"
            " goes into the library with `evcards import`"
        )
    if head.startswith(PARQUET_MAGIC):
        raise InputFileError(f"{path}: a compressed parquet file; decompress it first")
    return "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def csv_rows(source: Source, path: Path) -> Iterator[tuple[int, dict[str, Any]] | Bad]:
    """Each CSV record after the header as a dict of its columns."""
    records = csv_records(source.stream)
    header = _csv_header(records, path)
    width = len(header)
    for record in records:
        if isinstance(record, Bad):
            yield record
            continue
        line, fields = record
        if len(fields) != width:
            yield Bad(
                line,
                f"{len(fields)} fields where the header has {width}; a quote left open or a"
                " stray comma",
            )
            continue
        yield line, dict(zip(header, fields, strict=True))


def _csv_header(records: Iterator[tuple[int, list[str]] | Bad], path: Path) -> list[str]:
    first = next(records, None)
    if first is None:
        raise InputFileError(f"{path}: empty; expected {EXPECTED}")
    if isinstance(first, Bad):
        raise InputFileError(f"{path}: not a dataset (line 1: {first.reason}); expected {EXPECTED}")
    header = [name.strip().lstrip("\ufeff") for name in first[1]]
    if _layout(header) is None:
        names = ", ".join(header[:4]) + (", ..." if len(header) > 4 else "")
        raise InputFileError(
            f"{path}: not a dataset (its first line: {names[:120]}); expected {EXPECTED}"
        )
    return header


def _layout(columns: Any) -> str | None:
    if debatesum.is_wrapped(columns):
        return "debatesum-wrapped"
    if debatesum.is_debatesum(columns):
        return "debatesum"
    if any(name in columns for name in ODE_COLUMNS):
        return "ode"
    return None


def _mapped(
    records: Iterator[tuple[int, Any] | Bad],
    path: Path,
    fmt: str | None,
    container: str,
    how: tuple[bool, bool],
) -> Iterator[Item]:
    """Records as rows, by the layout the first record shows (or `fmt` names); `how`:
    (parse the cites, build the Spans of an OpenDebateEvidence row's body)."""
    cites, spans = how
    mapper: Mapper | None = None
    name = path.name
    for record in records:
        if isinstance(record, Bad):
            if mapper is None and container == "jsonl":
                raise InputFileError(
                    f"{path}: not a dataset (line {record.row}: {record.reason});"
                    f" expected {EXPECTED}"
                )
            yield BadRow(name, record.row, record.reason)
            continue
        n, row = record[0], record[1]
        if mapper is None:
            mapper = _mapper(row, path, fmt, n)
            mapper = partial(mapper, cites=cites, **({} if spans else _NO_SPANS.get(mapper, {})))
        if isinstance(row, dict):
            yield mapper(row, name, n)
        else:
            yield BadRow(name, n, f"a JSON {type(row).__name__}, not an object of fields")


def _mapper(row: Any, path: Path, fmt: str | None, n: int) -> Mapper:
    if not isinstance(row, dict):
        raise InputFileError(f"{path}: line {n} is JSON but not an object; expected {EXPECTED}")
    layout = _layout(row)
    if layout is None:
        keys = ", ".join(list(row)[:4]) + (", ..." if len(row) > 4 else "")
        raise InputFileError(
            f"{path}: not a dataset (its fields: {keys[:120]}); expected {EXPECTED}"
        )
    if fmt in ("ode", "debatesum") and not layout.startswith(fmt):
        raise InputFileError(
            f"{path}: not {fmt} rows (it has {layout} columns); leave --format out"
        )
    if layout == "debatesum-wrapped":
        return wrapped_row
    return debatesum_row if layout == "debatesum" else ode_row


def ode_row(row: dict[str, Any], file: str, n: int, cites: bool = True, spans: bool = True) -> Item:
    """An OpenDebateEvidence (or evcards export) row; `spans=False`: its card's body left
    empty, the pairs in `DatasetRow.marked` its body."""
    from evcards.formats.odecard import ode_card_marked

    try:
        made = ode_card_marked(row, file, n, cites, spans)
    except InputFileError as e:
        return BadRow(file, n, str(e).removeprefix(f"{file}, row {n}: "))
    if made is None:
        return BadRow(file, n, "an empty row")
    return DatasetRow(made[0], file, n, **ode_facts(row), marked=made[1])


_NO_SPANS: dict[Any, dict[str, bool]] = {ode_row: {"spans": False}}  # rows that can skip them


def debatesum_row(row: dict[str, Any], file: str, n: int, cites: bool = True) -> Item:
    return _debatesum(row, file, n, None, cites)


def wrapped_row(row: dict[str, Any], file: str, n: int, cites: bool = True) -> Item:
    sample = row.get("source_sample")
    if not isinstance(sample, dict):
        return BadRow(file, n, "'source_sample' must be an object of DebateSum's columns")
    try:
        spans = debatesum.wrapped_spans(row, f"{file}, row {n}")
    except InputFileError as e:
        return BadRow(file, n, str(e).removeprefix(f"{file}, row {n}: "))
    return _debatesum(sample, file, n, spans, cites)


def _debatesum(
    row: dict[str, Any], file: str, n: int, spans: list[tuple[int, int]] | None, cites: bool
) -> Item:
    try:
        card = debatesum.card_of(row, file, n, spans, cites)
    except InputFileError as e:
        return BadRow(file, n, str(e).removeprefix(f"{file}, row {n}: "))
    if card is None:
        return BadRow(file, n, "an empty row")
    return DatasetRow(card, file, n, year=debatesum.year_of(row))
