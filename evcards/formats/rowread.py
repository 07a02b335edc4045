"""The records of a dataset file, bounded: CSV records and JSON lines, each decoded alone.

A dataset file is other people's data, gigabytes of it, and some rows of it are broken. So
nothing here holds more than one record: a line is read with a length limit, a CSV field
with `csv.field_size_limit`, and what breaks one record (bad quoting, invalid UTF-8, a line
or field past the limits in `evcards.limits`) becomes a `BadRow` while reading goes on.
An unclosed quote swallows the lines after it only up to the field limit, and strict
quoting stops it sooner, at the first quote it cannot pair; the swallowed lines are named.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

from evcards.limits import MAX_DATASET_FIELD_CHARS, MAX_DATASET_ROW_BYTES, megabytes

# What `errors="surrogateescape"` leaves for a byte that is not UTF-8.
_UNDECODED = re.compile("[\udc80-\udcff]")
# Bytes that were not UTF-8, counted as they are decoded (a chunk ahead of the rows), so
# that only rows read while some are unaccounted for are searched for them: searching
# every field of every row cost 10 us a row.
_ERRORS = "evcards-rows"
_undecoded_bytes = [0]


def _count_and_escape(e: UnicodeError) -> tuple[str | bytes, int]:
    assert isinstance(e, UnicodeDecodeError)
    _undecoded_bytes[0] += e.end - e.start
    return codecs.lookup_error("surrogateescape")(e)


codecs.register_error(_ERRORS, _count_and_escape)


class Bad(NamedTuple):
    """A record that could not be read: its first line and why."""

    row: int
    reason: str


class _Overlong(Exception):
    """A line longer than the field limit, skipped to its end."""


class _Lines:
    """A text stream's lines for csv.reader, counted. A line longer than `limit` (which
    holds a field over the limit, or no real CSV) is not held: it is read in pieces to its
    end and `_Overlong` stops its record (csv.reader would take a piece for a line)."""

    def __init__(self, text: IO[str], limit: int) -> None:
        self.readline = text.readline
        self.limit = limit
        self.n = 0  # lines handed out

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.readline(self.limit)
        if not line:
            raise StopIteration
        self.n += 1
        if len(line) == self.limit and not line.endswith(("\n", "\r")):
            while line and not line.endswith(("\n", "\r")):
                line = self.readline(self.limit)
            raise _Overlong
        return line


def csv_records(stream: IO[bytes]) -> Iterator[tuple[int, list[str]] | Bad]:
    """(first line, fields) of each CSV record, the header included; a `Bad` for a record
    that cannot be read."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors=_ERRORS, newline="")
    found = 0  # undecoded bytes seen in this file's rows, of those counted since it began
    counted = _undecoded_bytes[0]
    lines = _Lines(text, MAX_DATASET_FIELD_CHARS)
    # Process-wide; set where each file starts, so another reader's setting cannot loosen it.
    csv.field_size_limit(MAX_DATASET_FIELD_CHARS)
    reader = csv.reader(lines, strict=True)
    while True:
        start = lines.n + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield Bad(start, _csv_reason(e, start, lines.n))
            continue
        except _Overlong:
            yield Bad(start, _csv_reason(None, start, lines.n))
            continue
        if not fields:
            continue  # a blank line
        if _undecoded_bytes[0] - counted > found:
            bad = _undecoded(fields)
            if bad is not None:
                found += sum(len(_UNDECODED.findall(value)) for value in fields)
                yield Bad(start, bad)
                continue
        yield start, fields


def _csv_reason(e: csv.Error | None, start: int, end: int) -> str:
    message = str(e)
    if e is None or "field larger than field limit" in message:
        return (
            f"a field over {megabytes(MAX_DATASET_FIELD_CHARS)}, or a quote left open, from"
            f" line {start} to line {end}; those lines are skipped"
        )
    span = f"line {start}" if end <= start else f"lines {start} to {end}"
    return f"broken CSV quoting ({message}) in {span}; skipped"


def _undecoded(fields: list[str]) -> str | None:
    """Why a record is not UTF-8 text, or None when it is."""
    for n, value in enumerate(fields):
        if not value.isascii():
            found = _UNDECODED.search(value)
            if found is not None:
                return f"not UTF-8 text (field {n + 1}, character {found.start() + 1})"
    return None


def json_records(stream: IO[bytes]) -> Iterator[tuple[int, Any] | Bad]:
    """(line, value) of each JSON line; a `Bad` for a line that is not one JSON value in
    UTF-8, or is over the row limit (skipped without being held)."""
    readline = stream.readline
    limit = MAX_DATASET_ROW_BYTES
    n = 0
    while True:
        line = readline(limit + 1)
        if not line:
            return
        n += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = readline(1024 * 1024)
            yield Bad(n, f"a row over {megabytes(limit)}; skipped")
            continue
        if line.isspace():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            yield Bad(n, f"not UTF-8 text (byte {e.start + 1} of the line)")
            continue
        try:
            yield n, json.loads(text)
        except json.JSONDecodeError as e:
            yield Bad(n, f"not JSON ({e.msg}, column {e.colno})")
        except RecursionError:
            yield Bad(n, "JSON nested too deep")
