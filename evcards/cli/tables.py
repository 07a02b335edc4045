"""Columns the card tables (list, search, stats) share; light, so search stays fast to start."""

from rich.table import Table


def add_id_cite_columns(table: Table, width: int) -> None:
    """The id and cite columns every card table starts with, at widths that always fit.

    A short cite read from a messy file can be a whole sentence; unbounded, it squeezed the
    id column to "18a…" and the tag out of the table, so it is cut to a fifth of the width.
    """
    table.add_column("id", style="dim", no_wrap=True, min_width=8)
    cite_width = max(10, min(24, width // 5))
    table.add_column("cite", style="bold", no_wrap=True, max_width=cite_width, overflow="ellipsis")


def card_table(width: int, tag_ratio: int | None = None) -> Table:
    """A borderless card table with its id, cite and tag columns; callers add the rest."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    add_id_cite_columns(table, width)
    table.add_column("tag", overflow="fold", ratio=tag_ratio)
    return table
