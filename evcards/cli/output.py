"""How commands print: the Rich console and JSON. Light, and registers no commands."""

from typing import Annotated, Any

import typer


def limit_opt(help: str) -> Any:
    """-n N, as `list` and `stats` take it (0 and up; no default shown, each says its own)."""
    return typer.Option("--limit", "-n", min=0, metavar="N", show_default=False, help=help)


# `show`, `list` and `stats` page long output alike (evcards.cli.pager).
NoPagerOpt = Annotated[
    bool, typer.Option("--no-pager", help="Never page; by default long output is paged.")
]


def console(stderr: bool = False) -> Any:
    """A console that prints card text as it is.

    Markup off: a tag such as `Ext [/] 1NC` is not Rich markup (it raised MarkupError) and
    `[the U.S.]` inserted in a cite vanished. Emoji codes off: `:x:` stays `:x:`, and the first
    table no longer imports Rich's emoji table (2-3 ms of every `search` and `list`).
    """
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False, markup=False, emoji=False)


def print_json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
