"""Dataset files into the library (`evcards import`): what fits becomes card files, what
does not is pointed at a collection.

`evcards import` of a .jsonl or .csv file, plain or gzip- or Zstandard-compressed, reads
OpenDebateEvidence rows and our own export rows as it always did (`dataset.parse_rows`:
duplicateCount kept as sightings, byte-identical round trips) and DebateSum's rows through
the dataset reader (`rowstream`). A file whose rows come to more than the import limit
(`MAX_TEXT_FILE_BYTES`, counted decompressed, and never read past it) is for a collection,
which keeps millions of rows searchable without a card file each: the error says so. A
folder import asks `folder_skip` of each such file, which reads its first line only.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from evcards.core.models import Card
from evcards.errors import InputFileError
from evcards.formats import debatesum
from evcards.formats.rowsource import Source
from evcards.limits import MAX_TEXT_FILE_BYTES, megabytes

ODE_COLUMNS = ("tag", "fulltext", "markup")
FIRST_LINE = 1024 * 1024  # what a folder import reads of a big file to tell what it is


def too_big(path: Path) -> InputFileError:
    return InputFileError(
        f"{path}: larger than {megabytes(MAX_TEXT_FILE_BYTES)}, too many rows for a card file"
        f" each; a dataset this size goes into a collection: `evcards collection add NAME {path}`"
    )


def _decompressed(path: Path, limit: int) -> tuple[bytes, bool]:
    """Up to `limit` bytes of the file's rows, and whether that is all of them."""
    with Source(path) as source:
        try:
            data = source.stream.read(limit + 1)
        except (OSError, EOFError) as e:
            raise InputFileError(f"{path}: the compressed data is broken ({e})") from None
    return data[:limit], len(data) <= limit


def _layout(data: bytes) -> str:
    """'ode', 'debatesum' or '' (neither) from the rows' first line."""
    first = data.split(b"\n", 1)[0].decode("utf-8-sig", "replace")
    columns: Any
    if first.lstrip().startswith("{"):
        try:
            row = json.loads(first)
        except json.JSONDecodeError:
            return ""
        columns = row if isinstance(row, dict) else {}
    else:
        columns = set(next(csv.reader([first]), []))
    if debatesum.is_wrapped(columns) or debatesum.is_debatesum(columns):
        return "debatesum"
    return "ode" if any(c in columns for c in ODE_COLUMNS) else ""


def read_rows_file(path: Path) -> list[Card]:
    """Every card of a dataset file (the format registry's reader for .jsonl and .csv)."""
    data, whole = _decompressed(path, MAX_TEXT_FILE_BYTES)
    if not whole:
        raise too_big(path)
    if _layout(data) == "debatesum":
        return _read_debatesum(path)
    from evcards.formats.dataset import parse_rows
    from evcards.formats.paste import decode

    name = path.name
    return parse_rows(decode(data, name), _inner_suffix(name), name)


def _inner_suffix(name: str) -> str:
    """`.csv` of rows.csv, rows.csv.gz and rows.csv.zst."""
    parts = name.lower().split(".")
    while parts and parts[-1] in ("gz", "zst"):
        parts.pop()
    return "." + parts[-1] if len(parts) > 1 else ""


def _read_debatesum(path: Path) -> list[Card]:
    from evcards.formats.rowstream import BadRow, read_dataset

    cards = []
    for item in read_dataset([path]):
        if isinstance(item, BadRow):
            raise InputFileError(f"{item.file}, row {item.row}: {item.reason}")
        cards.append(item.card)
    return cards


def folder_skip(path: Path) -> str | None:
    """Why a folder import leaves this .jsonl or .csv file out, or None to import it."""
    try:
        plain = path.suffix.lower() in (".jsonl", ".csv")
        if plain and path.stat().st_size > MAX_TEXT_FILE_BYTES:
            data, whole = _decompressed(path, FIRST_LINE)[0], False
        else:
            data, whole = _decompressed(path, MAX_TEXT_FILE_BYTES)
    except (OSError, InputFileError):
        return "unreadable"
    if not _layout(data):
        return "not dataset rows"
    if not whole:
        return f"over {megabytes(MAX_TEXT_FILE_BYTES)}, for `evcards collection add`"
    return None
