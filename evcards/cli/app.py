"""The Typer app, its global options and the one error boundary every command runs inside."""

import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_command_name, get_group, get_group_from_info

from evcards.errors import EvcardsError


def fail(message: str, code: int = 1, detail: tuple[str, ...] = ()) -> typer.Exit:
    """Print one `Error:` line on stderr, then any `detail` lines as they are (the input a
    mistake is on, a caret under it); the caller raises the returned Exit."""
    typer.echo(f"Error: {' '.join(message.split())}", err=True)
    for line in detail:
        typer.echo(f"  {line}", err=True)
    return typer.Exit(code)


# What Ctrl-C leaves behind when the command did not say: every file is written whole.
INTERRUPTED = "stopped before the end; no file was left half-written"


# Every command and the module that defines it, in `evcards --help` order. A module is imported,
# and its commands' options built, only when one of its commands runs or the list is asked for
# (help, completion, a mistyped name): building all of them on every start cost about 40 ms.
# A new command module adds its commands here; tests/test_startup.py fails on one left out.
COMMANDS = {
    "show": "cards",
    "list": "cards",
    "add": "cards",
    "edit": "cards",
    "tag": "cards",
    "rm": "cards",
    "restore": "cards",
    "import": "cards",
    "cut": "cut",
    "fix": "cut",
    "mark": "tui",
    "export": "export",
    "stats": "export",
    "speech": "speech",
    "search": "search",
    "cuts": "search",
    "browse": "browse",
    "index": "search",
    "remote": "remote",
    "push": "remote",
    "pull": "remote",
    "collection": "collection",
    "take": "collection",
}


def _forget_the_interrupt() -> None:
    """Keep exit 130 for a Ctrl-C that came while Python ran a string of code.

    CPython marks a KeyboardInterrupt "unhandled" when it ends any `exec`/`eval` of a string
    (dataclasses and namedtuples build their methods so, at import), even one caught later;
    under `python -m` it then ends the process by SIGINT after the exit code is set (-2, not
    130: one run in two when Ctrl-C fell on the lazy pydantic import of a collection build).
    Each string evaluation clears the mark as it starts, so an empty one clears it here.
    """
    exec("")  # noqa: S102 - a constant empty string: runs nothing


class Group(TyperGroup):
    """Loads commands on demand, and turns the library's own errors into `Error: ...` and exit 1
    (bugs keep their traceback)."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            # An unknown name loads them all, so that Typer can suggest the one meant.
            self._load([cmd_name] if cmd_name in COMMANDS else list(COMMANDS))
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        self._load(list(COMMANDS))
        return [*(n for n in COMMANDS if n in self.commands), *self.commands.keys() - COMMANDS]

    def _load(self, names: list[str]) -> None:
        if all(n in self.commands for n in names):
            return
        for module in dict.fromkeys(COMMANDS[n] for n in names if n in COMMANDS):
            importlib.import_module(f"evcards.cli.{module}")
        if set(names) >= COMMANDS.keys():
            # Everything (help, completion, a mistyped name): Typer builds the group of what
            # the modules registered on `app`, commands a module imported along included.
            for name, command in get_group(app).commands.items():
                self.commands.setdefault(name, command)
            return
        # One command runs: build its options alone, not those of every command its module
        # registered (`list` built `add`'s and `import`'s too; `search`, the `index` group).
        wanted = set(names) - self.commands.keys()
        for info in app.registered_commands:
            if info.callback is not None:
                name = info.name or get_command_name(info.callback.__name__)
                if name in wanted:
                    self.commands[name] = get_command_from_info(
                        info,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                        rich_markup_mode=app.rich_markup_mode,
                    )
        for group in app.registered_groups:
            if group.name in wanted:
                built = get_group_from_info(
                    group,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                    suggest_commands=app.suggest_commands,
                )
                self.commands[built.name or group.name] = built

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EvcardsError as e:
            if os.environ.get("EVCARDS_DEBUG"):
                raise
            raise fail(str(e), detail=e.detail) from None
        except KeyboardInterrupt as e:
            # Ctrl-C: one line saying what was kept (`Interrupted` carries it), exit 130 as
            # a shell expects of SIGINT. Typer's own handler exited 130 without a word.
            if os.environ.get("EVCARDS_DEBUG"):
                raise
            typer.echo(f"Interrupted: {' '.join(str(e).split()) or INTERRUPTED}", err=True)
            _forget_the_interrupt()
            raise typer.Exit(130) from None
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
    from evcards.store.library import Library, find_library

    return Library.open(find_library(state.library_option), create=create)


def check_labels(labels: list[str] | None) -> None:
    """Check the --label values Typer parsed, and fold them in place (`Neg` -> `neg`,
    `China DA` -> `china-da`): every command that stores or filters by them then uses the
    one spelling cards keep (core/labels.py)."""
    from evcards.core.labels import fold, is_label

    if not labels:
        return
    for i, lab in enumerate(labels):
        if not is_label(lab):
            raise typer.BadParameter(
                f"'{lab}' is not a label: use letters, digits, spaces and - _ . +"
                " (like aff, neg, da, 'china da')",
                param_hint="--label",
            )
        labels[i] = fold(lab)


def get_config() -> Any:
    from evcards.config import load_config

    return load_config()
