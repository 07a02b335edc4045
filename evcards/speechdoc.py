"""What every export format shares: the outline of a speech document and the cite line.

A speech document lists cards under Pocket > Hat > Block headings; a heading is written
when it changes from the previous card's, so cards filed together stay together under
one heading, in the order the user asked for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from evcards.models import Card, Cite


@dataclass(frozen=True)
class Heading:
    """A Pocket (1), Hat (2) or Block (3) heading."""

    level: int
    text: str


def outline(cards: Iterable[Card], flat: bool = False) -> Iterator[Heading | Card]:
    """The cards with the headings their locations call for; flat=True ignores locations."""
    previous = ("", "", "")
    for card in cards:
        if not flat:
            loc = (card.location.pocket, card.location.hat, card.location.block)
            for level in range(3):
                # A new pocket re-opens its hat and block even when their names repeat.
                if loc[level] and loc[: level + 1] != previous[: level + 1]:
                    yield Heading(level + 1, loc[level])
            previous = loc
        yield card


def cite_tail(cite: Cite) -> str:
    """What follows the short cite on the cite line: `(FULL CITE) INITIALS`.

    The parenthesised form is the one `evcards import` reads back from text, and the one
    Verbatim users write on one line after the bold short cite.
    """
    parts = []
    if cite.full:
        parts.append(f"({cite.full})")
    if cite.initials:
        parts.append(cite.initials)
    return " ".join(parts)


def cite_line(cite: Cite) -> str:
    return " ".join(p for p in (cite.short, cite_tail(cite)) if p)


def first_and_last(text: str, n: int = 15) -> str:
    """The cite-request form: the first and last `n` words joined by AND (all, if short)."""
    words = text.split()
    if len(words) <= 2 * n:
        return " ".join(words)
    return f"{' '.join(words[:n])} AND {' '.join(words[-n:])}"


def spoken_paragraphs(card: Card) -> list[str]:
    """Per paragraph, the highlighted text (stretches joined by a space); empty ones dropped."""
    out = []
    for para in card.body:
        runs: list[str] = []
        current: list[str] = []
        for span in para:
            if span.highlight is not None:
                current.append(span.text)
            elif current:
                runs.append("".join(current))
                current = []
        if current:
            runs.append("".join(current))
        text = " ".join(" ".join(r.split()) for r in runs if r.strip())
        if text:
            out.append(text)
    return out
