"""The command line: a thin view over the library. Only evcards.cli imports typer and rich.

The command modules (cards, cut, export, search) are imported only when needed: see
`COMMANDS` in evcards.cli.app.
"""

from evcards.cli.app import app


def main() -> None:
    app(prog_name="evcards")
