"""The card full screen, as `evcards show` draws it (cli/render.py's styles), with a word
cursor and a selection; only the lines on screen are drawn (Textual's line API), so a
5,000-word card moves its cursor as quickly as a short one."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from evcards.cli import render
from evcards.cli.render import span_style
from evcards.core.models import Card, Marks, Span
from evcards.tui import document as doc
from evcards.tui.document import Line, Word

_SELECTED = Style(reverse=True)
_CURSOR = Style(reverse=True, bold=True)


def header_texts(card: Card) -> list[Text]:
    """What `show` prints above the body: where it is filed, the tag, undertag and cite."""
    return render.header_texts(card, "(no tag: F7 writes one)")


class CardView(ScrollView, inherit_bindings=False):
    """The card; the keys are the screen's (MarkScreen), the mouse selects words here."""

    ALLOW_SELECT = False  # Textual's own text selection would fight the word selection
    DEFAULT_CSS = """
    CardView { overflow-x: hidden; scrollbar-gutter: stable; padding: 0 1; }
    """

    class Dragged(Message):
        """The mouse put the selection on words anchor..cursor_word."""

        def __init__(self, anchor: int, cursor: int) -> None:
            super().__init__()
            self.anchor_word = anchor
            self.cursor_word = cursor

    def __init__(self, card: Card, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.card = card
        self.words: list[Word] = []
        self.anchor_word = self.cursor_word = 0
        self._texts: list[str] = []
        self._offsets: list[list[int]] = []
        self._rows: list[Strip | Line] = []
        self._body_lines: list[Line] = []
        self._row_of_line: list[int] = []
        self._firsts: list[int] = []
        self._styles: dict[tuple[Marks, Style | None], Style] = {}
        self._drag_anchor: int | None = None
        self._index_body()

    # -- state -----------------------------------------------------------------------------
    def show_card(self, card: Card) -> None:
        """A new version of the card (marks, tag, cite): laid out again only when its text or
        its header changed, since marks never move a word."""
        old = self.card
        self.card = card
        if card.body is not old.body:
            self._index_body()
        if card.paragraphs != self._texts or header_texts(old) != header_texts(card):
            self._layout()
        self.refresh()

    def select(self, anchor: int, cursor: int) -> None:
        self.anchor_word, self.cursor_word = anchor, cursor
        self.refresh()
        self.scroll_to_cursor()

    def _index_body(self) -> None:
        self.words = doc.words_of(self.card.body)
        self._offsets = []
        for para in self.card.body:
            starts, pos = [], 0
            for span in para:
                starts.append(pos)
                pos += len(span.text)
            self._offsets.append(starts)

    # -- layout ----------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._layout()

    def _layout(self) -> None:
        width = max(self.scrollable_content_region.width, 20)
        self._texts = self.card.paragraphs
        console = Console(width=width, color_system="truecolor", legacy_windows=False)
        rows: list[Strip | Line] = []
        for head in header_texts(self.card):
            for part in head.wrap(console, width):
                rows.append(Strip(list(part.render(console)), part.cell_len))
        wrapped = doc.wrap(self._texts, self.words, width)
        self._body_lines, self._row_of_line = [], []
        for para_lines in wrapped:
            if not para_lines:
                continue
            rows.append(Strip.blank(0))
            for line in para_lines:
                self._row_of_line.append(len(rows))
                self._body_lines.append(line)
                rows.append(line)
        self._rows = rows
        self._firsts = [line.first for line in self._body_lines]
        self.virtual_size = Size(width, len(rows))

    def line_index(self, word: int) -> int:
        return max(0, bisect_right(self._firsts, word) - 1)

    def word_on_line(self, line_index: int, x: int) -> int:
        line = self._body_lines[line_index]
        return doc.nearest_word(self._texts[line.para], line, self.words, x)

    def cursor_x(self) -> int:
        if not self.words or not self._body_lines:
            return 0
        line = self._body_lines[self.line_index(self.cursor_word)]
        return doc.x_of(self._texts[line.para], line, self.words[self.cursor_word])

    @property
    def line_count(self) -> int:
        return len(self._body_lines)

    def scroll_to_cursor(self) -> None:
        if not self.words or not self._body_lines:
            return
        row = self._row_of_line[self.line_index(self.cursor_word)]
        self.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True)

    # -- drawing ---------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self._rows):
            return Strip.blank(width, base)
        item = self._rows[row]
        strip = item if isinstance(item, Strip) else self._body_strip(item)
        return strip.apply_style(base).crop_extend(scroll_x, scroll_x + width, base)

    def _style(self, span: Span, over: Style | None) -> Style:
        key = (span.marks(), over)
        style = self._styles.get(key)
        if style is None:
            style = Style.parse(span_style(span) or "none")
            if over is not None:
                style = style + over
            self._styles[key] = style
        return style

    def _body_strip(self, line: Line) -> Strip:
        text = self._texts[line.para]
        spans = self.card.body[line.para]
        starts = self._offsets[line.para]
        cuts = {line.start, line.end}
        sel, cur = self._marked_ranges(line.para)
        for a, b in (sel, cur):
            cuts.update(c for c in (a, b) if line.start < c < line.end)
        k = bisect_right(starts, line.start) - 1
        for s in starts[k + 1 :]:
            if s >= line.end:
                break
            cuts.add(s)
        points = sorted(cuts)
        segments = []
        for a, b in zip(points, points[1:], strict=False):
            while k + 1 < len(starts) and starts[k + 1] <= a:
                k += 1
            over = _CURSOR if cur[0] <= a < cur[1] else _SELECTED if sel[0] <= a < sel[1] else None
            segments.append(Segment(text[a:b], self._style(spans[k], over)))
        return Strip(segments)

    def _marked_ranges(self, para: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """The selection's and the cursor word's character ranges within one paragraph."""
        if not self.words:
            return (0, 0), (0, 0)
        (p0, a), (p1, b) = doc.selection_range(self.words, self.anchor_word, self.cursor_word)
        sel = (a if para == p0 else 0, b if para == p1 else 1 << 30) if p0 <= para <= p1 else (0, 0)
        w = self.words[self.cursor_word]
        cur = (w.start, w.end) if w.para == para else (0, 0)
        return sel, cur

    # -- the mouse -------------------------------------------------------------------------
    def _word_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset_capture(self)
        row = offset.y + self.scroll_offset.y
        if not self._row_of_line:
            return None
        k = max(0, bisect_right(self._row_of_line, row) - 1)
        if row < self._row_of_line[0]:
            k = 0
        return self.word_on_line(k, offset.x)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        word = self._word_at(event)
        if word is None:
            return
        self._drag_anchor = word
        self.capture_mouse()
        self.post_message(self.Dragged(word, word))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None:
            return
        word = self._word_at(event)
        if word is not None:
            self.post_message(self.Dragged(self._drag_anchor, word))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_anchor is None:
            return
        word = self._word_at(event)
        if word is not None:
            self.post_message(self.Dragged(self._drag_anchor, word))
        self._drag_anchor = None
        self.release_mouse()
