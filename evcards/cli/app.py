"""The Typer app, its global options and the one error boundary every command runs inside."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from evcards.errors import EvcardsError


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one `Error:` line on stderr; the caller raises the returned Exit."""
    typer.echo(f"Error: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


class Group(TyperGroup):
    """Turns the library's own errors into `Error: ...` and exit 1; bugs keep their traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EvcardsError as e:
            if os.environ.get("EVCARDS_DEBUG"):
                raise
            raise fail(str(e)) from None
        except BrokenPipeError:
            # `evcards list | head`: the reader has all it wants, which is not an error. Point
            # stdout at /dev/null so the interpreter's final flush does not raise again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(141) from None
        except OSError as e:
            if os.environ.get("EVCARDS_DEBUG"):
                raise
            where = f"{e.filename}: " if e.filename else ""
            raise fail(f"{where}{e.strerror or e}") from None


app = typer.Typer(
    cls=Group,
    name="evcards",
    help="Cut, import, search and export debate cards kept as plain TOML files.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class State:
    library_option: Path | None = None


state = State()


def version_callback(value: bool) -> None:
    if value:
        from evcards import __version__

        typer.echo(f"evcards {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    library: Annotated[
        Path | None,
        typer.Option(
            "--library",
            "-L",
            help="Library folder (default: $EVCARDS_LIBRARY, the nearest library upward,"
            " then your own).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    state.library_option = library


def get_library(create: bool = False) -> Any:
    """The library this command works on (see `find_library`); created on first write."""
    from evcards.library import Library, find_library

    return Library.open(find_library(state.library_option), create=create)


def get_config() -> Any:
    from evcards.config import load_config

    return load_config()
