"""How long cards take to read: words read (tag + highlighted words) at the user's WPM.

`library_stats` reads the catalog (evcards.index.catalog), not the card files: `stats` of a
big library costs a row of the catalog's totals (or, with other filters, one aggregate query)
and a screenful of rows, not a parse (or a row) per card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from evcards.core.models import Card
    from evcards.store.library import Library


class CardStats(NamedTuple):
    id: str
    short_cite: str
    tag: str
    words_read: int
    seconds: float


class Totals(NamedTuple):
    cards: int
    words_read: int
    seconds: float
    wpm: int


def card_stats(card: Card, wpm: int) -> CardStats:
    return CardStats(card.id, card.cite.short, card.tag, card.words_read, card.read_seconds(wpm))


class LibraryStats(NamedTuple):
    """Per-card rows (the CARDs named, or the first `limit` of the library) and the totals
    of every card chosen, which the rows may be only the start of."""

    rows: list[CardStats]
    totals: Totals

    @property
    def more(self) -> int:
        """Cards counted in the totals but not among the rows."""
        return self.totals.cards - len(self.rows)


def library_stats(
    library: Library,
    refs: Sequence[str] = (),
    labels: Iterable[str] = (),
    wpm: int = 250,
    limit: int | None = None,
) -> LibraryStats:
    """The CARDs named, in order (each once), or every card of the library, carrying every
    label in `labels`. Named cards are read from their files and each has a row; the library
    is read from the catalog, its totals as kept there (`reading_totals`) and rows only for
    the first `limit` cards by path (None: every card), so totals of a million cards cost no
    million rows."""
    wanted = set(labels)
    if refs:
        out: dict[str, CardStats] = {}
        for ref in refs:
            _, card = library.resolve(ref)
            if wanted <= set(card.labels):
                out.setdefault(card.id, card_stats(card, wpm))
        return LibraryStats(list(out.values()), totals_of(list(out.values()), wpm))
    if not library.root.is_dir():
        return LibraryStats([], totals_of([], wpm))
    from evcards.index.catalog import reading_totals
    from evcards.index.query import Filters

    found = reading_totals(library.root, Filters(labels=sorted(wanted)), limit=limit)
    rows = [
        CardStats(r.id, r.short_cite, r.tag, r.words_read, r.words_read * 60.0 / wpm)
        for r in found.rows
    ]
    return LibraryStats(rows, _totals(found.cards, found.words_read, wpm))


def _totals(cards: int, words: int, wpm: int) -> Totals:
    return Totals(cards, words, words * 60.0 / wpm, wpm)


def totals_of(rows: Sequence[CardStats], wpm: int) -> Totals:
    return _totals(len(rows), sum(r.words_read for r in rows), wpm)


def totals(cards: Iterable[Card], wpm: int) -> Totals:
    return totals_of([card_stats(c, wpm) for c in cards], wpm)


def duration(seconds: float) -> str:
    """Read time as a debater says it: 1:05, or 1:02:05 past an hour."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def stats_report(found: LibraryStats) -> dict[str, object]:
    """The rows and the totals, as plain data for --json."""
    return {
        "cards": [{**r._asdict(), "seconds": round(r.seconds, 1)} for r in found.rows],
        "total": {**found.totals._asdict(), "seconds": round(found.totals.seconds, 1)},
    }


def summary(t: Totals) -> str:
    noun = "card" if t.cards == 1 else "cards"
    return f"{t.cards} {noun}, {t.words_read} words read, {duration(t.seconds)} at {t.wpm} wpm"


def summary_line(cards: list[Card], wpm: int) -> str:
    return summary(totals_of([card_stats(c, wpm) for c in cards], wpm))
