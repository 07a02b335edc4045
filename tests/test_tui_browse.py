"""`evcards browse`: Textual's Pilot drives the screen headless over a copy of the starter
library, and every key is checked by what it leaves in the files (speech, card)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import REPO
from rich.console import Console
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from evcards import speeches
from evcards.cli import app as cli_app
from evcards.errors import BadOption, CardNotFound, SearchQueryError
from evcards.index.catalog import list_cards
from evcards.index.query import Filters
from evcards.index.search import search
from evcards.store import speechfile
from evcards.store.library import Library
from evcards.tui import browse, results
from evcards.tui.browse import BrowseApp, BrowseScreen
from evcards.tui.results import Row

SIZE = (120, 36)
Script = Callable[[object, BrowseScreen], Awaitable[None]]


@pytest.fixture
def starter(tmp_path: Path) -> Library:
    """The bundled starter library, copied where the tests may write (EVCARDS_LIBRARY)."""
    root = tmp_path / "library"
    shutil.copytree(REPO / "cards", root, ignore=shutil.ignore_patterns(".evcards"))
    return Library.open(root)


def drive(screen: BrowseScreen, script: Script) -> BrowseApp:
    """Run the app headless with `script(pilot, screen)`; the app, once it has ended."""
    app = BrowseApp(screen)

    async def go() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, screen)
            await script(pilot, screen)

    asyncio.run(go())
    return app


async def settle(pilot, screen: BrowseScreen, query: str | None = None) -> None:
    """Wait until the box's text (or `query`) has been searched and its results are shown."""
    want = screen.query_text if query is None else query
    for _ in range(1000):
        await pilot.pause(0.02)
        if screen.shown == want and screen._timer is None and screen.previewed == screen._row():
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            return
    raise AssertionError(f"{want!r} was never shown (shown: {screen.shown!r})")


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


def preview_text(screen: BrowseScreen) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(screen.query_one("#preview", Static).content)
    return " ".join(console.export_text().split())


def ids(rows: list[Row]) -> list[str]:
    return [r.id for r in rows]


# -- what the list holds ---------------------------------------------------------------------
def test_find_gives_the_search_engines_results_and_the_newest_cards_without_a_query(starter):
    """The same ranking as `evcards search` (the reference), and `list`'s order when empty."""
    root = starter.root
    assert ids(results.find(root, "alliance")) == [
        h.id for h in search(root, "alliance", limit=results.LIMIT, cuts="every")
    ]  # every cut: the list shows no count of cuts
    assert ids(results.find(root, "")) == [r.id for r in list_cards(root, limit=results.LIMIT).rows]
    neg = results.find(root, "", Filters(labels=["neg"]))
    assert neg and all("neg" in r.labels for r in neg)
    rows = results.find(root, "russia")
    assert all(r.where == results.LIBRARY and r.path.is_file() for r in rows)
    with pytest.raises(SearchQueryError):
        results.find(root, "title:(", raw=True)


def test_typing_searches_once_when_the_typing_stops(starter, monkeypatch):
    asked: list[str] = []
    find = results.find

    def counting(root, query, *args, **kwargs):
        asked.append(query)
        return find(root, query, *args, **kwargs)

    monkeypatch.setattr(results, "find", counting)

    async def script(pilot, screen):
        await type_text(pilot, "alliance")
        # Eight keys well inside the debounce: nothing searched yet but the opening listing.
        assert asked == [""]
        await settle(pilot, screen, "alliance")
        assert asked == ["", "alliance"]
        assert ids(screen.rows) == ids(find(starter.root, "alliance"))
        assert screen.query_one("#status", Static).content.plain.startswith(
            f"{len(screen.rows)} found for 'alliance'"
        )

    drive(BrowseScreen(starter, debounce=3.0), script)


def test_the_list_shows_cite_tag_where_words_read_and_seen(starter):
    async def script(pilot, screen):
        table = screen.query_one("#results")
        first = [cell.plain for cell in table.get_row_at(0)]
        row = screen.rows[0]
        assert first == [row.short_cite, row.tag, "lib", str(row.words_read), f"{row.seen}×"]

    drive(BrowseScreen(starter, "alliance"), script)


