"""`evcards browse`: a search box that searches as you type, the results, the card under the
cursor with its formatting, and keys that act on it.

Typing never waits for a search: each change of the box restarts a short timer (DEBOUNCE), and
when it runs out the query goes to a thread worker, which runs evcards.index.search (the
engine of `evcards search`, which syncs the index with the card files first) and hands the
rows back to the screen. A search that finishes after a newer one was asked for is dropped.
The screen's keys are bindings of BrowseScreen, not of the app, so that the card screen of
`mark`, pushed over it, has the keyboard to itself.

What the keys do to the library is in evcards.tui.results; its errors are notices here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from evcards.errors import EvcardsError
from evcards.index.query import Filters
from evcards.store.library import Library
from evcards.tui import results
from evcards.tui.results import Row

DEBOUNCE = 0.15  # seconds of no typing before the box's text is searched

# Fixed columns of the result list (the tag takes what is left): label, width.
_COLUMNS = (("cite", 16), ("where", 5), ("read", 5), ("seen", 5))


def mark_screen(root: Path, card_id: str) -> Screen[object]:
    """The screen of `evcards mark` for one card (imported only when a card is opened)."""
    from evcards.tui.mark import MarkScreen

    screen: Screen[object] = MarkScreen(root, card_id)  # type: ignore[assignment]
    return screen


class SearchBox(Input):
    """The query: typing searches; enter, escape or down go to the results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,escape", "screen.focus_results", "Results", show=False),
    ]


