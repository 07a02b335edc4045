"""Cards as Rich text for the terminal: the only place that knows how a card looks there.

It draws a `ShownCard` (evcards.showing), which `show` reads without the model; a Card is
drawn as the ShownCard made of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from evcards.core.outline import cite_segments
from evcards.core.syntax import HIGHLIGHT_RGB
from evcards.showing import Piece, ShownCard, shown_from_card

if TYPE_CHECKING:  # Rich loads when a card is drawn through it: cli.plain draws it without
    from rich.console import Group as RichGroup
    from rich.text import Text

    from evcards.core.models import Card, Cite, Span

# Light highlight colours get black text, dark ones white, as Word shows them.
_DARK = {
    "blue",
    "red",
    "darkBlue",
    "darkCyan",
    "darkGreen",
    "darkMagenta",
    "darkRed",
    "darkYellow",
    "darkGray",
    "black",
}


def span_style(span: Span | Piece, color: bool = True) -> str:
    """Rich style of a span; color=False (NO_COLOR) shows a highlight in reverse video, since
    without its background colour highlighted text looked just like underlined text."""
    parts = []
    if span.emphasis or span.bold:
        parts.append("bold")
    if span.is_underlined:
        parts.append("underline")
    if span.italic:
        parts.append("italic")
    if span.size is not None and span.size < 11 and not span.highlight:
        parts.append("dim")
    if span.highlight and not color:
        parts.append("reverse")
    elif span.highlight:
        fg = "white" if span.highlight in _DARK else "black"
        parts.append(f"{fg} on #{HIGHLIGHT_RGB[span.highlight].lower()}")
    elif span.shading:
        parts.append(f"on #{span.shading.lower()}")
    return " ".join(parts)


def body_text(card: ShownCard, read_only: bool = False, color: bool = True) -> list[Text]:
    from rich.text import Text

    paragraphs = []
    for para in card.body:
        text = Text()
        for span in para:
            if read_only and not span.highlight:
                if text.plain and not text.plain.endswith(" "):
                    text.append(" ")
                continue
            text.append(span.text, style=span_style(span, color))
        text.rstrip()  # the gap left for unread text at the end, invisible but copied along
        if text.plain.strip():
            paragraphs.append(text)
    return paragraphs


def cite_text(card: ShownCard | Card) -> Text:
    # The same pieces the exports write: a cite line read from Word stays as it was, with its
    # short cite bold in place, rather than `Baird 20 (Zoë Baird 20, ...)`.
    from rich.text import Text

    text = Text()
    for piece, is_short in cite_segments(cast("Cite", card.cite), initials=False):
        text.append(piece, style="bold" if is_short else "")
    if card.cite.initials and card.cite.initials not in card.cite.full:
        text.append(" " + card.cite.initials, style="dim")
    return text


def header_texts(card: ShownCard | Card, no_tag: str) -> list[Text]:
    """What `show` prints above the body: where it is filed, the tag (`no_tag` when it has
    none), undertag and cite; `mark` draws the same above its body."""
    from rich.text import Text

    items: list[Text] = []
    loc = " > ".join(p for p in (card.location.pocket, card.location.hat, card.location.block) if p)
    if loc:
        items.append(Text(loc, style="dim"))
    items.append(Text(card.tag or no_tag, style="bold"))
    if card.undertag:
        items.append(Text(card.undertag, style="italic"))
    if card.kind == "card" and (card.cite.short or card.cite.full):
        items.append(cite_text(card))
    return items


def card_renderable(
    found: ShownCard | Card, wpm: int, read_only: bool = False, color: bool = True
) -> RichGroup:
    from rich.console import Group as RichGroup
    from rich.text import Text

    card = found if isinstance(found, ShownCard) else shown_from_card(found)
    items = header_texts(card, '(no tag: evcards tag CARD "...")')
    items.extend(_spaced_body(body_text(card, read_only, color), read_only))
    items.append(Text(""))
    items.append(Text(footer(card, wpm), style="dim"))
    return RichGroup(*items)


def _spaced_body(body: list[Text], read_only: bool) -> list[Text]:
    """The body after a blank line, its paragraphs apart (run together when read aloud)."""
    from rich.text import Text

    items = [Text("")] if body else []
    for i, para in enumerate(body):
        items.append(para)
        if i < len(body) - 1 and not read_only:
            items.append(Text(""))
    return items


def footer(card: ShownCard, wpm: int) -> str:
    """id, size, words read and read time, labels, sightings."""
    seconds = card.read_seconds(wpm)
    # An analytic is read from its tag: "0 words · 34 read" looked like a counting bug.
    size = "analytic" if card.kind == "analytic" else f"{card.word_count} words"
    text = (
        f"{card.id[:8]}  ·  {size}  ·  {card.words_read} read  ·  "
        f"{int(seconds // 60)}:{int(seconds % 60):02d} at {wpm} wpm"
    )
    if card.labels:
        text += "  ·  " + ", ".join(card.labels)
    if card.seen > 1:
        text += f"  ·  seen {card.seen}×"
    return text
