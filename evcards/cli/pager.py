"""Output longer than the screen goes through a pager, on a terminal only (`show` of a long
card scrolled away before it could be read)."""

import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import Any

# less: quit when it all fits, pass colours through, leave the text on the screen after.
_LESS_DEFAULTS = "FRX"


def wants_pager(*, is_terminal: bool, no_pager: bool, lines: int, height: int) -> bool:
    """Page only text taller than the screen, going to a terminal, and not with --no-pager:
    piped or redirected output is never paged."""
    return is_terminal and not no_pager and lines >= height


def pager_command(
    env: Mapping[str, str], which: Callable[[str], str | None] = shutil.which
) -> list[str] | None:
    """$PAGER (empty or `cat`: no pager), else less, else more; None for none at all."""
    chosen = env.get("PAGER")
    if chosen is not None:
        words = shlex.split(chosen)
        return None if not words or words == ["cat"] else words
    for name in ("less", "more"):
        if which(name):
            return [name]
    return None


def show(text: str, *, no_pager: bool, height: int) -> None:
    """Write `text` (already rendered, with its colours) to stdout, through a pager when
    `wants_pager` says so."""
    tty = sys.stdout.isatty()
    command = pager_command(os.environ) if tty and not no_pager else None
    lines = text.count("\n")
    if command is None or not wants_pager(
        is_terminal=tty, no_pager=no_pager, lines=lines, height=height
    ):
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    env = dict(os.environ)
    env.setdefault("LESS", _LESS_DEFAULTS)
    # Ctrl-C belongs to the pager (less stops a search with it), as under git.
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        subprocess.run(command, input=text, text=True, env=env, check=False)
    except FileNotFoundError:  # $PAGER names a program that is not installed
        sys.stdout.write(text)
    finally:
        signal.signal(signal.SIGINT, interrupt)


def page(out: Any, *renderables: object, no_pager: bool, footer: str = "") -> None:
    """Print `renderables` as the Rich console `out` draws them (colours only on a terminal),
    then the plain `footer` lines, through `show`: `show`, `list` and `stats` page alike."""
    with out.capture() as captured:
        for renderable in renderables:
            out.print(renderable)
    show(captured.get() + footer, no_pager=no_pager, height=out.height)
