"""evcards speech: build the speech you are about to give from library cards, then export it."""

import sys
from typing import Annotated, Any

import typer

from evcards import formats
from evcards.cli.app import app, get_config, get_library

speech_app = typer.Typer(
    help="Speeches: your own blocks of cards and analytics, in order, exported as one"
    " document (Verbatim's send-to-speech). Kept in speeches/NAME.toml in the library.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(speech_app, name="speech")

Format = formats.WRITABLE
NUMBERS = "Items are numbered 1, 2, 3 ... through the whole speech, as `speech show` prints them."
NameArg = Annotated[
    str | None,
    typer.Argument(help="The speech (default: the current one, `speech use`).", metavar="[NAME]"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="As JSON.")]


def _echo_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"Warning: {warning}", err=True)


@speech_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="A short name, e.g. 1nc-michigan.")],
    title: Annotated[
        str | None,
        typer.Option("--title", "-t", help="The Pocket heading, e.g. '1NC vs Michigan KH'."),
    ] = None,
) -> None:
    """Make an empty speech (titled NAME unless --title) and make it the current speech."""
    from evcards.speeches import new_speech

    path = new_speech(get_library(create=True), name, title)
    typer.echo(f"Made speech {path.stem} ({path}); it is now the current speech.")


@speech_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """The library's speeches: items, words read and read time; * marks the current one."""
    from dataclasses import asdict

    from evcards.cli.output import print_json
    from evcards.speeches import list_speeches, plural
    from evcards.stats import duration

    lib = get_library()
    rows = list_speeches(lib, get_config().wpm)
    if as_json:
        print_json([{**asdict(r), "seconds": round(r.seconds, 1)} for r in rows])
    elif not rows:
        typer.echo(f"No speeches in {lib.root}. Make one with `evcards speech new NAME`.")
    for r in [] if as_json else rows:
        mark = "*" if r.current else " "
        if r.problem is None:
            typer.echo(
                f"{mark} {r.name:<20} {plural(r.items, 'item'):>9}  {r.words_read:>5} words"
                f"  {duration(r.seconds):>6}  {r.title}"
            )
        else:
            typer.echo(f"{mark} {r.name:<20} (cannot be read; see below)")
    broken = [r.problem for r in rows if r.problem]
    for problem in broken:
        typer.echo(f"Error: {problem}", err=True)
    if broken:
        raise typer.Exit(1)


@speech_app.command("rm")
def rm(name: Annotated[str, typer.Argument(help="The speech to delete.")]) -> None:
    """Delete a speech (its cards stay in the library)."""
    from evcards.speeches import remove_speech

    path = remove_speech(get_library(), name)
    typer.echo(f"Removed speech {path.stem} ({path}).")


@speech_app.command("use")
def use(name: NameArg = None) -> None:
    """Make NAME the current speech, which add, show, move, drop and export then work on when
    they are given no NAME. With no NAME, print the current speech."""
    from evcards.speeches import target, use_speech

    lib = get_library()
    if name is None:
        typer.echo(target(lib, None))
        return
    typer.echo(f"The current speech is now {use_speech(lib, name)}.")


@speech_app.command(
    "add",
    help="Add cards or analytics to a speech: the CARDs in order, then the best --query"
    " matches, then each --analytic, at the end of --block (default: the last block) or"
    f" before item --at. A card already in the speech is skipped. {NUMBERS}",
)
def add(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="The speech (if a speech has that name; else the current one), then cards:"
            " ids, id prefixes or card files, in order.",
            metavar="[NAME] [CARD]...",
        ),
    ] = None,
    block: Annotated[
        str | None,
        typer.Option(
            "--block", "-b", help="Under this Block heading, made if new (default: the last)."
        ),
    ] = None,
    hat: Annotated[
        str | None, typer.Option("--hat", help="A new block goes under this Hat heading.")
    ] = None,
    at: Annotated[
        int | None,
        typer.Option("--at", help="Insert before item AT (in its block) instead of appending."),
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Add the best matches of this search.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many --query matches to add.")
    ] = 3,
    analytic: Annotated[
        list[str] | None,
        typer.Option("--analytic", "-a", help="Add an analytic: a tag with no body (repeatable)."),
    ] = None,
) -> None:
    from evcards.speeches import add_items, split_name

    lib = get_library()
    name, refs = split_name(lib, args or [])
    done = add_items(
        lib,
        name,
        refs,
        block=block,
        hat=hat,
        at=at,
        query=query,
        limit=limit,
        analytics=analytic or [],
    )
    _echo_warnings(done.skipped)
    if not done.positions:
        typer.echo(f"Nothing added to {name}.")
        return
    count = len(done.positions)
    span = f"{done.positions[0]}" + (f"-{done.positions[-1]}" if count > 1 else "")
    new_block = " (new)" if done.created else ""
    noun = "item" if count == 1 else "items"
    typer.echo(f"Added {count} {noun} to {name}, block '{done.block}'{new_block}: {noun} {span}.")
    if done.taken:
        cards = "card" if done.taken == 1 else "cards"
        typer.echo(f"Took {done.taken} collection {cards} into the library to hold them.")


@speech_app.command(
    "move",
    help="Move item FROM so that it becomes item TO, in the block of the item now numbered TO;"
    f" or, TO being a block's heading, to the end of that block. {NUMBERS}",
)
def move(
    args: Annotated[list[str], typer.Argument(metavar="[NAME] FROM TO", show_default=False)],
) -> None:
    from evcards.speeches import move_item, target

    if len(args) not in (2, 3):
        raise typer.BadParameter("give FROM and TO (and the speech's NAME first, if not current)")
    lib = get_library()
    name = target(lib, args[0] if len(args) == 3 else None)
    source, dest = args[-2:]
    if not source.isdigit():
        raise typer.BadParameter(f"'{source}' is not an item number", param_hint="FROM")
    done = move_item(lib, name, int(source), dest)
    typer.echo(f"Moved item {source} to {dest} in {name}.")
    _echo_removed(done.removed_blocks)


