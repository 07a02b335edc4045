"""A progress bar for index builds and syncs: cards done of all, cards a second, time left.

The index layer knows nothing of Rich: it calls a `build.Progress` callback, `(done, total)`,
as it goes. `cards_progress` makes one that shows nothing for the first 2 s (a short build
or sync stays silent) nor ever when stderr is not a terminal (piped, or a test's runner),
and otherwise draws the bar on stderr, gone when it ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from evcards.cli.output import console

SHOW_AFTER = 2.0  # seconds before a bar appears


def _rate_column() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """Cards a second, from Rich's own speed estimate."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f} cards/s", style="dim")

    return Rate()


@contextmanager
def cards_progress(
    label: str = "Indexing", err: Any = None
) -> Iterator[Callable[[int, int], None]]:
    """A `build.Progress` callback drawing the bar on `err` (default: stderr's console)."""
    err = err if err is not None else console(stderr=True)
    started = time.monotonic()
    bar: list[Any] = []  # the Progress and its task, once shown

    def update(done: int, total: int) -> None:
        if not bar:
            if not err.is_terminal or time.monotonic() - started < SHOW_AFTER:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            progress = Progress(
                TextColumn(label),
                BarColumn(bar_width=30),
                MofNCompleteColumn(),
                TextColumn("cards"),
                _rate_column(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
                auto_refresh=False,  # no refresh thread: the readers are forked from here
            )
            progress.start()
            bar.extend([progress, progress.add_task(label, total=total)])
        bar[0].update(bar[1], completed=done, total=total, refresh=True)

    try:
        yield update
    finally:
        if bar:
            bar[0].stop()


@contextmanager
def rows_progress(
    label: str = "Building", err: Any = None
) -> Iterator[Callable[[int, int, int], None]]:
    """A `collections.building.Progress` callback, `(rows, bytes read, bytes in all)`: rows
    read, rows a second, and the time left from the bytes (a dataset's rows are not counted
    before they are read). Shown as `cards_progress` is: on a terminal, after 2 s."""
    err = err if err is not None else console(stderr=True)
    started = time.monotonic()
    bar: list[Any] = []

    def update(rows: int, done: int, total: int) -> None:
        if not bar:
            if not err.is_terminal or time.monotonic() - started < SHOW_AFTER:
                return
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            progress = Progress(
                TextColumn(label),
                BarColumn(bar_width=30),
                TextColumn("{task.fields[rows]:,} rows"),
                TextColumn("{task.fields[rate]}", style="dim"),
                TimeRemainingColumn(),
                console=err,
                transient=True,
                auto_refresh=False,
            )
            progress.start()
            bar.extend([progress, progress.add_task(label, total=total, rows=0, rate="")])
        rate = rows / max(time.monotonic() - started, 1e-6)
        bar[0].update(
            bar[1], completed=done, total=total, rows=rows, rate=f"{rate:,.0f} rows/s", refresh=True
        )

    try:
        yield update
    finally:
        if bar:
            bar[0].stop()
