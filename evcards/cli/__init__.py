"""The command line: a thin view over the library. Only evcards.cli imports typer and rich."""

from __future__ import annotations

from evcards.cli import cards as _cards  # noqa: F401  (registers the card commands)
from evcards.cli import cut as _cut  # noqa: F401  (registers cut and fix)
from evcards.cli import export as _export  # noqa: F401  (registers export and stats)
from evcards.cli import search as _search  # noqa: F401  (search, index)
from evcards.cli.app import app


def main() -> None:
    app(prog_name="evcards")
