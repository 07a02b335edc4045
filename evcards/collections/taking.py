"""`evcards take`: collection cards copied into the library as card files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from evcards.collections.cards import FoundCard, find_card

if TYPE_CHECKING:
    from evcards.store.library import Library


class Taken(NamedTuple):
    found: FoundCard
    path: Path  # its file in the library
    status: str  # "added", or "already in the library"


def take(lib: Library, refs: list[str], labels: tuple[str, ...] = ()) -> list[Taken]:
    """Each card named (ids or prefixes, found by `find_card`) written into the library as
    the card file an import would write (`Library.add`, with `labels` added); a card the
    library already holds is reported and left as it is. Every ref is resolved before
    anything is written, so a typo writes nothing."""
    found = [find_card(lib, ref) for ref in refs]
    out: list[Taken] = []
    done: set[str] = set()
    with lib.lock():
        for item in found:
            if item.id in done:
                continue  # named twice
            done.add(item.id)
            held = lib.path_of(item.id)
            if held is not None:
                out.append(Taken(item, held, "already in the library"))
                continue
            card = item.card()
            if labels:
                card = card.model_copy(update={"labels": sorted(set(card.labels) | set(labels))})
            out.append(Taken(item, lib.add(card).path, "added"))
    return out