def test_moving_the_selection_changes_the_preview(starter):
    async def script(pilot, screen):
        first, second = screen.rows[:2]
        assert first.tag in preview_text(screen)
        await pilot.press("down")
        shown = preview_text(screen)
        assert second.tag in shown and first.tag not in shown
        assert second.short_cite in shown and f"{second.words_read} read" in shown
        await pilot.press("up")
        assert first.tag in preview_text(screen)

    drive(BrowseScreen(starter, "alliance"), script)


def test_a_wider_terminal_widens_the_tag_and_keeps_the_cursor(starter):
    async def script(pilot, screen):
        table = screen.query_one("#results")
        await pilot.press("down", "down")
        narrow = table.columns["tag"].width
        await pilot.resize_terminal(180, 40)
        for _ in range(100):
            await pilot.pause(0.02)
            if table.columns["tag"].width != narrow:
                break
        assert table.columns["tag"].width > narrow + 30
        assert table.cursor_row == 2 and screen.rows[2].tag in preview_text(screen)

    drive(BrowseScreen(starter, "alliance"), script)


def test_the_preview_reads_time_at_the_configured_wpm_and_shows_a_broken_config(starter, tmp_path):
    config = tmp_path / "home" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("wpm = 100\n")

    async def script(pilot, screen):
        assert "at 100 wpm" in preview_text(screen)

    drive(BrowseScreen(starter, "alliance"), script)
    config.write_text("wpm = 'fast'\n")

    async def broken(pilot, screen):
        assert "config.toml" in preview_text(screen) and pilot.app.is_running

    drive(BrowseScreen(starter, "alliance"), broken)


# -- enter: the card in mark -----------------------------------------------------------------
class StandInMarkScreen(Screen[None]):
    """A test double for evcards.tui.mark.MarkScreen (built by the mark branch): the same
    constructor and the same `q`, and it remembers what it was opened on."""

    BINDINGS: ClassVar = [Binding("q", "dismiss", "Quit")]
    opened: ClassVar[list[tuple[Path, str]]] = []

    def __init__(self, library_root: Path, card_id: str) -> None:
        super().__init__()
        self.opened.append((library_root, card_id))


def test_enter_opens_the_card_in_mark_and_q_comes_back(starter, monkeypatch):
    StandInMarkScreen.opened.clear()
    monkeypatch.setattr(browse, "mark_screen", StandInMarkScreen)

    async def script(pilot, screen):
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, StandInMarkScreen)
        assert StandInMarkScreen.opened == [(starter.root, screen.rows[1].id)]
        before = screen.searches
        await pilot.press("a")  # the browse keys are the browse screen's: mark has its own
        assert not speechfile.names(starter.root)
        await pilot.press("q")
        await pilot.pause()
        assert pilot.app.screen is screen and pilot.app.is_running
        await settle(pilot, screen)
        assert screen.searches == before + 1  # the card may have changed: searched again

    drive(BrowseScreen(starter, "alliance"), script)


def test_enter_opens_the_real_mark_screen(starter):
    from evcards.tui.mark import MarkScreen

    async def script(pilot, screen):
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MarkScreen)
        await pilot.press("q")
        await pilot.pause()
        assert pilot.app.screen is screen

    drive(BrowseScreen(starter, "alliance"), script)


# -- a: the current speech -------------------------------------------------------------------
def test_a_adds_to_the_current_speech_asking_for_a_first_block(starter):
    speeches.new_speech(starter, "1nc")

    async def script(pilot, screen):
        first, second = screen.rows[:2]
        await pilot.press("a")  # no blocks yet: the prompt asks for the heading
        assert screen.focused.id == "prompt"
        await type_text(pilot, "No alliance")
        await pilot.press("enter")
        await pilot.press("down", "a")  # now it goes to the end of the last block
        await pilot.press("a")
        speech = speechfile.read(starter.root, "1nc")
        assert [(b.heading, b.items) for b in speech.blocks] == [
            ("No alliance", [first.id, second.id])
        ]
        assert screen.notices[-1] == f"1nc: card {second.id[:8]} is already item 2; skipped"
        assert screen.notices[-2].startswith(f"Added {second.id[:8]} to 1nc, block 'No alliance'")

    drive(BrowseScreen(starter, "alliance"), script)


