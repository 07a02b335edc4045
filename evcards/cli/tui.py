"""`evcards mark`: the full-screen commands, whose modules load Textual only when they run."""

import sys
from typing import Annotated

import typer

from evcards.cli.app import app, fail, get_library

CardArg = Annotated[
    str, typer.Argument(help="Card id, unambiguous id prefix, or card file.", metavar="CARD")
]


def need_terminal(command: str, instead: str) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise fail(f"`evcards {command}` needs a terminal (stdin and stdout); {instead}")


@app.command()
def mark(card: CardArg) -> None:
    """Mark a card full screen with Verbatim's keys: select words with shift+arrows or the
    mouse, then F9 (u) underline, F10 (e) emphasis, F11 (h) highlight, F12 (x) clear.

    F3 condenses, Alt+F3 (s) shrinks, c cycles the highlight colour, F7 edits the tag, F8
    the cite, l the labels; ctrl+z undoes, ctrl+y redoes, ctrl+s saves (the id follows the
    marks, the old file replaced), q quits, asking first when there are unsaved changes."""
    lib = get_library()
    path, found = lib.resolve(card)  # an unknown card is an Error before the screen opens
    need_terminal("mark", "`evcards edit CARD` changes a card in your editor")
    from evcards.tui.mark import MarkApp

    saved = MarkApp(lib.root, str(path)).run()
    if saved is not None:
        typer.echo(f"Saved {saved.card.id[:8]}  {saved.path}")