class BrowseScreen(Screen[None]):
    """The search box, the results and the preview of the card under the cursor."""

    # DEFAULT_CSS, not CSS: an app's first screen gets no CSS of its own (Textual 7).
    DEFAULT_CSS = """
    BrowseScreen { layout: vertical; }
    BrowseScreen #panes { height: 1fr; }
    BrowseScreen #results { width: 3fr; }
    BrowseScreen #preview-box { width: 2fr; border-left: solid $primary-darken-2; padding: 0 1; }
    BrowseScreen #status { height: 1; padding: 0 1; color: $text-muted; }
    BrowseScreen #prompt { display: none; }
    BrowseScreen #prompt.open { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add to speech"),
        Binding("l", "label", "Labels"),
        Binding("t", "take", "Take in"),
        Binding("slash", "focus_search", "Search"),
        Binding("ctrl+r", "toggle_raw", "Raw query"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        lib: Library,
        query: str = "",
        filters: Filters | None = None,
        *,
        raw: bool = False,
        wpm: int | None = None,
        debounce: float = DEBOUNCE,
    ) -> None:
        super().__init__()
        self.lib = lib
        self.initial = query
        self.filters = filters or Filters()
        self.raw = raw
        self._wpm = wpm
        self.debounce = debounce
        self.rows: list[Row] = []
        self.shown: str | None = None  # the query whose results are on screen
        self.previewed: Row | None = None  # the row whose card the preview shows
        self.searches = 0  # searches run, a count the tests read
        self.notices: list[str] = []  # every notice shown, newest last
        self._asked = 0  # number of the newest search asked for
        self._timer: Timer | None = None
        self._lock = threading.Lock()  # one search at a time: each syncs the index
        self._asking: tuple[str, Row] | None = None  # what the prompt is for

    def compose(self) -> ComposeResult:
        box = SearchBox(
            self.initial,
            placeholder='words, "a phrase", prefix*, AND OR NOT (empty: the newest cards)',
            id="query",
        )
        box.border_title = "search"
        yield box
        with Horizontal(id="panes"):
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="preview-box"):
                yield Static(id="preview")
        yield Static(id="status")
        yield Input(id="prompt", select_on_focus=False)  # typing adds to the labels shown
        yield Footer()

    def on_mount(self) -> None:
        self._columns()
        # After the first frame: the search runs in a thread, but its imports (tantivy,
        # pydantic) would hold the interpreter and so the frame back.
        self.call_after_refresh(self.search_now)
        if self.initial:
            self.action_focus_results()
        else:
            self.query_one(SearchBox).focus()

    # -- searching -------------------------------------------------------------------------
    @property
    def wpm(self) -> int:
        """Words per minute for read times: given, else the config's, read at the first
        preview rather than before the first frame (the config's model loads pydantic)."""
        if self._wpm is None:
            from evcards.config import load_config

            self._wpm = load_config().wpm
        return self._wpm

    @property
    def query_text(self) -> str:
        return self.query_one(SearchBox).value

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "query":
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self.search_now)

    def search_now(self) -> None:
        """Search for the box's text now (the timer's end, enter, a return from mark)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._asked += 1
        if self.shown is None:
            self._status("searching…")  # the first search syncs (or builds) the index
        self._search(self._asked, self.query_text, self.raw)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, asked: int, query: str, raw: bool) -> None:
        with self._lock:
            if asked != self._asked:
                return  # typing went on while an older search ran: only the newest counts
            self.searches += 1
            try:
                rows = results.find(self.lib.root, query, self.filters, raw=raw)
            except (EvcardsError, OSError) as e:
                self.app.call_from_thread(self._failed, asked, query, str(e))
                return
        self.app.call_from_thread(self._show, asked, query, rows)

    def _failed(self, asked: int, query: str, message: str) -> None:
        if asked == self._asked:
            # One notice for the query being typed, not one per pause in the typing.
            self.app.clear_notifications()
            self.notice(message, error=True)
            self.shown = query
            self._status(f"{message.split(';')[0]}")

    def _show(self, asked: int, query: str, rows: list[Row]) -> None:
        if asked != self._asked:
            return
        table = self.query_one(DataTable)
        keep = table.cursor_row if query == self.shown else 0
        self.rows = rows
        self.shown = query
        self._fill(table)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        # The list is drawn first; the first preview loads the card model (pydantic).
        self.call_after_refresh(lambda: self._preview(self._row()))
        self._status(self._summary(query))

    def _summary(self, query: str) -> str:
        n = len(self.rows)
        if not query.strip():
            found = f"{n} newest card{'s' if n != 1 else ''}" if n else "no cards in the library"
        elif n:
            found = f"{n}{'+' if n >= results.LIMIT else ''} found for {query.strip()!r}"
        else:
            found = f"no cards found for {query.strip()!r}"
        extra = ["raw query"] if self.raw else []
        from evcards.store import speechfile

        speech = speechfile.current(self.lib.root)
        extra.append(f"speech: {speech}" if speech else "no current speech")
        return "  ·  ".join([found, *extra])

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    # -- the list and the preview ----------------------------------------------------------
    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        width = table.size.width or self.app.size.width * 3 // 5
        fixed = sum(w + 2 for _, w in _COLUMNS) + 2 + 1  # cell padding, tag padding, scrollbar
        self._tag_width = max(16, width - fixed)
        table.add_column("cite", width=_COLUMNS[0][1], key="cite")
        table.add_column("tag", width=self._tag_width, key="tag")
        for label, w in _COLUMNS[1:]:
            table.add_column(label, width=w, key=label)

    def _fill(self, table: DataTable[RenderableType]) -> None:
        table.clear()
        for i, row in enumerate(self.rows):
            table.add_row(*self._cells(row), key=str(i))

    def _cells(self, row: Row) -> tuple[Text, ...]:
        def cell(text: str, style: str = "", right: bool = False) -> Text:
            return Text(
                text,
                style=style,
                no_wrap=True,
                overflow="ellipsis",
                justify="right" if right else "left",
            )

        tag = row.tag or "(no tag)"
        return (
            cell(row.short_cite, "bold"),
            cell(tag, "italic" if row.kind == "analytic" else ""),
            cell(row.where, "dim"),
            cell(str(row.words_read), right=True),
            cell(f"{row.seen}×", "dim", right=True),
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self._relayout)  # once the table has its new width

    def _relayout(self) -> None:
        """The tag column as wide as the table allows, the cursor where it was."""
        table = self.query_one(DataTable)
        if not table.size.width:
            return
        keep = table.cursor_row
        self._columns()
        self._fill(table)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview(self._row())

    def _preview(self, row: Row | None) -> None:
        self.query_one("#preview", Static).update(self._card_view(row))
        self.query_one("#preview-box", VerticalScroll).scroll_home(animate=False)
        self.previewed = row

    def _card_view(self, row: Row | None) -> RenderableType:
        """The card as `evcards show` prints it, or why it cannot be read."""
        if row is None:
            return ""
        from evcards.cli.render import card_renderable

        try:
            card = results.read_card(self.lib, row)
            wpm = self.wpm
        except (EvcardsError, OSError) as e:
            return Text(f"{row.path.name}: {e}", style="red")
        return card_renderable(card, wpm)

    def _row(self) -> Row | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _chosen(self) -> Row | None:
        row = self._row()
        if row is None:
            self.notice("no card here: search for one first")
        return row

    # -- keys ------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "query":
            if self.shown != self.query_text:
                self.search_now()
            self.action_focus_results()
        elif event.input.id == "prompt":
            self._answer(event.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self._row()
        if row is None:
            return
        if row.where != results.LIBRARY:
            self.notice(f"{row.id[:8]} is in {row.where}, which is read-only: t takes it in")
            return
        try:
            screen = mark_screen(self.lib.root, row.id)
        except EvcardsError as e:
            self.notice(str(e), error=True)
            return
        self.app.push_screen(screen, callback=lambda _: self.search_now())

    def action_focus_results(self) -> None:
        self.query_one(DataTable).focus()

    def action_focus_search(self) -> None:
        self.query_one(SearchBox).focus()

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        self.notice("raw queries (tantivy syntax)" if self.raw else "plain queries")
        self.search_now()

    async def action_quit(self) -> None:
        self.app.exit()

    def action_add(self) -> None:
        row = self._chosen()
        if row is None:
            return
        try:
            name, has_blocks = results.current_speech(self.lib)
        except EvcardsError as e:
            self.notice(str(e), error=True)
            return
        if not has_blocks:
            self._ask("block", row, f"{name} has no blocks yet; the heading of its first block")
            return
        self._act(lambda: results.add_to_speech(self.lib, row))

    def action_label(self) -> None:
        row = self._chosen()
        if row is not None:
            self._ask("labels", row, "labels, separated by spaces", " ".join(row.labels))

    def action_take(self) -> None:
        row = self._chosen()
        if row is not None:
            self._act(lambda: results.take(self.lib, row))

    # -- the prompt (labels, a speech's first block) ----------------------------------------
    def _ask(self, purpose: str, row: Row, placeholder: str, value: str = "") -> None:
        prompt = self.query_one("#prompt", Input)
        prompt.placeholder = f"{placeholder} (enter saves, escape cancels)"
        prompt.value = value
        prompt.cursor_position = len(value)
        prompt.add_class("open")
        prompt.focus()
        self._asking = (purpose, row)

    def _answer(self, value: str) -> None:
        if self._asking is None:
            return
        purpose, row = self._asking
        self._close_prompt()
        if purpose == "labels":
            self._label(row, value)
        elif value.strip():
            self._act(lambda: results.add_to_speech(self.lib, row, block=value.strip()))
        else:
            self.notice("no block heading given, so nothing was added")

    def _label(self, row: Row, value: str) -> None:
        try:
            new = results.set_labels(self.lib, row, value)
        except (EvcardsError, OSError) as e:
            self.notice(str(e), error=True)
            return
        self.rows = [new if r is row else r for r in self.rows]
        shown = ", ".join(new.labels) or "none"
        self.notice(f"{new.id[:8]} labels: {shown}")
        self._preview(self._row())

    def _close_prompt(self) -> None:
        prompt = self.query_one("#prompt", Input)
        prompt.remove_class("open")
        self._asking = None
        self.action_focus_results()

    def key_escape(self) -> None:
        if self._asking is not None:
            self._close_prompt()

    def _act(self, action: Callable[[], str]) -> None:
        """Run an action of evcards.tui.results and show its line, or its error."""
        try:
            line = action()
        except (EvcardsError, OSError) as e:
            self.notice(str(e), error=True)
            return
        self.notice(line)
        if self.shown is not None:
            self._status(self._summary(self.shown))

    def notice(self, message: str, error: bool = False) -> None:
        self.notices.append(message)
        self.app.notify(message, severity="error" if error else "information", markup=False)


class BrowseApp(App[None]):
    """`evcards browse` as an app: its one screen is BrowseScreen."""

    TITLE = "evcards browse"

    def __init__(self, screen: BrowseScreen) -> None:
        super().__init__()
        self.browse = screen

    def get_default_screen(self) -> Screen[None]:
        return self.browse
