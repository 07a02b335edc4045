"""A card as `show` prints it, read from its file without the model when it can be.

Reading a card through the model loads pydantic and builds a Span per stretch of text, most
of `show`'s start-up. `read_shown` reads a plain card file with the index's fast readers
(`store.cardtoml`, `index.facts.facts_from_dict`, `core.markup_text.quick_pairs`) into a
`ShownCard`, what evcards.cli.render draws; `shown_from_card` makes the same from the model,
the reference, which any file the fast readers do not vouch for goes through.
tests/test_show.py checks that the two agree on generated cards and on the corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evcards.index.catalog import card_file

if TYPE_CHECKING:
    from evcards.core.models import Card
    from evcards.store.library import Library


def shown(lib: Library, ref: str) -> tuple[Path, ShownCard]:
    """`resolve` for `show`: the card as it is printed, read without the model when its file
    is plain (`read_shown`), else through it (`shown_from_card`), with the same errors."""
    path = card_file(lib.root, ref)
    if path is not None:
        view = read_shown(path) or shown_from_card(lib.read(path))
        if view.id.startswith(ref.strip().lower()):
            return path, view
    path, card = lib.resolve(ref)  # as `cards.resolve` after its catalog lookup
    return path, shown_from_card(card)


def shown_anywhere(lib: Library, ref: str) -> tuple[str, ShownCard, Card | None]:
    """`shown` across the library and every collection (`collections.find_card`: a prefix
    resolved over all of them): where the card is, how it is shown, and, for a collection
    card, the card itself (what `show --json` prints). Just `shown` when there are no
    collections."""
    from evcards.collections.places import names

    if not names():
        return "lib", shown(lib, ref)[1], None
    from evcards.collections.cards import find_card

    found = find_card(lib, ref)
    if found.where == "lib":
        return "lib", shown(lib, str(found.path))[1], None
    card = found.card()
    return found.where, shown_from_text(found.text) or shown_from_card(card), card


class Piece(NamedTuple):
    """A stretch of body text and its marks: a Span's fields, in `Marks`' order."""

    text: str
    underline: bool = False
    emphasis: bool = False
    box: bool = False
    highlight: str | None = None
    shading: str | None = None
    bold: bool = False
    italic: bool = False
    size: float | None = None

    @property
    def is_underlined(self) -> bool:
        return self.underline or self.emphasis


class ShownCite(NamedTuple):
    short: str
    full: str
    initials: str | None


class ShownLocation(NamedTuple):
    pocket: str
    hat: str
    block: str


class ShownCard(NamedTuple):
    """What `show` prints of a card (evcards.cli.render). `read_shown` reads it from a plain
    card file with the index's fast readers; `shown_from_card` makes it from the model, the
    reference (tests/test_show.py: the two agree on generated cards and the corpus)."""

    id: str
    kind: str
    tag: str
    undertag: str
    cite: ShownCite
    location: ShownLocation
    labels: tuple[str, ...]
    seen: int
    word_count: int
    words_read: int
    body: list[list[Piece]]

    def read_seconds(self, wpm: int) -> float:
        return self.words_read * 60.0 / wpm


def shown_from_card(card: Card) -> ShownCard:
    c, loc = card.cite, card.location
    return ShownCard(
        id=card.id,
        kind=card.kind,
        tag=card.tag,
        undertag=card.undertag,
        cite=ShownCite(c.short, c.full, c.initials),
        location=ShownLocation(loc.pocket, loc.hat, loc.block),
        labels=tuple(card.labels),
        seen=card.seen,
        word_count=card.word_count,
        words_read=card.words_read,
        body=[[Piece(s.text, *s.marks()) for s in para] for para in card.body],
    )


def read_shown(path: Path) -> ShownCard | None:
    """A card file as `show` prints it, when the fast readers vouch for it; None for any
    file they do not (unusual, or not a valid card: the model then says why)."""
    from evcards.limits import MAX_CARD_FILE_BYTES

    try:
        if path.stat().st_size > MAX_CARD_FILE_BYTES:
            return None
        return shown_from_text(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def shown_from_text(text: str) -> ShownCard | None:
    """`read_shown` of a card file's text: the TOML by `store.cardtoml`, checked as the model
    would by `index.facts.facts_from_dict`, the body cut by `core.markup_text.quick_pairs`."""
    from evcards.core.markup_text import NotPlain
    from evcards.index.facts import facts_from_dict
    from evcards.store.cardtoml import loads_card_toml

    try:
        data = loads_card_toml(text)
        f = facts_from_dict(data)
    except NotPlain:
        return None
    body: Any = data.get("body") or {}
    pieces = _plain_pieces(body.get("text", ""), body.get("highlight", "yellow"))
    if pieces is None:
        return None
    cite: Any = data.get("cite") or {}
    return ShownCard(
        id=f.id,
        kind=f.kind,
        tag=f.tag,
        undertag=str(data.get("undertag", "")),
        cite=ShownCite(f.short_cite, f.full_cite, cite.get("initials") or None),
        location=ShownLocation(f.pocket, f.hat, f.block),
        labels=f.labels,
        seen=f.seen,
        word_count=f.words,
        words_read=f.words_read,
        body=pieces,
    )


def _color(name: str) -> str | None:
    """`models.normalize_color`: a highlight colour in Word's spelling, else None."""
    from evcards.core.syntax import HIGHLIGHT_COLORS

    return next((c for c in HIGHLIGHT_COLORS if c.lower() == name.strip().lower()), None)


def _plain_pieces(text: str, highlight: str) -> list[list[Piece]] | None:
    """The canonical body (`markup.parse`, then the model's `normalize_body`) of markup that
    `quick_pairs` can cut, as pieces; None for any other."""
    from evcards.core.markup_text import quick_pairs
    from evcards.core.syntax import CONTROL_IN_MARKUP

    if "\\" in text:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    pairs = quick_pairs(
        CONTROL_IN_MARKUP.sub("", text), _color(highlight) or "yellow", _color, tuple
    )
    if pairs is None:
        return None
    body: list[list[Piece]] = []
    for para in pairs:
        merged: list[tuple[str, Any]] = []
        for piece, marks in para:  # as markup.parse_marked merges them
            if merged and merged[-1][1] == marks:
                merged[-1] = (merged[-1][0] + piece, marks)
            elif piece:
                merged.append((piece, marks))
        if merged and any(not t.isspace() for t, _ in merged):
            body.append([Piece(t, *marks) for t, marks in merged])
    return body