def test_a_without_a_current_speech_says_how_to_choose_one(starter):
    async def script(pilot, screen):
        await pilot.press("a")
        assert "no current speech" in screen.notices[-1]
        assert pilot.app.is_running and not speechfile.names(starter.root)
        await pilot.press("escape")  # nothing was asked, so nothing to cancel

    drive(BrowseScreen(starter, "alliance"), script)


def test_escape_in_the_block_prompt_adds_nothing(starter):
    speeches.new_speech(starter, "2ac")

    async def script(pilot, screen):
        await pilot.press("a")
        await type_text(pilot, "Block")
        await pilot.press("escape")
        assert screen.focused.id == "results"
        assert speechfile.read(starter.root, "2ac").blocks == []

    drive(BrowseScreen(starter, "alliance"), script)


# -- l: labels -------------------------------------------------------------------------------
def test_l_sets_the_labels_in_the_card_file(starter):
    async def script(pilot, screen):
        row = screen.rows[0]
        before = starter.read(row.path)
        assert before.labels == ["neg", "russia"]
        await pilot.press("l")
        prompt = screen.query_one("#prompt")
        assert prompt.value == "neg russia"  # the labels it has, to edit
        await type_text(pilot, " Russia_DA, neg")  # typed after them, not over them
        await pilot.press("enter")
        after = starter.read(row.path)
        assert after.labels == ["neg", "russia", "russia-da"]
        assert after.model_dump(exclude={"labels"}) == before.model_dump(exclude={"labels"})
        assert screen.rows[0].labels == ("neg", "russia", "russia-da")
        assert "neg, russia, russia-da" in preview_text(screen)
        await pilot.press("l")
        await pilot.press("home", *["delete"] * len("neg "))  # take one away
        await pilot.press("enter")
        assert starter.read(row.path).labels == ["russia", "russia-da"]
        await pilot.press("l")
        await type_text(pilot, " a/b")
        await pilot.press("enter")
        assert "'a/b' is not a label" in screen.notices[-1]
        assert starter.read(row.path).labels == ["russia", "russia-da"]  # nothing written

    drive(BrowseScreen(starter, "alliance"), script)


def test_parse_labels_folds_as_tag_does():
    assert results.parse_labels(" Neg,China_DA  neg ") == ["china-da", "neg"]
    assert results.parse_labels("") == []
    with pytest.raises(BadOption):
        results.parse_labels("ok no/t")


# -- t, /, q, bad queries --------------------------------------------------------------------
def test_t_says_a_library_card_is_no_collection_card(starter):
    before = {p: p.read_bytes() for p in starter.root.glob("*.toml")}

    async def script(pilot, screen):
        await pilot.press("t")
        assert screen.notices[-1] == (
            f"{screen.rows[0].id[:8]} is not a collection card: it is in the library already"
        )

    drive(BrowseScreen(starter, "alliance"), script)
    assert {p: p.read_bytes() for p in starter.root.glob("*.toml")} == before
    # a collection card no collection holds (any more): the lookup says so, nothing written
    elsewhere = Row("ab" * 8, "X 20", "tag", 1, 1, starter.root / "x.toml", where="camp")
    with pytest.raises(CardNotFound):
        results.take(starter, elsewhere)
    assert {p: p.read_bytes() for p in starter.root.glob("*.toml")} == before


def test_slash_goes_back_to_the_search_box(starter):
    async def script(pilot, screen):
        assert screen.focused.id == "results"  # a query given: the results have the keys
        await pilot.press("slash")
        assert screen.focused.id == "query"
        await type_text(pilot, "russia")  # typed into the box (over the old query, selected)
        assert screen.query_text == "russia"
        assert pilot.app.is_running
        await pilot.press("down")
        assert screen.focused.id == "results"

    drive(BrowseScreen(starter, "alliance"), script)


