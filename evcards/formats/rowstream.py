"""Dataset rows read one at a time, for collections (`evcards collection add`).

A collection's files hold millions of rows (OpenDebateEvidence: a CSV a year, 1.4 to 10.5
GB), so they are streamed: `read_dataset` yields each row as it is read, as a `DatasetRow`
(the card and the dataset's own facts about it) or a `BadRow` (where and why it was
skipped), and never holds a file in memory. `DatasetReader.bytes_read` says how far it has
got, for a progress bar's ETA.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from evcards.core.models import Card
from evcards.errors import InputFileError


class DatasetRow(NamedTuple):
    """One row of a dataset as a card, with the facts the dataset gives about its round."""

    card: Card
    file: str  # the source file as the user named it
    row: int  # where it is: a JSONL line, a CSV record's first line, a parquet row (from 1)
    event: str = ""  # cx, ld, pf; "" when the dataset has none (OpenEv camp files)
    side: str = ""  # A or N
    level: str = ""  # hs or college
    year: int | None = None  # the season the dataset files it under (not the cite's date)
    caselist: str = ""  # caselistName
    team: str = ""  # the team's name, or its id when the dataset has no name
    duplicates: int = 0  # the dataset's duplicateCount


class BadRow(NamedTuple):
    """A row that could not be read, and why; the build skips it and counts it."""

    file: str
    row: int
    reason: str


class DatasetReader:
    """The rows of `paths`, one at a time; `bytes_read` of `total_bytes` so far."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = list(paths)
        self.total_bytes = sum(p.stat().st_size for p in self.paths)
        self.bytes_read = 0

    def __iter__(self) -> Iterator[DatasetRow | BadRow]:
        done = 0
        for path in self.paths:
            with path.open("rb") as raw:
                text = _text(raw)
                rows = _csv_rows(text, path) if path.suffix == ".csv" else _json_rows(text, path)
                for item in rows:
                    self.bytes_read = done + raw.tell()
                    yield item
            done += path.stat().st_size
            self.bytes_read = done


def read_dataset(paths: Iterable[Path]) -> DatasetReader:
    return DatasetReader(paths)


def _text(raw: IO[bytes]) -> IO[str]:
    import io

    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def _csv_rows(text: IO[str], path: Path) -> Iterator[DatasetRow | BadRow]:
    csv.field_size_limit(64 * 1024 * 1024)
    reader = csv.DictReader(text)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield BadRow(path.name, reader.line_num, f"not readable as CSV ({e})")
            continue
        yield _row(row, path, reader.line_num)


def _json_rows(text: IO[str], path: Path) -> Iterator[DatasetRow | BadRow]:
    for n, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield BadRow(path.name, n, f"not JSON ({e.msg})")
            continue
        yield _row(row, path, n)


def _row(row: Any, path: Path, n: int) -> DatasetRow | BadRow:
    from evcards.formats.dataset import row_card

    where = f"{path.name}, row {n}"
    try:
        card = row_card(row, where, path.name, n)
    except InputFileError as e:
        return BadRow(path.name, n, str(e).removeprefix(where + ": "))
    if card is None:
        return BadRow(path.name, n, "an empty row")
    year = str(row.get("year") or "")
    return DatasetRow(
        card=card,
        file=path.name,
        row=n,
        event=str(row.get("event") or ""),
        side=str(row.get("side") or ""),
        level=str(row.get("level") or ""),
        year=int(year) if year.isdigit() else None,
        caselist=str(row.get("caselistName") or ""),
        team=str(row.get("teamName") or row.get("teamId") or ""),
        duplicates=len(card.sources) - 1,
    )
