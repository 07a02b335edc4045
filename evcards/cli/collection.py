"""`evcards collection add|list|rm|update` and `evcards take`: collections on the command line
(evcards.collections does the work)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evcards.cli.app import app, check_labels, get_library
from evcards.cli.output import print_json

if TYPE_CHECKING:
    from evcards.collections.building import BuildResult
    from evcards.formats.rowstream import BadRow

collection_app = typer.Typer(
    help="Read-only corpora (OpenDebateEvidence, DebateSum) searched beside your library.",
    no_args_is_help=True,
)
app.add_typer(collection_app, name="collection")

SHOWN_BAD = 5  # bad rows printed one by one; the rest are counted
NameArg = Annotated[
    str, typer.Argument(help="The collection's name (letters, digits, - and _).", metavar="NAME")
]


class Format(StrEnum):
    ode = "ode"
    debatesum = "debatesum"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class _Bad:
    """Bad rows as the build reports them: the first few printed, the rest counted."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, row: BadRow) -> None:
        self.count += 1
        if self.count <= SHOWN_BAD:
            typer.echo(f"Skipped {row.file}, row {row.row}: {row.reason}", err=True)


def _interrupted() -> Any:
    from evcards.errors import Interrupted

    return Interrupted("the collection was not changed; no partial files are left in use")


def _summary(verb: str, result: BuildResult, bad: _Bad) -> None:
    rate = result.rows_read / result.seconds if result.seconds else 0.0
    files = len(result.sources)
    line = (
        f"{verb} collection {result.name}: {result.cards:,} cards from {files} "
        f"file{'s' if files != 1 else ''} in {result.seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    if result.kept:
        line += f"; the rows of {', '.join(result.kept)} kept (unchanged)"
    if result.bad:
        more = result.bad - min(result.bad, SHOWN_BAD)
        extra = f" ({more:,} not shown)" if more else ""
        line += f"; {result.bad:,} bad rows skipped{extra}"
    typer.echo(line + ".")


@collection_app.command("add")
def add(
    name: NameArg,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Dataset files: CSV or JSONL (OpenDebateEvidence, DebateSum).", metavar="PATH..."
        ),
    ],
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="The files' layout (default: from the columns)."),
    ] = None,
) -> None:
    """Build a collection from dataset files (replacing one of the same name when done)."""
    from evcards.cli.progress import rows_progress
    from evcards.collections.building import build

    bad = _Bad()
    try:
        with rows_progress() as progress:
            result = build(name, paths, fmt.value if fmt else None, progress, bad)
    except KeyboardInterrupt:
        raise _interrupted() from None
    _summary("Built", result, bad)


@collection_app.command("list")
def list_collections(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False,
) -> None:
    """Every collection: cards, size on disk, sources and when it was built."""
    from evcards.collections.manage import list_collections as listed

    found = listed()
    if as_json:
        print_json([f.as_json() for f in found])
        return
    if not found:
        typer.echo("No collections yet; `evcards collection add NAME FILE...` makes one.")
        return
    from rich.table import Table

    from evcards.cli.output import console

    table = Table(box=None, header_style="bold")
    for column in ("name", "cards", "size", "sources", "built"):
        table.add_column(column, justify="right" if column in ("cards", "size") else "left")
    for f in found:
        names = ", ".join(Path(s.path).name for s in f.sources)
        table.add_row(f.name, f"{f.cards:,}", f"{f.size_bytes / 1e6:.1f} MB", names, f.built)
    console().print(table)


@collection_app.command("rm")
def rm(name: NameArg) -> None:
    """Remove a collection and its files (the dataset files it was built from stay)."""
    from evcards.collections.manage import remove

    gone = remove(name)
    typer.echo(f"Removed collection {gone.name} ({gone.cards:,} cards).")


@collection_app.command("update")
def update(name: NameArg) -> None:
    """Rebuild a collection if any of its dataset files changed since it was built."""
    from evcards.cli.progress import rows_progress
    from evcards.collections.manage import update as updated

    bad = _Bad()
    try:
        with rows_progress() as progress:
            done = updated(name, progress, bad)
    except KeyboardInterrupt:
        raise _interrupted() from None
    if done.result is None:
        typer.echo(f"Collection {name} is unchanged: none of its files changed.")
        return
    _summary("Rebuilt", done.result, bad)


@app.command()
def take(
    cards: Annotated[
        list[str],
        typer.Argument(help="Ids or id prefixes of collection cards.", metavar="ID..."),
    ],
    label: Annotated[
        list[str] | None,
        typer.Option("--label", "-l", help="Label the cards taken.", metavar="LABEL"),
    ] = None,
) -> None:
    """Copy collection cards into your library as card files."""
    from evcards.collections.taking import take as taken

    check_labels(label)
    lib = get_library(create=True)
    for item in taken(lib, cards, tuple(label or ())):
        what = f"{item.found.id[:8]} ({item.found.where})"
        if item.status == "added":
            typer.echo(f"Took {what} -> {item.path}")
        else:
            typer.echo(f"{what} is already in the library: {item.path}")