def test_q_quits_from_the_results_and_is_a_letter_in_the_box(starter):
    async def script(pilot, screen):
        await pilot.press("slash", "q")
        assert screen.query_text.endswith("q") and pilot.app.is_running
        await pilot.press("enter", "q")
        await pilot.pause()
        assert not pilot.app.is_running

    app = drive(BrowseScreen(starter, "alliance"), script)
    assert app.return_code == 0


def test_a_bad_query_is_a_notice_and_the_next_one_works(starter):
    async def script(pilot, screen):
        await type_text(pilot, "title:(")
        await settle(pilot, screen, "title:(")
        assert screen.notices[-1].startswith("bad search query 'title:('")
        assert pilot.app.is_running
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "tag:alliance")
        await settle(pilot, screen, "tag:alliance")
        assert screen.rows and all("alliance" in r.tag.lower() for r in screen.rows)
        await pilot.press("ctrl+r")  # back to plain queries: the same text is words now
        await settle(pilot, screen, "tag:alliance")
        assert not screen.raw and screen.notices[-1] == "plain queries"

    drive(BrowseScreen(starter, raw=True), script)


def test_browse_from_a_query_to_a_speech(starter, runner):
    """As a debater would: type, go to the results, pick the second, add it, and the speech
    has it, as `evcards speech show` prints it."""
    speeches.new_speech(starter, "1ac")

    async def script(pilot, screen):
        assert screen.focused.id == "query"  # no query given: the box has the keys
        await type_text(pilot, "junior partner")
        await pilot.press("enter")  # searches now, and goes to the results
        await settle(pilot, screen, "junior partner")
        assert screen.focused.id == "results"
        await pilot.press("down", "a")
        await type_text(pilot, "Russia is junior")
        await pilot.press("enter", "q")

    expected = results.find(starter.root, "junior partner")[1]
    drive(BrowseScreen(starter), script)
    speech = speechfile.read(starter.root, "1ac")
    assert [(b.heading, b.items) for b in speech.blocks] == [("Russia is junior", [expected.id])]
    result = runner.invoke(cli_app, ["speech", "show"])
    assert result.exit_code == 0, result.output
    assert expected.id[:8] in result.output and "Russia is junior" in result.output


# -- the command -----------------------------------------------------------------------------
def test_the_command_passes_its_query_and_filters_to_the_screen(starter, runner, monkeypatch):
    ran: list[BrowseScreen] = []
    monkeypatch.setattr(BrowseApp, "run", lambda self: ran.append(self.browse))
    monkeypatch.setattr("evcards.cli.browse.in_terminal", lambda: True)
    result = runner.invoke(cli_app, ["browse", "nuclear war", "-l", "Neg", "--raw"])
    assert result.exit_code == 0, result.output
    [screen] = ran
    assert (screen.initial, screen.filters.labels, screen.raw) == ("nuclear war", ["neg"], True)
    assert screen.lib.root == starter.root


def test_a_missing_library_is_an_error_line_before_any_screen(tmp_path, runner, monkeypatch):
    monkeypatch.setattr("evcards.cli.browse.in_terminal", lambda: True)
    monkeypatch.setattr(BrowseApp, "run", lambda self: pytest.fail("the app was started"))
    result = runner.invoke(cli_app, ["-L", str(tmp_path / "nowhere"), "browse"])
    assert result.exit_code == 1
    assert "no library here yet" in result.stderr


def test_the_command_needs_a_terminal(starter, runner):
    result = runner.invoke(cli_app, ["browse", "alliance"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: evcards browse needs a terminal")


@pytest.mark.parametrize("args", [["--help"], ["browse", "--help"]])
def test_help_does_not_import_textual(args):
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["evcards", *{args!r}]
        from evcards.cli import main
        try:
            main()
        except SystemExit:
            pass
        print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"), file=sys.stderr)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().splitlines()[-1] == "[]"
    assert "browse" in proc.stdout
