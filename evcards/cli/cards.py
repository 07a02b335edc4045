"""Commands on single cards and the library listing: show, list, add, edit, tag, rm, import."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from evcards import formats
from evcards.cli import filters as opts
from evcards.cli.app import app, check_labels, get_config, get_library
from evcards.cli.output import console, print_json

# What import reads, from the format registry.
IMPORT_PATHS_HELP = f"Files ({', '.join(formats.readable_suffixes())}), folders, or - for stdin."
CardArg = Annotated[
    str, typer.Argument(help="Card id, unambiguous id prefix, or card file.", metavar="CARD")
]


@app.command()
def show(
    card: CardArg,
    read: Annotated[bool, typer.Option("--read", "-r", help="Only what is read aloud.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The whole card as JSON.")] = False,
) -> None:
    """Print a card: tag, cite, and the body with its underlining and highlighting."""
    from evcards.cards import resolve

    lib = get_library()
    _, found = resolve(lib, card)
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    from evcards.cli.render import card_renderable

    out = console()
    out.print(card_renderable(found, get_config().wpm, read_only=read, color=not out.no_color))


class Sort(StrEnum):
    tag = "tag"
    cite = "cite"
    year = "year"
    words = "words"
    added = "added"


@app.command("list")
def list_cards(
    ctx: typer.Context,
    label: opts.LabelOpt = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            help="Most cards (default: a screenful on a terminal, all when piped or --json).",
            metavar="N",
            show_default=False,
        ),
    ] = None,
    sort: Annotated[
        Sort,
        typer.Option(help="Order: tag, cite (A-Z); year, words, added (newest, longest first)."),
    ] = Sort.added,
    kind: Annotated[
        opts.Kind | None,
        opts.opt("--kind", help="Only cards, or only analytics (default: cards first)."),
    ] = None,
    tag: opts.TagOpt = None,
    cite: opts.CiteOpt = None,
    body: opts.BodyOpt = None,
    author: opts.AuthorOpt = None,
    year: opts.YearOpt = None,
    pocket: opts.PocketOpt = None,
    hat: opts.HatOpt = None,
    block: opts.BlockOpt = None,
    file: opts.FileOpt = None,
    highlighted: opts.HighlightedOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array of cards.")] = False,
) -> None:
    """List the library's cards: short cite, tag, labels and words read (from the index)."""
    from evcards.index.catalog import list_cards as listing

    filters = opts.make_filters(ctx.params)
    lib = get_library()
    out = console()
    if limit is None and not as_json and out.is_terminal:
        limit = max(5, out.height - 5)  # a screenful: the header and a line of totals aside
    found = listing(
        lib.root, filters, kind=kind.value if kind else None, sort=sort.value, limit=limit
    )
    if as_json:
        print_json([r.as_json() for r in found.rows])
    else:
        _print_list(lib, out, found, filters)
    for message in found.invalid:
        # One bad hand edit hid the other thousand cards; list them, and name it at the end,
        # as import does with a file it cannot read.
        typer.echo(f"Error: {message}; fix the file in a text editor or move it out", err=True)
    if found.invalid:
        raise typer.Exit(1)


def _print_list(lib: Any, out: Any, found: Any, filters: Any) -> None:
    from evcards.index.query import Filters

    if not found.rows and filters.labels and filters == Filters(labels=filters.labels):
        # not "No cards in the library", which sent a debater with 1,000 cards to re-import
        typer.echo(f"No cards labelled {', '.join(sorted(filters.labels))} in {lib.root}.")
        return
    if not found.rows and filters != Filters():
        typer.echo(f"No cards match in {lib.root}.")
        return
    if not found.rows:
        typer.echo(f"No cards in {lib.root}. Add one with `evcards import FILE` or `evcards add`.")
        return
    from evcards.cli.tables import card_table

    table = card_table(out.width)
    table.add_column("labels", style="cyan")
    table.add_column("read", justify="right")
    for r in found.rows:
        table.add_row(r.id[:8], r.short_cite, r.tag, " ".join(r.labels), str(r.words_read))
    more = len(found.rows) < found.total
    if out.is_terminal and len(found.rows) + 4 > out.height:
        with out.pager(styles=True):
            out.print(table)
    else:
        out.print(table)
    if more:
        typer.echo(f"{len(found.rows)} of {found.total} cards; -n N for more, --sort to reorder.")


