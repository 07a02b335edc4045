"""`evcards mark CARD`: a card full screen, marked with Verbatim's keys.

The contract other screens rely on (`evcards browse` pushes this screen on enter):
- `MarkScreen(library_root: pathlib.Path, card_id: str)` is a `textual.screen.Screen`; it
  loads the card itself (`card_id` as `Library.resolve` takes it: an id, an unambiguous
  prefix or a card file; an unknown one raises the library's EvcardsError in the
  constructor). On `q` it asks first when there are unsaved changes, then dismisses itself,
  returning to whatever pushed it; the dismiss result is the `saving.Opened` last saved, or
  None when nothing was saved.
- `MarkApp(library_root, card_id)` is a `textual.app.App` that only shows a MarkScreen and
  exits with its result when it is dismissed: what `evcards mark` runs.
- `MarkApp.for_draft(library_root, draft, save_draft)` marks a card not yet in the library
  (`evcards cut`): `save_draft(card) -> Path` stores it the first time; later saves replace
  that file. The tag and the cite forms open first.

The body text is never edited, so plain keys are commands: arrows move a word cursor (shift
extends the selection) and the marks apply to the selection (tui/document.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from evcards.config import load_config
from evcards.core.models import HIGHLIGHT_RGB, Card
from evcards.errors import EvcardsError
from evcards.tui import document as doc
from evcards.tui import saving
from evcards.tui.view import CardView

# The colours `c` steps through: Verbatim's usual ones first, then the rest of Word's.
_FIRST = ("yellow", "cyan", "green", "magenta", "lightGray", "red", "blue", "darkYellow")
COLORS: tuple[str, ...] = (
    *_FIRST,
    *(c for c in HIGHLIGHT_RGB if c not in _FIRST and c not in ("black", "white")),
)
KEYS = (
    "F9/u underline  F10/e emphasis  F11/h highlight  c colour  F12/x clear  F3 condense"
    "  Alt+F3/s shrink  F7 tag  F8 cite  l labels  ^z undo  ^y redo  ^s save  q quit"
)

SaveDraft = Callable[[Card], Path]


def _b(keys: str, action: str, show: bool = False) -> Binding:
    return Binding(keys, action, show=show)


class MarkScreen(Screen["saving.Opened | None"]):
    """One card, marked in place; see the module's docstring for the contract."""

    DEFAULT_CSS = """
    MarkScreen CardView { height: 1fr; }
    MarkScreen #status { height: 3; dock: bottom; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        _b("right", "move(1)"),
        _b("left", "move(-1)"),
        _b("shift+right", "move(1, True)"),
        _b("shift+left", "move(-1, True)"),
        _b("down", "line(1)"),
        _b("up", "line(-1)"),
        _b("shift+down", "line(1, True)"),
        _b("shift+up", "line(-1, True)"),
        _b("pagedown", "page(1)"),
        _b("pageup", "page(-1)"),
        _b("shift+pagedown", "page(1, True)"),
        _b("shift+pageup", "page(-1, True)"),
        _b("home", "ends(-1)"),
        _b("end", "ends(1)"),
        _b("shift+home", "ends(-1, True)"),
        _b("shift+end", "ends(1, True)"),
        _b("f9,u", "mark('underline')"),
        _b("f10,e", "mark('emphasis')"),
        _b("f11,h", "mark('highlight')"),
        _b("f12,x", "mark('clear')"),
        _b("c", "cycle_color"),
        _b("f3", "condense"),
        _b("alt+f3,s", "shrink"),
        _b("f7", "edit_tag"),
        _b("f8", "edit_cite"),
        _b("l", "edit_labels"),
        _b("ctrl+z", "undo"),
        _b("ctrl+y", "redo"),
        _b("ctrl+s", "save"),
        _b("q", "quit"),
    ]

    def __init__(
        self,
        library_root: Path,
        card_id: str,
        *,
        draft: Card | None = None,
        save_draft: SaveDraft | None = None,
    ) -> None:
        super().__init__()
        self.library_root = Path(library_root)
        config = load_config()
        self.wpm: int = config.wpm
        self.color: str = config.highlight
        self.template: str | None = config.cite_template or None
        self.opened: saving.Opened | None = None
        self.save_draft = save_draft
        if draft is None:
            self.opened = saving.load(self.library_root, card_id)
            draft = self.opened.card
        self.card: Card = draft
        self.saved_card: Card | None = self.opened.card if self.opened else None
        self.last_saved: saving.Opened | None = None
        self.undo_stack: list[Card] = []
        self.redo_stack: list[Card] = []
        self.notices: list[tuple[str, str]] = []  # (severity, message), newest last
        self._goal_x: int | None = None  # the column up/down keep to, as in a text editor
        self.view = CardView(self.card, id="card")

    def compose(self) -> ComposeResult:
        yield self.view
        yield Static(id="status")

    def on_mount(self) -> None:
        self.view.focus()
        self._refresh_status()
        if self.opened is None:  # a fresh cut: the tag and the cite come first
            self.action_edit_tag(then_cite=True)

    # -- state -----------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.card != self.saved_card

    @property
    def selection(self) -> tuple[int, int]:
        """The selected words, first and last (by index)."""
        a, b = self.view.anchor_word, self.view.cursor_word
        return min(a, b), max(a, b)

    def change(self, card: Card) -> None:
        """A new version of the card, undoable."""
        if card == self.card:
            return
        self.undo_stack.append(self.card)
        self.redo_stack.clear()
        self._show(card)

    def _show(self, card: Card) -> None:
        self.card = card
        self.view.show_card(
            card
        )  # the words stay the same (no key edits text): so does the selection
        self._refresh_status()

    def notice(self, message: str, severity: str = "information") -> None:
        self.notices.append((severity, message))
        self.notify(message, severity=severity)  # type: ignore[arg-type]
        self._refresh_status()

    def _refresh_status(self) -> None:
        card = self.card
        seconds = int(card.read_seconds(self.wpm))
        state = "unsaved changes" if self.dirty else "all saved"
        if self.opened is None:
            state = "draft, not saved yet"
        line = Text()
        line.append(f"{card.words_read} words read", style="bold")
        line.append(f"  ·  {seconds // 60}:{seconds % 60:02d} at {self.wpm} wpm  ·  ")
        fg = "white" if self.color.startswith("dark") or self.color in ("blue", "red") else "black"
        line.append(f" {self.color} ", style=f"{fg} on #{HIGHLIGHT_RGB[self.color].lower()}")
        line.append(f"  ·  {state}", style="bold red" if self.dirty else "")
        if card.labels:
            line.append("  ·  " + ", ".join(card.labels), style="cyan")
        line.append("\n" + KEYS, style="dim")
        self.query_one("#status", Static).update(line)

    # -- moving ----------------------------------------------------------------------------
    def on_card_view_dragged(self, message: CardView.Dragged) -> None:
        self.view.select(message.anchor_word, message.cursor_word)
        self._goal_x = None

    def action_move(self, step: int, extend: bool = False) -> None:
        words = len(self.view.words)
        if not words:
            return
        cursor = max(0, min(words - 1, self.view.cursor_word + step))
        self.view.select(self.view.anchor_word if extend else cursor, cursor)
        self._goal_x = None

    def action_line(self, step: int, extend: bool = False) -> None:
        view = self.view
        if not view.words:
            return
        here = view.line_index(view.cursor_word)
        target = max(0, min(view.line_count - 1, here + step))
        goal = view.cursor_x() if self._goal_x is None else self._goal_x
        if target == here:  # the first or last line: to its first or last word
            cursor = 0 if step < 0 else len(view.words) - 1
        else:
            cursor = view.word_on_line(target, goal)
        view.select(view.anchor_word if extend else cursor, cursor)
        self._goal_x = goal

    def action_page(self, step: int, extend: bool = False) -> None:
        """A screenful of lines up or down (the cursor keeps its column)."""
        view = self.view
        if not view.words:
            return
        here = view.line_index(view.cursor_word)
        rows = max(1, view.scrollable_content_region.height - 2)
        target = max(0, min(view.line_count - 1, here + step * rows))
        goal = view.cursor_x() if self._goal_x is None else self._goal_x
        cursor = view.word_on_line(target, goal)
        view.select(view.anchor_word if extend else cursor, cursor)
        self._goal_x = goal

    def action_ends(self, step: int, extend: bool = False) -> None:
        """The body's first or last word."""
        if self.view.words:
            cursor = 0 if step < 0 else len(self.view.words) - 1
            self.view.select(self.view.anchor_word if extend else cursor, cursor)
            self._goal_x = None

    # -- marking ---------------------------------------------------------------------------
    def _range(self) -> tuple[doc.Point, doc.Point] | None:
        if not self.view.words:
            self.notice("This card has no body to mark.", "warning")
            return None
        return doc.selection_range(self.view.words, self.view.anchor_word, self.view.cursor_word)

    def _body(self, body: doc.Body) -> None:
        self.change(self.card.model_copy(update={"body": body}))

    def action_mark(self, how: str) -> None:
        found = self._range()
        if found is None:
            return
        start, end = found
        body = self.card.body
        if how == "underline":
            self._body(doc.underline(body, start, end))
        elif how == "emphasis":
            self._body(doc.emphasis(body, start, end))
        elif how == "highlight":
            self._body(doc.highlight(body, start, end, self.color))
        elif how == "clear":
            self._body(doc.clear(body, start, end))

    def action_cycle_color(self) -> None:
        at = COLORS.index(self.color) if self.color in COLORS else -1
        self.color = COLORS[(at + 1) % len(COLORS)]
        self._refresh_status()

    def action_condense(self) -> None:
        found = self._range()
        if found is not None:
            self._body(doc.condense(self.card.body, found[0][0], found[1][0]))

    def action_shrink(self) -> None:
        if self._range() is not None:
            self._body(doc.shrink(self.card.body))

    # -- the tag, the cite, the labels -------------------------------------------------------
    def action_edit_tag(self, then_cite: bool = False) -> None:
        from evcards.tui.forms import TagForm

        def done(tag: str | None) -> None:
            if tag is not None:
                self.change(self.card.model_copy(update={"tag": tag}))
            if then_cite:
                self.action_edit_cite()

        self.app.push_screen(TagForm(self.card.tag), done)

    def action_edit_cite(self) -> None:
        from evcards.tui.citeform import CiteForm

        def done(cite: Any) -> None:
            if cite is not None:
                self.change(self.card.model_copy(update={"cite": cite}))

        self.app.push_screen(CiteForm(self.card.cite, self.template), done)

    def action_edit_labels(self) -> None:
        from evcards.tui.forms import LabelsForm

        def done(labels: list[str] | None) -> None:
            if labels is not None:
                self.change(self.card.model_copy(update={"labels": labels}))

        self.app.push_screen(LabelsForm(self.card.labels), done)

    # -- undo, save, quit ------------------------------------------------------------------
    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notice("Nothing to undo.")
            return
        self.redo_stack.append(self.card)
        self._show(self.undo_stack.pop())

    def action_redo(self) -> None:
        if not self.redo_stack:
            self.notice("Nothing to redo.")
            return
        self.undo_stack.append(self.card)
        self._show(self.redo_stack.pop())

    def action_save(self) -> bool:
        """Save; False (with an Error notice, nothing written) when it cannot."""
        try:
            if self.opened is None:
                assert self.save_draft is not None, "a draft needs save_draft"
                opened = saving.read(self.save_draft(self.card))
            else:
                opened = saving.save(self.library_root, self.opened, self.card)
        except EvcardsError as e:
            self.notice(f"Error: {' '.join(str(e).split())}", "error")
            return False
        self.opened = self.last_saved = opened
        # The card as stored (its new id; fixes a cut applies on saving): undo goes on from it.
        self.card = self.saved_card = opened.card
        self.view.show_card(opened.card)
        self.notice(f"Saved {opened.card.id[:8]}  {opened.path}")
        return True

    def action_quit(self) -> None:
        if not self.dirty and self.opened is not None:
            self.dismiss(self.last_saved)
            return
        from evcards.tui.forms import QuitQuestion

        def answer(choice: str | None) -> None:
            if choice == "discard" or (choice == "save" and self.action_save()):
                self.dismiss(self.last_saved)

        what = "This card has unsaved changes."
        if self.opened is None:
            what = "This draft is not saved yet."
        self.app.push_screen(QuitQuestion(what), answer)


class MarkApp(App["saving.Opened | None"]):
    """Only a MarkScreen: `evcards mark` (and `evcards cut` on a terminal)."""

    TITLE = "evcards mark"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "ask_quit", show=False, priority=True)]

    def __init__(
        self,
        library_root: Path,
        card_id: str,
        *,
        draft: Card | None = None,
        save_draft: SaveDraft | None = None,
    ) -> None:
        super().__init__()
        # Built here, not on mount, so that an unknown card is an error before the screen opens.
        self.mark_screen = MarkScreen(library_root, card_id, draft=draft, save_draft=save_draft)

    @classmethod
    def for_draft(cls, library_root: Path, draft: Card, save_draft: SaveDraft) -> MarkApp:
        return cls(library_root, "", draft=draft, save_draft=save_draft)

    def on_mount(self) -> None:
        self.push_screen(self.mark_screen, self.exit)

    def action_ask_quit(self) -> None:
        if self.screen is self.mark_screen:
            self.mark_screen.action_quit()
