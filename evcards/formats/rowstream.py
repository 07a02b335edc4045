"""Dataset rows read one at a time, for collections (`evcards collection add`).

A collection's files hold millions of rows (OpenDebateEvidence: a CSV a year, 1.4 to 10.5
GB), so they are streamed: `read_dataset` yields each row as it is read, as a `DatasetRow`
(the card and the dataset's own facts about it) or a `BadRow` (where and why it was
skipped), and never holds a file in memory. `DatasetReader.bytes_read` says how far it has
got, for a progress bar's ETA: bytes of the files on disk, compressed bytes for a `.gz` or
`.zst` file (`rowsource`).

What a file holds is read from it, not from its name: the container from its first bytes
(parquet, a JSON line, else CSV) and the layout from its columns (OpenDebateEvidence and
evcards' own export rows; DebateSum's CSV and its JSONL wrapping). `fmt` names either, when
sniffing should not decide. A file that is no dataset at all is one `InputFileError` when
its rows are first asked for; a row that is broken is a `BadRow`, and reading goes on
(`rowread` bounds each record, `odemarkup` the work one row's markup may cost).

A collection card has one source, the file and row it came from; the dataset's
duplicateCount is `DatasetRow.duplicates`, not a source per sighting as `evcards import`
keeps it (a row counted 500 times would build 500 sources).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from evcards.core.models import Card
from evcards.errors import InputFileError

FORMATS = ("ode", "debatesum", "jsonl", "csv", "parquet")
LAYOUTS = ("ode", "debatesum")
CONTAINERS = ("jsonl", "csv", "parquet")


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
    marked: Any = None  # the body as (text, Marks) pairs (`card.body` holds them or is empty)

    def body_pairs(self) -> Any:
        """The card's body as (text, Marks) pairs: `marked`, or read from its Spans."""
        if self.marked is not None:
            return self.marked
        return [[(s.text, s.marks()) for s in para] for para in self.card.body]


class BadRow(NamedTuple):
    """A row that could not be read, and why; the build skips it and counts it."""

    file: str
    row: int
    reason: str


Item = DatasetRow | BadRow


class DatasetReader:
    """The rows of `paths`, one at a time; `bytes_read` of `total_bytes` so far."""

    def __init__(
        self, paths: Iterable[Path], fmt: str | None = None, cites: bool = True, spans: bool = True
    ) -> None:
        if fmt is not None and fmt not in FORMATS:
            raise InputFileError(f"unknown dataset format '{fmt}'; use one of {', '.join(FORMATS)}")
        self.paths = list(paths)
        self.fmt = fmt
        self.cites = cites
        self.spans = spans
        self.total_bytes = sum(p.stat().st_size for p in self.paths)
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Item]:
        from evcards.formats.rowfile import file_rows

        done = 0
        for path in self.paths:
            progress: list[Callable[[], int]] = []
            for item in file_rows(path, self.fmt, progress, self.cites, self.spans):
                self.bytes_read = done + progress[0]()
                yield item
            done += path.stat().st_size
            self.bytes_read = done


def read_dataset(
    paths: Iterable[Path], fmt: str | None = None, *, cites: bool = True, spans: bool = True
) -> DatasetReader:
    """The rows of dataset files; `fmt` one of FORMATS, or None to read it from each file.
    `cites=False` leaves each cite paragraph unparsed (`Cite.short` and `Cite.full` only,
    and the `cite_*` columns of our own rows): parsing one is most of a row's cost, and a
    build can do it in worker processes (`citeline.reparsed`) or not at all.
    `spans=False`: an OpenDebateEvidence row's card comes with its body empty and the body
    as (text, Marks) pairs in `DatasetRow.marked` (`body_pairs()`), no Span built: a
    collection build writes and indexes the pairs (bench/README.md, "Collections")."""
    return DatasetReader(paths, fmt, cites, spans)


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


_SIDES = {"a": "A", "aff": "A", "n": "N", "neg": "N"}


def ode_facts(row: dict[str, Any]) -> dict[str, Any]:
    """The round facts of an OpenDebateEvidence row, as DatasetRow's fields."""
    return {
        "event": _text(row, "event").lower(),
        "side": _SIDES.get(_text(row, "side").lower(), ""),
        "level": _text(row, "level").lower(),
        "year": _whole(row.get("year")) or None,
        "caselist": _text(row, "caselistName"),
        "team": _text(row, "teamName") or _text(row, "teamId"),
        "duplicates": max(_whole(row.get("duplicateCount")) or 0, 0),
    }


def _whole(value: Any) -> int | None:
    """A whole number as CSV ("3"), JSON (3) or parquet (3.0, from a column with nulls)
    give it; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