@app.command()
def add(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Argument(help="Markup file for the body, or - for stdin.", metavar="SOURCE"),
    ] = None,
    tag: Annotated[str, typer.Option("--tag", "-t", help="The tag (your claim).")] = "",
    short: Annotated[str, typer.Option("--short", "-s", help="Short cite, e.g. 'Meick 18'.")] = "",
    full: Annotated[
        str, typer.Option("--full", "-f", help="Full cite, the citation alone (not with --cite).")
    ] = "",
    cite_line: Annotated[
        str | None,
        typer.Option(
            "--cite",
            "-c",
            help="The cite as written, e.g. 'Meick 18 (Ethan Meick, ..., 9-2-2018, ...) ank':"
            " read into the short cite and fields; other cite options override what it finds.",
            metavar="LINE",
        ),
    ] = None,
    author: Annotated[str | None, typer.Option(help="Author.")] = None,
    quals: Annotated[str | None, typer.Option(help="Author's qualifications.")] = None,
    date: Annotated[str | None, typer.Option(help="Date of the source.")] = None,
    title: Annotated[str | None, typer.Option(help="Title.")] = None,
    publication: Annotated[str | None, typer.Option(help="Publication.")] = None,
    url: Annotated[str | None, typer.Option(help="URL.")] = None,
    accessed: Annotated[str | None, typer.Option(help="Date accessed.")] = None,
    initials: Annotated[
        str | None, typer.Option(help="Cutter's initials (default: from config).")
    ] = None,
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Label.")] = None,
) -> None:
    """Add a card whose body is written in evcards markup (see README), from a file or stdin.

    Give the cite as written with --cite (`SHORT (FULL) INI`, `SHORT [FULL] INI`, `SHORT, FULL`)
    and its short cite and fields are read from it; --short, --author etc. override them."""
    from evcards.cards import add_card, cite_options
    from evcards.errors import BadOption
    from evcards.formats.paste import read_text

    if source is None:
        if sys.stdin.isatty():
            raise typer.BadParameter(
                "give a markup file, or - to read the body from stdin", param_hint="SOURCE"
            )
        source = "-"
    if cite_line is not None and full:
        raise typer.BadParameter(
            "--cite and --full both give the full cite; give one", param_hint="--full"
        )
    text = read_text(source)
    config = get_config()
    check_labels(label)
    lib = get_library(create=True)
    try:
        result = add_card(
            lib,
            text,
            tag=tag,
            cite=cite_options(ctx.params),
            labels=label or [],
            default_highlight=config.highlight,
            cite_line=cite_line,
            default_initials=config.initials,
        )
    except BadOption as e:
        raise typer.BadParameter(str(e), param_hint=e.option) from None
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    verb = {"added": "Added", "merged": "Already had", "unchanged": "Already had"}[result.status]
    typer.echo(f"{verb} {result.card.id[:8]}  {result.path}")


@app.command()
def edit(card: CardArg) -> None:
    """Open a card's TOML in $EDITOR; invalid edits are explained and reopened, never lost.

    Change the short or full cite and leave author, date etc. as they were, and those fields
    are read again from the new cite; change one of them too, and your edit stands."""
    from evcards.cards import save_edit
    from evcards.cli.editing import edit_until_valid

    lib = get_library()
    path, found = lib.resolve(card)
    saved: list[Any] = []

    def save(edited: Any) -> Path:
        with lib.lock():
            saved.append(save_edit(lib, path, found, edited))
        return Path(saved[-1].path)

    if edit_until_valid(path.read_text(encoding="utf-8"), save) is None:
        typer.echo("No changes.")
        return
    done = saved[-1]
    typer.echo(f"Saved {done.card.id[:8]}  {done.path}")
    if done.rederived:
        typer.echo(f"Read from the new cite: {', '.join(done.rederived)}")
    for warning in done.warnings:
        typer.echo(f"Warning: {warning}", err=True)


