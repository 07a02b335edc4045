"""Columns the card tables (list, search, stats) share, and how they are drawn: by Rich on a
terminal, as plain text laid out alike elsewhere (evcards.cli.plain). Light, so search stays
fast to start: Rich loads only when it draws."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from evcards.cli.plain import Col, plain_size, table_text

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["Col", "add_id_cite_columns", "card_columns", "card_table", "draw_table", "rich_table"]


def card_columns(width: int, tag_ratio: int | None = None) -> list[Col]:
    """The id, cite and tag columns every card table starts with, at widths that always fit.

    A short cite read from a messy file can be a whole sentence; unbounded, it squeezed the
    id column to "18a…" and the tag out of the table, so it is cut to a fifth of the width.
    """
    cite_width = max(10, min(24, width // 5))
    return [
        Col("id", style="dim", no_wrap=True, min_width=8),
        Col("cite", style="bold", no_wrap=True, max_width=cite_width, overflow="ellipsis"),
        Col("tag", overflow="fold", ratio=tag_ratio),
    ]


def rich_table(columns: Sequence[Col]) -> Table:
    """A borderless Rich table of these columns (rows to be added)."""
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for c in columns:
        _add_column(table, c)
    return table


def add_id_cite_columns(table: Table, width: int) -> None:
    """card_columns' id and cite columns, onto a Rich table of another shape (speech)."""
    for c in card_columns(width)[:2]:
        _add_column(table, c)


def _add_column(table: Table, c: Col) -> None:
    table.add_column(
        c.header,
        style=c.style,
        justify=c.justify,  # type: ignore[arg-type]
        no_wrap=c.no_wrap,
        overflow=c.overflow,  # type: ignore[arg-type]
        min_width=c.min_width,
        max_width=c.max_width,
        ratio=c.ratio,
    )


def card_table(width: int, tag_ratio: int | None = None) -> Table:
    """A borderless card table with its id, cite and tag columns; callers add the rest."""
    return rich_table(card_columns(width, tag_ratio))


def draw_table(
    columns_at: Callable[[int], Sequence[Col]],
    rows: Sequence[Sequence[str | Sequence[tuple[str, str]]]],
    *,
    page: bool = False,
    no_pager: bool = False,
    footer: str = "",
    out: Any = None,
) -> None:
    """Print a card table of the columns `columns_at(width)` gives, then the plain `footer`:
    as plain text when stdout is not a terminal and every cell is text that plain text can
    hold, else through Rich (`out`, or a new console), paged like `show` when `page`. A
    cell is a str, or (text, style) pieces (search's highlighted match), which Rich draws
    as a styled Text and plain text as its text."""
    size = plain_size() if out is None else None
    if size is not None:
        plain_rows = [[_plain(cell) for cell in row] for row in rows]
        text = table_text(columns_at(size[0]), plain_rows, size[0])
        if text is not None:
            if page:
                from evcards.cli import pager

                pager.show(text + footer, no_pager=no_pager, height=size[1])
            else:
                sys.stdout.write(text + footer)
            return
    if out is None:
        from evcards.cli.output import console

        out = console()
    table = rich_table(columns_at(out.width))
    for row in rows:
        table.add_row(*(_rich(cell) for cell in row))
    if page:
        from evcards.cli import pager

        pager.page(out, table, no_pager=no_pager, footer=footer)
        return
    out.print(table)
    if footer:
        sys.stdout.write(footer)


def _plain(cell: str | Sequence[tuple[str, str]]) -> str:
    return cell if isinstance(cell, str) else "".join(text for text, _ in cell)


def _rich(cell: str | Sequence[tuple[str, str]]) -> Any:
    if isinstance(cell, str):
        return cell
    from rich.text import Text

    text = Text()
    for part, style in cell:
        text.append(part, style=style)
    return text
