"""Loading a card to mark and saving it back: the file is replaced only when it is still what
was loaded, so an edit made meanwhile (an editor, another evcards) is never overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evcards.core.models import Card, content_key
from evcards.errors import EvcardsError, InvalidCard
from evcards.store import cardfile
from evcards.store.library import Library


class CardChanged(EvcardsError):
    """The card file changed on disk (or went) while it was open in `mark`."""


@dataclass(frozen=True)
class Opened:
    """A card as read from its file: the path, the exact text read, and the card."""

    path: Path
    text: str
    card: Card


def load(library_root: Path, card_id: str) -> Opened:
    """The card `card_id` names (an id, an unambiguous prefix or a card file, as
    `Library.resolve` takes them), with the text it was read from."""
    lib = Library.open(library_root)
    path, _ = lib.resolve(card_id)
    return read(path)


def read(path: Path) -> Opened:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidCard(f"{path}: no such card file") from None
    return Opened(path, text, cardfile.loads(text, str(path)))


def with_id(card: Card) -> Card:
    """The card with the id its content gives (marks count: a newly marked card is a new id)."""
    key = content_key(card.body, card.tag, card.cite, card.kind)
    return card if key == card.id else card.model_copy(update={"id": key})


def save(library_root: Path, opened: Opened, card: Card) -> Opened:
    """Write `card` over the file `opened` came from, under its new name when its id changed
    (the old file renamed, then replaced atomically: `Library.write`). Refused with
    CardChanged, writing nothing, when the file is no longer the text that was loaded."""
    lib = Library.open(library_root)
    card = with_id(card)
    with lib.lock():
        try:
            now = opened.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            now = None
        if now != opened.text:
            what = "was deleted" if now is None else "changed on disk"
            raise CardChanged(
                f"{opened.path} {what} since it was opened; nothing was saved. Quit without"
                " saving and open the card again to mark the file as it is now"
            )
        other = lib.path_of(card.id)
        if other is not None and other.resolve() != opened.path.resolve():
            raise InvalidCard(
                f"marked like this the card is {card.id[:8]}, which the library already has"
                f" ({other}); nothing was saved"
            )
        path = lib.write(card, opened.path)
    return read(path)