@app.command()
def tag(
    args: Annotated[
        list[str],
        typer.Argument(
            help="CARD... [NEW_TAG]: the cards, then optionally the new tag.",
            metavar="CARD... [TAG]",
        ),
    ],
    new_tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="The new tag (instead of the last argument).")
    ] = None,
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Add a label.")] = None,
    unlabel: Annotated[list[str] | None, typer.Option("--unlabel", help="Remove a label.")] = None,
) -> None:
    """Set the tag of one or more cards, and add or remove labels (aff, neg, da, cp, k, t)."""
    from evcards.cards import retag, split_tag_args

    check_labels(label)
    lib = get_library()
    refs, tag_text = split_tag_args(lib, args, new_tag)
    if tag_text is None and not label and not unlabel:
        raise typer.BadParameter("say what to change: a new tag, --label or --unlabel")
    changed = retag(lib, refs, tag_text, label or [], unlabel or [])
    for card, _path in changed:
        labels = f"  [{', '.join(card.labels)}]" if card.labels else ""
        typer.echo(f"{card.id[:8]}  {card.tag}{labels}")


@app.command()
def rm(
    cards: Annotated[list[str], typer.Argument(help="Cards to delete.", metavar="CARD...")],
) -> None:
    """Delete cards from the library."""
    from evcards.cards import remove_cards

    lib = get_library()
    for card, _ in remove_cards(lib, cards):
        typer.echo(f"Removed {card.id[:8]}  {card.cite.short}  {card.tag}")


@app.command("import")
def import_(
    paths: Annotated[
        list[str],
        typer.Argument(help=IMPORT_PATHS_HELP, metavar="PATH..."),
    ],
    label: Annotated[
        list[str] | None, typer.Option("--label", "-l", help="Label every card.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The summary as one JSON object.")
    ] = False,
) -> None:
    """Import cards: pasted-text files (`SHORT (FULL CITE) INITIALS` then the body) and .docx."""
    from evcards.importing import expand, import_paths

    check_labels(label)
    lib = get_library(create=True)
    progress, task = _import_progress(len(expand(paths)))

    def on_error(path: str, message: str) -> None:
        progress.console.print(f"Error: {' '.join(message.split())}", markup=False, soft_wrap=True)

    def on_warning(path: str, message: str) -> None:
        progress.console.print(f"Warning: {path}: {message}", markup=False, soft_wrap=True)

    def on_file(path: str) -> None:
        progress.update(task, advance=1, name=Path(path).name, refresh=True)

    with progress:
        summary = import_paths(
            lib,
            paths,
            initials=get_config().initials,
            labels=label or [],
            on_error=on_error,
            on_file=on_file,
            on_warning=on_warning,
        )
    if as_json:
        print_json(summary.as_dict())
    else:
        console().print(_summary_table(summary.as_dict(), lib.root))
        typer.echo(f"{summary.seconds:.2f}s")
    if summary.failed:
        raise typer.Exit(1)


def _import_progress(total: int) -> tuple[Any, Any]:
    """A progress bar on stderr when it is a terminal, and its one task."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    err = console(stderr=True)
    progress = Progress(
        TextColumn("Importing"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        TextColumn("{task.fields[name]}", style="dim", markup=False),  # a file name as it is
        console=err,
        transient=True,
        disable=not err.is_terminal,
        auto_refresh=False,  # no refresh thread: parsing workers are forked from this process
    )
    return progress, progress.add_task("import", total=total, name="")


SUMMARY_COLUMNS = ("files", "cards", "analytics", "duplicates", "skipped", "failed")


def _summary_table(summary: dict[str, Any], root: Path) -> Any:
    from rich.table import Table

    table = Table(title=f"Imported into {root}", box=None, header_style="bold")
    for key in SUMMARY_COLUMNS:
        table.add_column(key, justify="right")
    table.add_row(*(str(summary[k]) for k in SUMMARY_COLUMNS))
    return table
