"""The build's progress bar (cli/progress.py): nothing in the first 2 s nor when stderr is not a
terminal; on a terminal, cards done of all, cards a second and the time left."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from evcards.cli import progress as bar
from evcards.index.build import reported


def terminal(is_terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=is_terminal, width=120), out


def test_a_long_build_on_a_terminal_shows_cards_rate_and_time_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr(bar.time, "monotonic", lambda: clock[0])
    err, out = terminal(True)
    with bar.cards_progress(err=err) as progress:
        progress(500, 20_000)  # within the first 2 s: nothing
        assert out.getvalue() == ""
        for done in range(1000, 6000, 1000):
            clock[0] += 1.0
            progress(done, 20_000)
    shown = out.getvalue()
    assert "Indexing" in shown and "5000/20000" in shown and "cards/s" in shown
    assert "0:00:" in shown  # the time left


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    monkeypatch.setattr(bar.time, "monotonic", lambda: clock[0])
    err, out = terminal(False)
    with bar.cards_progress(err=err) as progress:
        for done in range(0, 10_000, 500):
            clock[0] += 1.0
            progress(done, 10_000)
    assert out.getvalue() == ""


def test_the_index_tells_progress_as_it_goes_and_at_the_end() -> None:
    told: list[tuple[int, int]] = []
    assert list(reported(range(1234), lambda d, t: told.append((d, t)), 1234)) == list(range(1234))
    assert told == [(500, 1234), (1000, 1234), (1234, 1234)]
    assert list(reported(range(3), None, 3)) == [0, 1, 2]


def test_a_rebuild_and_a_sync_report_their_cards(lib, monkeypatch: pytest.MonkeyPatch) -> None:
    from evcards.core.models import Cite, Span, new_card
    from evcards.index.build import rebuild
    from evcards.index.sync import ensure, sync

    for i in range(3):
        lib.write(new_card(tag=f"t{i}", cite=Cite(short="A 1"), body=[[Span(text=f"w{i}")]]))
    told: list[tuple[int, int]] = []
    rebuild(lib.root, progress=lambda d, t: told.append((d, t)))
    assert told[-1] == (3, 3)
    lib.write(new_card(tag="t9", cite=Cite(short="A 1"), body=[[Span(text="w9")]]))
    told.clear()
    ix = ensure(lib.root)
    try:
        lib.write(new_card(tag="t8", cite=Cite(short="A 1"), body=[[Span(text="w8")]]))
        sync(ix, progress=lambda d, t: told.append((d, t)))
    finally:
        ix.close()
    n = told[-1][1] // 2  # the new card, and any too recent to trust (schema.settled)
    assert n >= 1 and told == [(n, 2 * n), (2 * n, 2 * n)]  # read, then written
