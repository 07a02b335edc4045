"""What `evcards browse` finds and does, without Textual: the rows a query gives, and the actions
on one row (add to the current speech, label, take into the library). The screen in
evcards.tui.browse only shows these and turns their errors into notices; tests call them
directly too.

Every row says where its card is: the library (`LIBRARY`) or a collection (cards read
from someone else's files, searched beside the user's own: evcards.collections), whose
cards are read-only until `take` copies them into the library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from evcards.core.labels import fold, is_label
from evcards.errors import BadOption
from evcards.index.query import Filters
from evcards.store.library import Library

if TYPE_CHECKING:
    from evcards.core.models import Card
    from evcards.index.catalog import Listed
    from evcards.index.search import Hit

LIBRARY = "lib"  # a card of the library itself
LIMIT = 50  # rows a query shows, two screenfuls (searched with no snippets: the list shows none)
_LABEL_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Row:
    """One result: what the list shows, and the card file it stands for."""

    id: str
    short_cite: str
    tag: str
    words_read: int
    seen: int  # sightings, summed over the collapsed copies of the same cut
    path: Path
    labels: tuple[str, ...] = ()
    kind: str = "card"
    where: str = LIBRARY


def find(
    root: Path,
    query: str,
    filters: Filters | None = None,
    *,
    raw: bool = False,
    limit: int = LIMIT,
) -> list[Row]:
    """The best `limit` cards for `query` by evcards.index.search (which syncs the index with
    the card files first); no query: the newest cards the filters keep, as `evcards list`
    shows them. A bad raw query raises SearchQueryError, a missing library LibraryError."""
    filters = filters or Filters()
    rows: list[tuple[Listed | Hit, Path]]
    if not query.strip():
        from evcards.index.catalog import list_cards

        listing = list_cards(root, filters, limit=limit)
        rows = [(r, Path(r.path)) for r in listing.rows]
    else:
        from evcards.collections.places import names
        from evcards.collections.searching import search_all
        from evcards.index.search import search

        # Every cut: the results list shows no count of cuts (yet), so a grouped cut would
        # be hidden without a word. The library's and every collection's cards, when any is
        # built.
        hits = (search_all if names() else search)(
            root, query, filters, raw=raw, limit=limit, snippets=False, cuts="every"
        )
        rows = [(h, root / h.path if h.where == LIBRARY else Path(h.path)) for h in hits]
    return [
        Row(
            c.id,
            c.short_cite,
            c.tag,
            c.words_read,
            c.seen,
            path,
            tuple(c.labels),
            c.kind,
            getattr(c, "where", LIBRARY),
        )
        for c, path in rows
    ]


def read_card(lib: Library, row: Row) -> Card:
    """The row's card: its library file, or its collection's stored copy."""
    if row.where == LIBRARY:
        return lib.read(row.path)
    from evcards.collections.cards import find_card

    return find_card(lib, row.id).card()


# -- the current speech ----------------------------------------------------------------------
def current_speech(lib: Library) -> tuple[str, bool]:
    """The current speech (`evcards speech use`) and whether it has a block to add to;
    SpeechNotFound when there is none, InvalidSpeech when its file is broken."""
    from evcards.speeches import target
    from evcards.store import speechfile

    name = target(lib, None)
    return name, bool(speechfile.read(lib.root, name).blocks)


def add_to_speech(lib: Library, row: Row, block: str | None = None) -> str:
    """Add the row's card at the end of the current speech's last block (or of `block`, made
    when new), as `evcards speech add` does; what happened, as one line."""
    from evcards.speeches import add_items

    name, _ = current_speech(lib)
    ref = str(row.path) if row.where == LIBRARY else row.id  # a collection card is taken in
    done = add_items(lib, name, [ref], block=block)
    if done.skipped:
        return f"{name}: {done.skipped[0]}"
    new = " (new)" if done.created else ""
    return f"Added {row.id[:8]} to {name}, block '{done.block}'{new}: item {done.positions[0]}"


# -- labels ----------------------------------------------------------------------------------
def parse_labels(text: str) -> list[str]:
    """Labels as typed in the label box: separated by spaces or commas, each folded as
    `evcards tag -l` folds it (`Neg` -> `neg`); BadOption names one that is no label."""
    labels = []
    for word in _LABEL_SPLIT.split(text.strip()):
        if not word:
            continue
        if not is_label(word):
            raise BadOption(
                f"'{word}' is not a label: use letters, digits and - _ . + (like aff, neg, da)"
            )
        labels.append(fold(word))
    return sorted(set(labels))


def set_labels(lib: Library, row: Row, text: str) -> Row:
    """Give the row's card exactly the labels in `text` (see `parse_labels`): the ones typed
    are added, the ones left out removed, through `evcards tag`'s own function."""
    from evcards.cards import retag

    if row.where != LIBRARY:
        raise BadOption(f"{row.id[:8]} is in {row.where}, which is read-only: t takes it in")
    wanted = parse_labels(text)
    gone = [label for label in row.labels if label not in wanted]
    [(card, path)] = retag(lib, [str(row.path)], None, wanted, gone)
    return replace(row, labels=tuple(card.labels), path=path)


# -- taking a card in ------------------------------------------------------------------------
def take(lib: Library, row: Row) -> str:
    """Copy a collection card into the library; what happened, as one line. A library card
    is there already, so nothing is done and the line says so."""
    if row.where == LIBRARY:
        return f"{row.id[:8]} is not a collection card: it is in the library already"
    from evcards.collections.taking import take as take_cards

    [done] = take_cards(lib, [row.id])
    if done.status == "added":
        return f"Took {row.id[:8]} from {row.where} into the library: {done.path.name}"
    return f"{row.id[:8]} is in the library already: {done.path.name}"