def _echo_removed(blocks: list[str]) -> None:
    for heading in blocks:
        typer.echo(f"Block '{heading}' has no items left and was removed.")


@speech_app.command(
    "drop",
    help="Remove items from a speech by number: 3, or 5-7 for a range; a block left with no"
    f" items goes too. {NUMBERS}",
)
def drop(
    args: Annotated[list[str], typer.Argument(metavar="[NAME] POSITION...", show_default=False)],
) -> None:
    from evcards.speeches import drop_items, parse_positions, split_name

    lib = get_library()
    name, positions = split_name(lib, args)
    done = drop_items(lib, name, parse_positions(positions))
    noun = "item" if len(done.items) == 1 else "items"
    typer.echo(f"Dropped {len(done.items)} {noun} from {name}.")
    _echo_removed(done.removed_blocks)


@speech_app.command("show")
def show(
    name: NameArg = None,
    read: Annotated[
        bool, typer.Option("--read", "-r", help="Only what is read aloud, in order.")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help='{"name", "title", "blocks": [{"heading", "cards": [{"id", "tag",'
            ' "short_cite", "words_read"}]}], "words_read", "seconds"}; an analytic has'
            ' "id": null, a card no longer in the library "tag": null.',
        ),
    ] = False,
) -> None:
    """The speech's outline: each item's number, card id, short cite, tag and words read,
    with each block's and the whole speech's read time at your WPM (config `wpm`)."""
    from evcards.speechdoc import read_aloud, view_speech
    from evcards.speeches import target

    lib = get_library()
    name = target(lib, name)
    view = view_speech(lib, name, get_config().wpm)
    if as_json:
        from evcards.cli.output import print_json

        print_json(view.as_json())
    elif read:
        typer.echo("\n\n".join("\n".join(item) for item in read_aloud(view)))
    else:
        _print_outline(view)
    for row in view.missing:
        typer.echo(
            f"Warning: item {row.number}, card {row.id}, is no longer in the library;"
            f" `evcards speech drop {name} {row.number}` removes it",
            err=True,
        )


def _print_outline(view: Any) -> None:
    from rich.table import Table

    from evcards.cli.output import console
    from evcards.cli.tables import add_id_cite_columns
    from evcards.stats import duration

    out = console()
    count = len(view.rows)
    typer.echo(
        f"{view.title}  ({view.name}: {count} item{'s' if count != 1 else ''},"
        f" {view.words_read} words read, {duration(view.seconds)} at {view.wpm} wpm)"
    )
    if not count:
        typer.echo(f"No items yet: `evcards speech add {view.name} CARD... --block HEADING`.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right")
    add_id_cite_columns(table, out.width)
    table.add_column("tag", overflow="fold")
    table.add_column("read", justify="right")
    table.add_column("time", justify="right")
    for block in view.blocks:
        heading = " > ".join(p for p in (block.hat, block.heading) if p)
        seconds = duration(view.seconds_of(block))
        table.add_row("", "", "", heading, str(block.words_read), seconds, style="bold")
        for r in block.rows:
            if r.missing:
                was = f"{r.tag}: " if r.tag else ""
                tag = (
                    f"{was}no longer in the library (`evcards speech drop {view.name} {r.number}`)"
                )
                table.add_row(str(r.number), r.id[:8], r.short_cite, tag, "", "", style="red")
                continue
            ident = r.id[:8] if r.id else "analytic"
            table.add_row(str(r.number), ident, r.short_cite, r.tag, str(r.words_read), "")
    out.print(table)


@speech_app.command("export")
def export(
    name: NameArg = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Output file (.docx, .html, .txt, .md), or -."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"{'|'.join(Format)} (default: from the -o suffix)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
    no_page_breaks: Annotated[
        bool,
        typer.Option("--no-page-breaks", help="docx: no page break before each heading."),
    ] = False,
    read: Annotated[
        bool, typer.Option("--read", help="text/md: only the highlighted (spoken) words.")
    ] = False,
) -> None:
    """Export the speech: its title as the Pocket, its hats as Hats, its blocks as Blocks,
    the cards in your order, analytics as tags with no body."""
    from evcards.errors import BadOption
    from evcards.exporting import plan_export
    from evcards.speechdoc import export_speech
    from evcards.speeches import target
    from evcards.stats import summary_line

    if output is None:
        raise typer.BadParameter("give the file to write, e.g. -o 1nc.docx", param_hint="-o")
    if fmt is not None and fmt not in Format:
        raise typer.BadParameter(f"choose one of {', '.join(Format)}", param_hint="--format")
    lib = get_library()
    name = target(lib, name)
    try:
        plan = plan_export(output, fmt, read, False, force)
    except BadOption as e:
        raise typer.BadParameter(str(e), param_hint=e.option) from None
    done = export_speech(lib, name, plan, read=read, page_breaks=not no_page_breaks)
    if plan.path is None and isinstance(done.data, bytes):
        sys.stdout.buffer.write(done.data)
    elif plan.path is None:
        typer.echo(done.data, nl=False)
    where = f" to {plan.path}" if plan.path else ""
    typer.echo(f"Exported {name}: {summary_line(done.cards, get_config().wpm)}{where}", err=True)
