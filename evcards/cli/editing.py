"""Editing a card's TOML in the user's $EDITOR until it is valid, losing nothing."""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from evcards.cli.app import fail

# Editor runs before giving up: only a scripted editor saves that many new, invalid texts.
MAX_OPENINGS = 50


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


def choose_editor(
    env: Mapping[str, str], which: Callable[[str], str | None] = shutil.which
) -> tuple[str, str | None]:
    """The editor to run: $VISUAL, else $EDITOR, else nano when installed, else vi; and, for
    a fallback, one line that says which (a debater who never set $EDITOR was dropped in vi
    with no word of how to leave it)."""
    chosen = env.get("VISUAL") or env.get("EDITOR")
    if chosen:
        return chosen, None
    unset = "$VISUAL and $EDITOR are not set; set EDITOR to choose your editor"
    if which("nano"):
        return "nano", f"Opening nano ({unset}; save with Ctrl-O, quit with Ctrl-X)."
    return "vi", f"Opening vi ({unset}; save and quit with Esc, then :wq)."


def run_editor(editor: str, path: Path) -> None:
    from evcards.errors import EvcardsError

    try:
        # After `evcards cut -` stdin is the piped page; a terminal editor needs the terminal.
        with _terminal_stdin() as stdin:
            subprocess.run([*shlex.split(editor), str(path)], check=False, stdin=stdin)
    except FileNotFoundError:
        raise EvcardsError(
            f"editor '{editor}' not found; set $EDITOR to your editor (e.g. EDITOR=nano)"
        ) from None


def edit_until_valid(
    initial: str, save: Callable[[Any], Path], *, unchanged: str | None = None
) -> tuple[Any, Path] | None:
    """Open `initial` (card TOML) in the editor; validate and `save` it, reopening on errors.

    Text that comes back unchanged returns None (`edit`: no changes), or with `unchanged`
    (`cut`: a draft saved as it was is not a card) gives up with that message. Giving up
    (there, or when the same invalid text is saved twice) is an Error that names the temp
    file keeping the text.
    """
    from evcards.errors import EvcardsError
    from evcards.store import cardfile

    fd, tmp_name = tempfile.mkstemp(prefix="evcards-edit-", suffix=".toml")
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.write_text(initial, encoding="utf-8")
    editor, note = choose_editor(os.environ)
    if note:
        typer.echo(note, err=True)
    last_bad: str | None = None
    for _ in range(MAX_OPENINGS):
        run_editor(editor, tmp)
        text = tmp.read_text(encoding="utf-8", errors="replace")
        if text == initial:
            if unchanged is not None:
                raise fail(f"{unchanged}. Nothing was saved; your text is kept in {tmp}")
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
    # Only an editor run by a script gets here: one whose every edit is new and invalid.
    raise fail(
        f"{MAX_OPENINGS} edits in a row were invalid. Nothing was saved; your text is kept in {tmp}"
    )
