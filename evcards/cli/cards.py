"""Commands on single cards and the library listing: show, list, add, edit, tag, rm, import."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from evcards import formats
from evcards.cli import filters as opts
from evcards.cli.app import app, check_labels, get_config, get_library
from evcards.cli.output import NoPagerOpt, console, limit_opt, print_json

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
    no_pager: NoPagerOpt = False,
) -> None:
    """Print a card: tag, cite, and the body with its underlining and highlighting.

    On a terminal a card longer than the screen goes through $PAGER (default: less)."""
    lib = get_library()
    from evcards.showing import shown_anywhere

    _, found, stored = shown_anywhere(lib, card)  # a collection card: `stored` is it
    if as_json:
        from evcards.cards import resolve

        whole = stored if stored is not None else resolve(lib, card)[1]
        print_json(whole.model_dump(mode="json"))
        return
    from evcards.cli import pager
    from evcards.cli.plain import card_text, plain_size

    wpm = get_config().wpm
    size = plain_size()  # off a terminal, plain text laid out as Rich would (cli.plain)
    text = card_text(found, wpm, size[0], read_only=read) if size is not None else None
    if size is not None and text is not None:
        pager.show(text, no_pager=no_pager, height=size[1])
        return
    from evcards.cli.render import card_renderable

    out = console()
    pager.page(
        out, card_renderable(found, wpm, read_only=read, color=not out.no_color), no_pager=no_pager
    )


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
        limit_opt("Most cards (default: a screenful on a terminal, all when piped or --json)."),
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
    no_pager: NoPagerOpt = False,
) -> None:
    """List the library's cards: short cite, tag, labels and words read (from the index).

    On a terminal a list longer than the screen goes through $PAGER (default: less)."""
    from evcards.index.catalog import list_cards as listing

    filters = opts.make_filters(ctx.params)
    lib = get_library()
    from evcards.cli.plain import plain_size

    # Off a terminal no Rich console is made: the table is drawn as plain text (cli.plain).
    out = console() if plain_size() is None else None
    if limit is None and not as_json and out is not None and out.is_terminal:
        limit = max(5, out.height - 5)  # a screenful: the header and a line of totals aside
    found = listing(
        lib.root, filters, kind=kind.value if kind else None, sort=sort.value, limit=limit
    )
    if as_json:
        print_json([r.as_json() for r in found.rows])
    else:
        _print_list(lib, out, found, filters, no_pager)
    for message in found.invalid:
        # One bad hand edit hid the other thousand cards; list them, and name it at the end,
        # as import does with a file it cannot read.
        typer.echo(f"Error: {message}; fix the file in a text editor or move it out", err=True)
    if found.invalid:
        raise typer.Exit(1)


def _print_list(lib: Any, out: Any, found: Any, filters: Any, no_pager: bool) -> None:
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
    from evcards.cli.tables import Col, card_columns, draw_table

    def columns(width: int) -> list[Col]:
        return [*card_columns(width), Col("labels", style="cyan"), Col("read", justify="right")]

    rows = [
        [r.id[:8], r.short_cite, r.tag, " ".join(r.labels), str(r.words_read)] for r in found.rows
    ]
    more = ""
    if len(found.rows) < found.total:
        more = f"{len(found.rows)} of {found.total} cards; -n N for more, --sort to reorder.\n"
    draw_table(columns, rows, page=True, no_pager=no_pager, footer=more, out=out)


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
            help="The cards; the last argument is the new tag only when it cannot be a card"
            " (several words, or a word that is not hex digits: 'Uniqueness'). Prefer --tag.",
            metavar="CARD... [TAG]",
        ),
    ],
    new_tag: Annotated[
        str | None,
        typer.Option(
            "--tag", "-t", help="The new tag; then every argument is a card.", metavar="TEXT"
        ),
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", "-l", help="Add a label.", metavar="LABEL")
    ] = None,
    unlabel: Annotated[
        list[str] | None, typer.Option("--unlabel", help="Remove a label.", metavar="LABEL")
    ] = None,
) -> None:
    """Set the tag of one or more cards, and add or remove labels (aff, neg, da, cp, k, t).

    `evcards tag 62e6 -t "No alliance"`. Without --tag, a last argument that could be a card
    id (hex digits such as `ad`, `be`, `cafe`) or a card file is read as a card, never as the
    tag. Labels are stored in lower case, with `-` for spaces and `_` (`China DA` is
    `china-da`)."""
    from evcards.cards import retag, split_tag_args

    check_labels(label)
    check_labels(unlabel)
    lib = get_library()
    refs, tag_text = split_tag_args(lib, args, new_tag)
    if tag_text is None and not label and not unlabel:
        raise typer.BadParameter(
            "say what to change: --tag TEXT, --label or --unlabel (a last argument that could"
            " be a card id is read as a card, so give such a tag with --tag)"
        )
    changed = retag(lib, refs, tag_text, label or [], unlabel or [])
    for card, _path in changed:
        labels = f"  [{', '.join(card.labels)}]" if card.labels else ""
        typer.echo(f"{card.id[:8]}  {card.tag}{labels}")


@app.command()
def rm(
    cards: Annotated[list[str], typer.Argument(help="Cards to remove.", metavar="CARD...")],
    purge: Annotated[
        bool, typer.Option("--purge", help="Delete for good instead of moving to the trash.")
    ] = False,
) -> None:
    """Remove cards from the library to its trash; `evcards restore` puts them back.

    The trash is `.evcards/trash/` in the library: search, list and export never see it.
    --purge deletes the cards for good."""
    from evcards.cards import remove_cards

    lib = get_library()
    removed = remove_cards(lib, cards, purge=purge)
    verb = "Deleted" if purge else "Removed"
    for card, _ in removed:
        typer.echo(f"{verb} {card.id[:8]}  {card.cite.short}  {card.tag}")
    if not purge:
        which = "it" if len(removed) == 1 else "them"
        typer.echo(f"In the trash: `evcards restore` puts {which} back.")


@app.command()
def restore(
    cards: Annotated[
        list[str] | None,
        typer.Argument(
            help="Removed cards (id or id prefix); none: the last rm's.", metavar="[CARD...]"
        ),
    ] = None,
    list_trash: Annotated[
        bool, typer.Option("--list", help="List the trash, the latest removal first.")
    ] = False,
) -> None:
    """Put cards that `evcards rm` removed back where they were.

    With no CARD it undoes the last rm: every card it removed comes back. A card whose id is
    in the library again (imported or cut after it was removed) is not restored over it."""
    from evcards.cards import restore_cards, trash_contents

    lib = get_library()
    if list_trash:
        if cards:
            raise typer.BadParameter("--list lists the whole trash; give no CARD with it")
        _print_trash(trash_contents(lib), lib.root)
        return
    for item in restore_cards(lib, cards or []):
        typer.echo(f"Restored {_trash_line(item)}  {item.path}")


def _trash_line(item: Any) -> str:
    if item.card is None:
        return f"{item.id[:8] or '?':8}  (does not read as a card)"
    return f"{item.id[:8]}  {item.card.cite.short}  {item.card.tag}"


def _print_trash(items: list[Any], root: Path) -> None:
    if not items:
        typer.echo(f"The trash of {root} is empty.")
        return
    for item in items:
        when = item.removed.astimezone().strftime("%Y-%m-%d %H:%M") if item.removed else "?"
        typer.echo(f"{when:16}  {_trash_line(item)}")
    typer.echo("`evcards restore CARD` puts one back; `evcards restore` the last rm's.")


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
        if summary.left_out:
            typer.echo(_left_out_line(summary.left_out))
        typer.echo(f"{summary.seconds:.2f}s")
    if summary.failed:
        raise typer.Exit(1)


def _left_out_line(left_out: dict[str, int]) -> str:
    """The files in the folders that import does not read, by kind, in one line: a folder of
    .doc and .pdf files used to give a summary of 0 cards and not a word about them."""
    total = sum(left_out.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(left_out.items(), key=lambda kv: -kv[1]))
    files = "1 file" if total == 1 else f"{total} files"
    return (
        f"Left out {files} of the folders: {kinds};"
        " `evcards import FILE` imports one by name, or says why it cannot"
    )


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
