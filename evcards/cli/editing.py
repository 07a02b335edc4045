"""Editing a card's TOML in the user's $EDITOR until it is valid, losing nothing."""

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from evcards.cli.app import fail


@contextmanager
def _terminal_stdin() -> Iterator[Any]:
    if sys.stdin is not None and sys.stdin.isatty():
        yield None
        return
    try:
        tty = open("/dev/tty", "rb")  # noqa: SIM115 - closed below
    except OSError:
        yield None  # no terminal at all (tests, CI): the editor gets what we have
        return
    with tty:
        yield tty


def run_editor(path: Path) -> None:
    from evcards.errors import EvcardsError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        # After `evcards cut -` stdin is the piped page; a terminal editor needs the terminal.
        with _terminal_stdin() as stdin:
            subprocess.run([*shlex.split(editor), str(path)], check=False, stdin=stdin)
    except FileNotFoundError:
        raise EvcardsError(
            f"editor '{editor}' not found; set $EDITOR to your editor (e.g. EDITOR=nano)"
        ) from None


def edit_until_valid(
    initial: str, save: Callable[[Any], Path], *, accept_unchanged: bool = False
) -> tuple[Any, Path] | None:
    """Open `initial` (card TOML) in the editor; validate and `save` it, reopening on errors.

    Returns None when the user saved nothing new (unless accept_unchanged). Saving the same
    invalid text twice gives up with an Error that names the temp file holding the text.
    """
    from evcards.errors import EvcardsError
    from evcards.store import cardfile

    fd, tmp_name = tempfile.mkstemp(prefix="evcards-edit-", suffix=".toml")
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.write_text(initial, encoding="utf-8")
    last_bad: str | None = None
    while True:
        run_editor(tmp)
        text = tmp.read_text(encoding="utf-8", errors="replace")
        if text == initial and not accept_unchanged:
            tmp.unlink()
            return None
        try:
            card = cardfile.loads(text, "edited card")
            path = save(card)
        except EvcardsError as e:
            if text == last_bad:
                raise fail(
                    f"{e}. Nothing was saved; your text is kept in {tmp}", detail=e.detail
                ) from None
            last_bad = text
            typer.echo(f"Error: {' '.join(str(e).split())}", err=True)
            for line in e.detail:  # a markup mistake's line, with a caret under it
                typer.echo(f"  {line}", err=True)
            typer.echo(
                "Reopening the editor with your text; save it unchanged to give up.", err=True
            )
            continue
        tmp.unlink()
        return card, path
