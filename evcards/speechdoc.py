"""A speech as it is read and exported: the outline `speech show` prints, what is read
aloud, and the cards `speech export` writes, each card under the speech's own headings."""

from __future__ import annotations

from dataclasses import dataclass, field

from evcards.core.models import Card, Location, new_card, words
from evcards.core.outline import spoken_paragraphs
from evcards.errors import CardNotFound, InvalidSpeech
from evcards.exporting import ExportPlan, render, write_output
from evcards.store import speechfile
from evcards.store.library import Library
from evcards.store.speechfile import Analytic, Item, Speech


# -- showing ---------------------------------------------------------------------------------
@dataclass
class Row:
    """One item as `show` prints it: a card (`card`), an analytic (`id` None), or a card no
    longer in the library (`card` None, `id` set)."""

    number: int
    id: str | None
    tag: str
    short_cite: str
    words_read: int
    card: Card | None = field(default=None, repr=False)

    @property
    def missing(self) -> bool:
        return self.id is not None and self.card is None


@dataclass
class BlockView:
    heading: str
    hat: str
    rows: list[Row]

    @property
    def words_read(self) -> int:
        return sum(r.words_read for r in self.rows)


@dataclass
class SpeechView:
    name: str
    title: str
    wpm: int
    blocks: list[BlockView]

    @property
    def rows(self) -> list[Row]:
        return [r for b in self.blocks for r in b.rows]

    @property
    def words_read(self) -> int:
        return sum(b.words_read for b in self.blocks)

    @property
    def seconds(self) -> float:
        return self.words_read * 60.0 / self.wpm

    def seconds_of(self, block: BlockView) -> float:
        return block.words_read * 60.0 / self.wpm

    @property
    def missing(self) -> list[Row]:
        return [r for r in self.rows if r.missing]

    def as_json(self) -> dict[str, object]:
        """`id` is null for an analytic; `tag` and `short_cite` are null for a card that is
        no longer in the library (its `words_read` is then 0)."""

        def card(r: Row) -> dict[str, object]:
            gone = r.missing
            return {
                "id": r.id,
                "tag": None if gone else r.tag,
                "short_cite": None if gone else r.short_cite,
                "words_read": r.words_read,
            }

        return {
            "name": self.name,
            "title": self.title,
            "blocks": [
                {"heading": b.heading, "cards": [card(r) for r in b.rows]} for b in self.blocks
            ],
            "words_read": self.words_read,
            "seconds": round(self.seconds, 1),
        }


def view_speech(lib: Library, name: str, wpm: int) -> SpeechView:
    """The speech with each card read from the library (a card since removed is marked)."""
    speech, notes = speechfile.load(lib.root, name)
    number = 0
    blocks = []
    for block in speech.blocks:
        rows = []
        for item in block.items:
            number += 1
            rows.append(_row(lib, number, item, notes))
        blocks.append(BlockView(block.heading, block.hat, rows))
    return SpeechView(name, speech.title, wpm, blocks)


def _row(lib: Library, number: int, item: Item, notes: dict[str, str]) -> Row:
    if isinstance(item, Analytic):
        return Row(number, None, item.analytic, "", words(item.analytic))
    path = lib.path_of(item)
    if path is None:  # named from the comment the speech file keeps beside its id
        seen = notes.get(item, "")
        short, _, tag = seen.partition(" | ") if " | " in seen else ("", "", seen)
        return Row(number, item, tag, short, 0)
    card = lib.read(path)
    return Row(number, item, card.tag, card.cite.short, card.words_read, card)


def read_aloud(view: SpeechView) -> list[list[str]]:
    """What is read aloud, item by item, a paragraph a line: the tag, the short cite, the
    highlighted text; an analytic is its tag. Cards no longer in the library are left out."""
    out: list[list[str]] = []
    for row in view.rows:
        if row.card is not None:
            card = row.card
            out.append([p for p in (card.tag, card.cite.short) if p] + spoken_paragraphs(card))
        elif row.id is None:
            out.append([row.tag])
    return out


# -- exporting -------------------------------------------------------------------------------
def speech_cards(lib: Library, name: str) -> list[Card]:
    """The speech as export cards: each card copied with its location replaced by the
    speech's title (Pocket), the block's hat (Hat) and heading (Block), so that no heading
    comes from where the card was found; each analytic a tag with no body."""
    speech, notes = speechfile.load(lib.root, name)
    return _as_cards(lib, name, speech, notes)


def _as_cards(lib: Library, name: str, speech: Speech, notes: dict[str, str]) -> list[Card]:
    cards: list[Card] = []
    number = 0
    for block in speech.blocks:
        where = Location(pocket=speech.title, hat=block.hat, block=block.heading)
        for item in block.items:
            number += 1
            if isinstance(item, Analytic):
                cards.append(new_card(tag=item.analytic, kind="analytic", location=where))
                continue
            path = lib.path_of(item)
            if path is None:
                raise CardNotFound(_missing_card(name, number, item, notes.get(item, "")))
            cards.append(lib.read(path).model_copy(update={"location": where}))
    return cards


def _missing_card(name: str, number: int, card_id: str, seen_as: str) -> str:
    what = f"card {card_id}" + (f" ({seen_as})" if seen_as else "")
    return (
        f"speech {name}: item {number}, {what}, is no longer in the library;"
        f" `evcards speech drop {name} {number}` removes it from the speech, or import the"
        " card again"
    )


@dataclass
class Exported:
    cards: list[Card]
    data: bytes | str  # what was written to the plan's path, or is for stdout


def export_speech(
    lib: Library, name: str, plan: ExportPlan, *, read: bool = False, page_breaks: bool = True
) -> Exported:
    """The speech rendered in the plan's format and, when the plan names a file, written."""
    speech, notes = speechfile.load(lib.root, name)
    cards = _as_cards(lib, name, speech, notes)
    if not cards:
        raise InvalidSpeech(
            f"speech {name} has no items, so nothing was exported; add some with"
            f" `evcards speech add {name} CARD...`"
        )
    data = render(cards, plan.fmt, read=read, title=speech.title, page_breaks=page_breaks)
    if plan.path is not None:
        write_output(plan.path, data, plan.force)
    return Exported(cards, data)
