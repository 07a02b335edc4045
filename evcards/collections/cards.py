"""A card by id or id prefix, wherever it is: the library or a collection.

`find_card` is the one lookup `show` and `take` use (and what `export`, `speech add` and the
TUI's `t` key are to use for collection ids): it resolves a prefix across the library and
every collection, and says where the card is and gives its TOML text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from evcards.collections import places
from evcards.errors import AmbiguousCard, CardNotFound

if TYPE_CHECKING:
    from evcards.core.models import Card
    from evcards.index.cuts import Cut
    from evcards.store.library import Library

_HEX = re.compile(r"[0-9a-f]{1,16}")


class FoundCard(NamedTuple):
    where: str  # "lib", or the collection's name
    id: str
    text: str  # the card's TOML text, as its file holds it (or would)
    path: Path | None  # the card file, for a library card
    source: str = ""  # a collection card's "FILE:ROW"

    def card(self) -> Card:
        from evcards.store.cardfile import loads

        return loads(self.text, str(self.path or f"{self.where}:{self.source}"))


def find_card(lib: Library, ref: str) -> FoundCard:
    """The card `ref` names (an id, an unambiguous id prefix, or a library card's file): the
    library's copy when it holds one. CardNotFound when nothing has it, AmbiguousCard naming
    the candidates and where each is when a prefix matches more than one card."""
    key = ref.strip().lower()
    found = collection_matches(key) if _HEX.fullmatch(key) else {}
    mine = _in_library(lib, ref, quiet=bool(found))
    ids = sorted(set(found) | ({mine.id} if mine else set()))
    if not ids:
        raise CardNotFound(
            f"no card with id '{ref}' in the library or any collection;"
            " `evcards search` and `evcards list` show the ids"
        )
    if len(ids) > 1:
        where = {i: found[i][0][0] for i in found} | ({mine.id: "lib"} if mine else {})
        shown = ", ".join(f"{i} ({where[i]})" for i in ids[:5]) + (" ..." if len(ids) > 5 else "")
        raise AmbiguousCard(
            f"id prefix '{ref}' matches {len(ids)} cards ({shown}); type more of the id"
        )
    if mine is not None:
        return mine
    name, source, text = found[ids[0]][0]
    return FoundCard(name, ids[0], text, None, source)


def _in_library(lib: Library, ref: str, quiet: bool) -> FoundCard | None:
    """The library's card `ref`; None when it has none and `quiet` (a collection has one)."""
    from evcards.index.catalog import card_file

    try:
        path = card_file(lib.root, ref) if lib.root.is_dir() else None
        if path is None:
            if quiet and not lib.root.is_dir():
                return None
            path, card = lib.resolve(ref)
            return FoundCard("lib", card.id, path.read_text(encoding="utf-8"), path)
    except CardNotFound:
        if quiet:
            return None
        raise
    from evcards.store.library import card_id_of

    card_id = card_id_of(path) or ""
    return FoundCard("lib", card_id, path.read_text(encoding="utf-8"), path)


Match = tuple[str, str, str]  # (collection, "FILE:ROW", TOML text)


def collection_matches(prefix: str) -> dict[str, list[Match]]:
    """Every collection card whose id starts with `prefix`, by id (a range on the catalog's
    id index of each collection; no full-text index opened)."""
    from evcards.collections.store import card_text
    from evcards.index.schema import INDEX_NAME, connect

    out: dict[str, list[Match]] = {}
    for name in places.names():
        build = places.current(name)
        if build is None:
            continue
        db = connect(build / INDEX_NAME)
        try:
            rows = db.execute(
                "SELECT card_id, path, key FROM cards WHERE card_id >= ? AND card_id < ?"
                " ORDER BY key LIMIT 50",
                (prefix, prefix + "g"),
            ).fetchall()
            for card_id, source, key in rows:
                if card_id not in out or all(m[0] != name for m in out[card_id]):
                    out.setdefault(card_id, []).append((name, source, card_text(db, key) or ""))
        finally:
            db.close()
    return out


def cuts_of(lib: Library, ref: str) -> list[Cut]:
    """The cuts of the card `ref` names (as `find_card` resolves it) in the place it is
    found: the library's groups, or its collection's (`evcards cuts`)."""
    from evcards.index.cuts import card_cuts, cuts_in
    from evcards.index.schema import INDEX_NAME, connect

    found = find_card(lib, ref)
    if found.where == places.LIBRARY:
        return card_cuts(lib.root, found.id)
    build = places.current(found.where)
    if build is None:
        raise CardNotFound(f"no card with id '{ref}': collection {found.where} is being rebuilt")
    db = connect(build / INDEX_NAME)
    try:
        row = db.execute(
            "SELECT key FROM cards WHERE card_id = ? ORDER BY key LIMIT 1", (found.id,)
        ).fetchone()
        return cuts_in(db, row[0], found.where, lambda path: path)
    finally:
        db.close()


def card_anywhere(lib: Library, ref: str) -> tuple[Card, FoundCard | None]:
    """The card `ref` names, the library's first (as `Library.resolve` finds it), else a
    collection's (`export` and `speech add` of collection ids): the card, and where it was
    found when it is not the library's."""
    try:
        return lib.resolve(ref)[1], None
    except CardNotFound:
        if not places.names():
            raise
    found = find_card(lib, ref)
    return found.card(), (found if found.where != places.LIBRARY else None)
