"""How long cards take to read: words read (tag + highlighted words) at the user's WPM.

`library_stats` reads the catalog (evcards.index.catalog), not the card files: `stats` of a
big library costs a query, not a parse per card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evcards.core.models import Card
    from evcards.store.library import Library


@dataclass(frozen=True)
class CardStats:
    id: str
    short_cite: str
    tag: str
    words_read: int
    seconds: float


@dataclass(frozen=True)
class Totals:
    cards: int
    words_read: int
    seconds: float
    wpm: int


def card_stats(card: Card, wpm: int) -> CardStats:
    return CardStats(card.id, card.cite.short, card.tag, card.words_read, card.read_seconds(wpm))


def library_stats(
    library: Library, refs: Sequence[str] = (), labels: Iterable[str] = (), wpm: int = 250
) -> list[CardStats]:
    """The CARDs named, in order (each once), or every card of the library, carrying every
    label in `labels`; from the catalog (only named card files are read)."""
    wanted = set(labels)
    if refs:
        out: dict[str, CardStats] = {}
        for ref in refs:
            _, card = library.resolve(ref)
            if wanted <= set(card.labels):
                out.setdefault(card.id, card_stats(card, wpm))
        return list(out.values())
    if not library.root.is_dir():
        return []
    from evcards.index.catalog import list_cards
    from evcards.index.query import Filters

    rows = list_cards(library.root, Filters(labels=sorted(wanted)), sort="path").rows
    return [
        CardStats(r.id, r.short_cite, r.tag, r.words_read, r.words_read * 60.0 / wpm) for r in rows
    ]


def totals_of(rows: Sequence[CardStats], wpm: int) -> Totals:
    words = sum(r.words_read for r in rows)
    return Totals(len(rows), words, words * 60.0 / wpm, wpm)


def totals(cards: Iterable[Card], wpm: int) -> Totals:
    return totals_of([card_stats(c, wpm) for c in cards], wpm)


def duration(seconds: float) -> str:
    """Read time as a debater says it: 1:05, or 1:02:05 past an hour."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def stats_report(rows: Sequence[CardStats], wpm: int) -> dict[str, object]:
    """Per-card rows and the totals, as plain data for --json."""
    total = totals_of(rows, wpm)
    return {
        "cards": [{**asdict(r), "seconds": round(r.seconds, 1)} for r in rows],
        "total": {**asdict(total), "seconds": round(total.seconds, 1)},
    }


def summary_of(rows: Sequence[CardStats], wpm: int) -> str:
    t = totals_of(rows, wpm)
    noun = "card" if t.cards == 1 else "cards"
    return f"{t.cards} {noun}, {t.words_read} words read, {duration(t.seconds)} at {wpm} wpm"


def summary_line(cards: list[Card], wpm: int) -> str:
    return summary_of([card_stats(c, wpm) for c in cards], wpm)
