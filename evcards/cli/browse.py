"""`evcards browse`: find cards as you type, in the terminal (evcards.tui.browse).

Textual is imported only inside the command, so `evcards --help`, which loads this module to
list the commands, never loads it."""

import sys
from typing import Annotated

import typer

from evcards.cli import filters as opts
from evcards.cli.app import app, fail, get_library


@app.command()
def browse(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help="What to search for first (empty: the newest cards); edit it in the box.",
            show_default=False,
            metavar="[QUERY]",
        ),
    ] = "",
    label: opts.LabelOpt = None,
    year: opts.YearOpt = None,
    raw: Annotated[
        bool,
        opts.opt("--raw", help="Queries are tantivy syntax, as `search --raw` (ctrl+r toggles)."),
    ] = False,
) -> None:
    """Find cards as you type: the results, and the card under the cursor with its formatting.

    Keys: type to search, down or enter to the results; enter opens the card in `mark`, `a`
    adds it to the current speech (`evcards speech use`), `l` sets its labels, `t` takes a
    collection card into the library, `/` goes back to the search box, `q` quits."""
    if not in_terminal():
        raise fail("evcards browse needs a terminal; in a script, use `evcards search QUERY`")
    filters = opts.make_filters(ctx.params)
    lib = get_library()
    if not lib.root.is_dir():  # an Error: line, not a screen with a notice
        from evcards.errors import LibraryError

        raise LibraryError(
            f"{lib.root}: no library here yet; add cards with `evcards import FILE` or"
            " `evcards add`"
        )
    # The index is opened and synced by the screen's first search, in a thread, while the
    # screen is drawn: Textual's start-up and the search overlap.
    from evcards.tui.browse import BrowseApp, BrowseScreen

    screen = BrowseScreen(lib, query, filters, raw=raw)  # the config is read at first use
    BrowseApp(screen).run()


def in_terminal() -> bool:
    """Whether the keys come from a terminal and the screen goes to one (Textual draws on
    stderr, so `evcards browse > file` still works)."""
    return sys.stdin.isatty() and sys.stderr.isatty()
