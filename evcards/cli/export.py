"""export and stats: cards out of the library as Word, HTML, text or dataset rows."""

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from evcards import formats
from evcards.cli.app import app, check_labels, get_config, get_library
from evcards.cli.output import NoPagerOpt, console, limit_opt, print_json

if TYPE_CHECKING:
    from rich.console import Console

    from evcards.stats import LibraryStats

# --format's choices and the help that names formats, from the format registry.
Format = StrEnum("Format", {name: name for name in formats.WRITABLE})  # type: ignore[misc]
READ_MODES = "/".join(f.name for f in formats.FORMATS if f.read_mode)
EXPORT_HELP = (
    f"Export cards as {formats.writer_list()}. Prints a summary (cards, words read, read time)."
)

CardsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Cards (id, id prefix or file), in order. None: the whole library.",
        metavar="[CARD]...",
    ),
]
Order = StrEnum("Order", {name: name for name in ("doc", "rank", "given")})  # type: ignore[misc]
ORDER_HELP = (
    "doc: each source file's cards together, in the file's order, under its headings;"
    " rank: best --query match first; given: the order CARDs are named in, then the"
    " matches. Default: given when you name CARDs, else doc."
)
LabelOpt = Annotated[
    list[str] | None, typer.Option("--label", "-l", help="Only cards with this label.")
]


@app.command(help=EXPORT_HELP)
def export(
    cards: CardsArg = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Add the cards matching this search.")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, metavar="N", help="With -q: only the best N matches."),
    ] = None,
    order: Annotated[Order | None, typer.Option("--order", help=ORDER_HELP)] = None,
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
        bool, typer.Option("--read", help=f"{READ_MODES}: only the highlighted (spoken) words.")
    ] = False,
    cite_request: Annotated[
        bool,
        typer.Option(
            "--cite-request", help=f"{READ_MODES}: first and last 15 words joined by AND."
        ),
    ] = False,
    no_page_breaks: Annotated[
        bool,
        typer.Option(
            "--no-page-breaks",
            help="docx: Pocket, Hat and Block start no new page (a compact doc to read from).",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    from evcards.errors import BadOption
    from evcards.exporting import choose_order, export_cards, plan_export

    check_labels(label)
    breaks = not no_page_breaks
    try:
        how = choose_order(order.value if order else None, cards or [], query, limit)
        plan = plan_export(output, fmt.value if fmt else None, read, cite_request, force, breaks)
    except BadOption as e:
        raise typer.BadParameter(str(e), param_hint=e.option) from None
    done = export_cards(
        get_library(),
        plan,
        cards or [],
        query,
        label or [],
        flat=flat,
        read=read,
        cite_request=cite_request,
        order=how,
        limit=limit,
        page_breaks=breaks,
        stdout=sys.stdout.buffer,  # a library's jsonl or csv is written as it is made
    )
    for warning in done.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if plan.path is None and isinstance(done.data, bytes):
        sys.stdout.buffer.write(done.data)
    elif plan.path is None:
        typer.echo(done.data, nl=False)
    where = f" to {plan.path}" if plan.path else ""
    typer.echo(f"Exported {done.summary(get_config().wpm)}{where}", err=True)


@app.command()
def stats(
    cards: CardsArg = None,
    label: LabelOpt = None,
    limit: Annotated[
        int | None,
        limit_opt("Rows for the first N cards (default: a screenful; with --json, none)."),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="A row for every card.")] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Totals as JSON, and the rows asked for by -n or --all."),
    ] = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Words read (tag + highlighted words) and read time at your WPM, in total and per card.

    The totals count every card; rows are shown for the CARDs named, else for a screenful
    of the library (sorted by file) with a line saying how many more: --all or -n N for
    more. --json gives the rows only with --all or -n."""
    from evcards.stats import library_stats, stats_report

    check_labels(label)
    wpm = get_config().wpm
    from evcards.cli.plain import plain_size

    # Off a terminal no Rich console is made: the table is drawn as plain text (cli.plain).
    size = plain_size()
    out = console() if size is None else None
    height = out.height if out is not None else size[1]  # type: ignore[index]
    if every:
        limit = None
    elif limit is None:
        limit = 0 if as_json else max(5, height - 5)  # as `list`: a screenful
    found = library_stats(get_library(), cards or [], label or [], wpm, limit)
    if as_json:
        print_json({**stats_report(found), "wpm": wpm})
        return
    if not found.totals.cards:
        # As `list -l`: say why the table is empty rather than print an empty one.
        typer.echo("No cards" + (f" labelled {', '.join(label)}." if label else "."))
        return
    _print_stats(out, found, no_pager, height)


def _print_stats(out: "Console | None", found: "LibraryStats", no_pager: bool, height: int) -> None:
    """The table (through Rich on `out`, else as plain text `height` lines to a screen)."""
    from evcards.cli.tables import Col, card_columns, draw_table
    from evcards.stats import duration, summary

    def columns(width: int) -> list[Col]:
        return [
            *card_columns(width),
            Col("words read", justify="right"),
            Col("time", justify="right"),
        ]

    rows = [
        [row.id[:8], row.short_cite, row.tag, str(row.words_read), duration(row.seconds)]
        for row in found.rows
    ]
    footer = f"Total: {summary(found.totals)}\n"
    if found.more:
        footer += (
            f"Rows for {len(found.rows)} of {found.totals.cards} cards; --all or -n N for more.\n"
        )
    if not found.rows:  # the totals alone
        from evcards.cli import pager

        if out is None:
            pager.show(footer, no_pager=no_pager, height=height)
        else:
            pager.page(out, no_pager=no_pager, footer=footer)
        return
    draw_table(columns, rows, page=True, no_pager=no_pager, footer=footer, out=out)
