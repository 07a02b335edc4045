"""export and stats: cards out of the library as Word, HTML, text or dataset rows."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from evcards.cli.app import app, check_labels, fail, get_config, get_library
from evcards.cli.output import console, print_json


class Format(StrEnum):
    docx = "docx"
    html = "html"
    text = "text"
    md = "md"
    jsonl = "jsonl"
    csv = "csv"


CardsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Cards (id, id prefix or file), in order. None: the whole library.",
        metavar="[CARD]...",
    ),
]
LabelOpt = Annotated[
    list[str] | None, typer.Option("--label", "-l", help="Only cards with this label.")
]


@app.command()
def export(
    cards: CardsArg = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Add the cards matching this search.")
    ] = None,
    label: LabelOpt = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="Output format (default: from the -o suffix)."),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Output file, or - for stdout.")
    ] = None,
    flat: Annotated[
        bool, typer.Option("--flat", help="No Pocket/Hat/Block headings from locations.")
    ] = False,
    read: Annotated[
        bool, typer.Option("--read", help="text/md: only the highlighted (spoken) words.")
    ] = False,
    cite_request: Annotated[
        bool,
        typer.Option("--cite-request", help="text/md: first and last 15 words joined by AND."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Export cards as a Verbatim .docx, HTML for pasting into Word, text, Markdown, or
    OpenDebateEvidence JSONL/CSV rows. Prints a summary (cards, words read, read time)."""
    from evcards.exporting import (
        BINARY_FORMATS,
        READ_MODE_FORMATS,
        check_output,
        infer_format,
        render,
        select_cards,
        write_output,
    )
    from evcards.stats import summary_line

    check_labels(label)
    to_file = output is not None and output != "-"
    path = Path(output).expanduser() if to_file and output else None
    if path is not None and path.is_dir():
        check_output(path, force)  # before the format: a folder has no suffix to go by
    name = infer_format(output, fmt.value if fmt else None)
    if name is None:
        if output and output != "-":
            raise typer.BadParameter(
                f"cannot tell the format from '{Path(output).suffix or output}';"
                " give --format docx|html|text|md|jsonl|csv",
                param_hint="--format",
            )
        name = "text"
    if name in BINARY_FORMATS and (output is None or output == "-"):
        raise typer.BadParameter(
            f"{name} is a binary format; write it to a file with -o speech.{name}",
            param_hint="--output",
        )
    if (read or cite_request) and name not in READ_MODE_FORMATS:
        raise typer.BadParameter("--read and --cite-request apply to text and md only")
    if read and cite_request:
        raise typer.BadParameter("choose one of --read and --cite-request")
    if path is not None:
        check_output(path, force)  # refuse before doing the work
    chosen = select_cards(get_library(), cards or [], query, label or [])
    if not chosen:
        # A mistyped query before a round used to leave an empty speech doc and exit 0.
        asked = [f"--query {query!r}"] if query else []
        asked += [f"--label {lab}" for lab in label or []]
        if not asked:
            raise fail("the library has no cards, so nothing was exported; import some first")
        raise fail(
            f"no cards match {' and '.join(asked)}, so nothing was exported;"
            " try the same filters with `evcards search`"
        )
    data = render(
        chosen,
        name,
        flat=flat,
        read=read,
        cite_request=cite_request,
        title=path.stem if path else "",
    )
    if path is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            typer.echo(data, nl=False)
    else:
        write_output(path, data, force)
    where = f" to {path}" if path else ""
    typer.echo(f"Exported {summary_line(chosen, get_config().wpm)}{where}", err=True)


@app.command()
def stats(
    cards: CardsArg = None,
    label: LabelOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Per-card rows and totals as JSON.")
    ] = False,
) -> None:
    """Words read (tag + highlighted words) and read time at your WPM, per card and in total."""
    from evcards.exporting import select_cards
    from evcards.stats import card_stats, duration, stats_report, summary_line

    check_labels(label)
    wpm = get_config().wpm
    chosen = select_cards(get_library(), cards or [], None, label or [])
    if as_json:
        print_json({**stats_report(chosen, wpm), "wpm": wpm})
        return
    if not chosen:
        # As `list -l`: say why the table is empty rather than print an empty one.
        typer.echo("No cards" + (f" labelled {', '.join(label)}." if label else "."))
        return
    from evcards.cli.tables import card_table

    out = console()
    table = card_table(out.width)
    table.add_column("words read", justify="right")
    table.add_column("time", justify="right")
    for card in chosen:
        row = card_stats(card, wpm)
        table.add_row(
            row.id[:8], row.short_cite, row.tag, str(row.words_read), duration(row.seconds)
        )
    out.print(table)
    typer.echo(f"Total: {summary_line(chosen, wpm)}")
