"""How long cards take to read: words read (tag + highlighted words) at the user's WPM."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from evcards.core.models import Card


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


def totals(cards: Iterable[Card], wpm: int) -> Totals:
    rows = [card_stats(c, wpm) for c in cards]
    words = sum(r.words_read for r in rows)
    return Totals(len(rows), words, words * 60.0 / wpm, wpm)


def duration(seconds: float) -> str:
    """Read time as a debater says it: 1:05, or 1:02:05 past an hour."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def stats_report(cards: list[Card], wpm: int) -> dict[str, object]:
    """Per-card rows and the totals, as plain data for --json."""
    rows = [card_stats(c, wpm) for c in cards]
    return {
        "cards": [{**asdict(r), "seconds": round(r.seconds, 1)} for r in rows],
        "total": {**asdict(totals(cards, wpm)), "seconds": round(totals(cards, wpm).seconds, 1)},
    }


def summary_line(cards: list[Card], wpm: int) -> str:
    t = totals(cards, wpm)
    noun = "card" if t.cards == 1 else "cards"
    return f"{t.cards} {noun}, {t.words_read} words read, {duration(t.seconds)} at {wpm} wpm"
