"""What every export format shares: the outline of a speech document and the cite line.

A speech document lists cards under Pocket > Hat > Block headings; a heading is written
when it changes from the previous card's, so cards filed together stay together under
one heading, in the order the user asked for them. `doc_order` is the order that gives
each imported file's cards the file's own headings again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations: `show` draws a cite line without loading pydantic
    from evcards.core.models import Card, Cite, Location, Source


@dataclass(frozen=True)
class Heading:
    """A Pocket (1), Hat (2) or Block (3) heading."""

    level: int
    text: str


# The Pocket over cards filed nowhere that follow filed ones: a document has no way to end a
# heading but another heading, and without one they would read as filed under the last.
UNFILED = "Unfiled"
_UNFILED_PLACE = (UNFILED, "", "")


def outline(cards: Iterable[Card], flat: bool = False) -> Iterator[Heading | Card]:
    """The cards with the headings their locations call for; flat=True ignores locations.

    A heading also ends every lower level, so a level that becomes empty is cleared by
    repeating the nearest heading above it; a card with no location after filed cards goes
    under an `UNFILED` Pocket.
    """
    previous = ("", "", "")
    for card in cards:
        if not flat:
            loc = (card.location.pocket, card.location.hat, card.location.block)
            yield from _headings(previous, loc)
            # Unfiled cards before the first heading need none; after one they need UNFILED.
            previous = loc if any(loc) or not any(previous) else _UNFILED_PLACE
        yield card


def _headings(previous: tuple[str, ...], loc: tuple[str, ...]) -> Iterator[Heading]:
    """The headings that take a document from `previous`'s place to `loc`'s."""
    changed = next((i for i in range(3) if loc[i] != previous[i]), None)
    if changed is None:
        return
    if not any(loc):
        if previous != _UNFILED_PLACE:
            yield Heading(1, UNFILED)
        return
    start = changed
    if not loc[changed]:
        start = max((k for k in range(changed) if loc[k]), default=changed)
    for level in range(start, 3):
        if loc[level]:
            yield Heading(level + 1, loc[level])


def by_sighting(card: Card) -> tuple[str, int]:
    """Where a card was first met: its first source file and position ('' for none)."""
    if not card.sources:
        return ("", -1)
    first = card.sources[0]
    return (first.file, _position(first))


def _position(source: Source) -> int:
    return source.position if source.position is not None else _UNKNOWN


_UNKNOWN = 1 << 62  # a sighting with no position goes after those with one


def doc_order(cards: Sequence[Card]) -> list[Card]:
    """The cards as the files they were imported from hold them: each file's cards together,
    in the file's own order, so that `outline` gives them the file's own headings.

    Files come in the order their first card comes in `cards` (for a query, the file of the
    best match first); cards from no file come first. A card met in several files is placed
    by the one holding the most of `cards` (a file exported alone keeps its order). Its
    location is where it was first met; placed by another file, it takes the location of
    the card before it there, rather than a heading from elsewhere in the middle.
    """
    counts = Counter(f for card in cards for f in {s.file for s in card.sources})
    files: dict[str, int] = {}
    placed: list[tuple[tuple[int, int, int], Source | None, Card]] = []
    for i, card in enumerate(cards):
        home = _home(card, counts)
        if home is None:
            placed.append(((-1, 0, i), None, card))
        else:
            rank = files.setdefault(home.file, len(files))
            placed.append(((rank, _position(home), i), home, card))
    placed.sort(key=lambda item: item[0])
    out: list[Card] = []
    previous: tuple[str | None, Location] | None = None
    for _, home, card in placed:
        file = home.file if home else None
        if home and card.sources[0].file != home.file and previous and previous[0] == file:
            card = card.model_copy(update={"location": previous[1]})
        out.append(card)
        previous = (file, card.location)
    return out


def _home(card: Card, counts: Counter[str]) -> Source | None:
    """The sighting a card is placed by: the first in the file with the most of the cards
    exported (ties: the file where it was first met)."""
    if not card.sources:
        return None
    best = max(card.sources, key=lambda s: counts[s.file])  # the first of equals
    return min((s for s in card.sources if s.file == best.file), key=_position)


def cite_segments(cite: Cite, initials: bool = True) -> list[tuple[str, bool]]:
    """The cite line as (text, is_short_cite) pieces; the short cite pieces are bolded.

    A full cite read from Word may be the whole cite line and hold the short cite, sometimes
    in pieces (`HiLA KEREN, Professor, '15` with KEREN and '15 in the Cite style): it is
    kept as it is, the pieces picked out. A full cite typed as text is what goes in the
    parentheses, so the line becomes `SHORT (FULL CITE) INITIALS`. The initials are added
    unless the line already ends with them (a cite paragraph read from Word holds them).
    """
    pieces = locate(cite.short, cite.full, 4 + len(cite.short) // 10) if cite.short else None
    out: list[tuple[str, bool]] = []
    if pieces is not None:
        at = 0
        for start, end in pieces:
            out += [(cite.full[at:start], False), (cite.full[start:end], True)]
            at = end
        out.append((cite.full[at:], False))
    elif cite.short:
        out = [(cite.short, True), (f" ({cite.full})" if cite.full else "", False)]
    elif cite.full:
        out = [(cite.full, False)]
    out = [seg for seg in out if seg[0]]
    text = "".join(seg[0] for seg in out)
    if text and initials and cite.initials and not ends_with_initials(text, cite.initials):
        if out[-1][1]:
            out.append((f" {cite.initials}", False))
        else:
            out[-1] = (f"{out[-1][0]} {cite.initials}", False)
    return out


def ends_with_initials(text: str, initials: str) -> bool:
    """'... Interest) ank' ends with 'ank'; so do '...//ank' and '..., ank).'"""
    return re.search(rf"(?<![^\W_]){re.escape(initials)}[\W_]*$", text) is not None


def locate(short: str, full: str, max_pieces: int = 4) -> list[tuple[int, int]] | None:
    """Where the words of `short` appear in `full`, as at most `max_pieces` pieces in order.

    Greedy, longest run of words first: 'Kang and Ma 18' in 'David Kang, ... Xinru Ma, 18'
    is three pieces, as a Verbatim user bolds them; Word's reader joins bolded pieces with a
    space, so pieces are whole words of the short cite and sit on word boundaries in `full`
    ('Meick 18' is not found in 'Ethan Meick, ..., 2018').
    """
    words = short.split()
    found: list[tuple[int, int]] = []
    at = 0
    while words:
        for n in range(len(words), 0, -1):
            i = _word_find(full, " ".join(words[:n]), at)
            if i >= 0:
                break
        else:
            return None
        end = i + len(" ".join(words[:n]))
        found.append((i, end))
        if len(found) > max_pieces:
            return None
        # Touching pieces would read back as one word: leave at least one character between.
        at, words = end + 1, words[n:]
    return found


def _word_find(full: str, piece: str, at: int) -> int:
    i = full.find(piece, at)
    while i >= 0:
        end = i + len(piece)
        if not (piece[0].isalnum() and i > 0 and full[i - 1].isalnum()) and not (
            piece[-1].isalnum() and end < len(full) and full[end].isalnum()
        ):
            return i
        i = full.find(piece, i + 1)
    return -1


def cite_line(cite: Cite) -> str:
    """The cite as one line of text, the cite line text import reads.

    A full cite that already is the whole cite paragraph (read from Word or a dataset, it
    begins with the short cite: `SHORT (FULL) INI`, `SHORT [FULL]`, `SHORT, FULL`) is written
    as the debater wrote it; any other goes in parentheses after the short cite. Text import
    reads either back to the same short cite and fields (a `SHORT [FULL]` paragraph comes
    back with the bracket's text as its full cite)."""
    if cite.short and cite.full.startswith(cite.short):
        line = cite.full
    elif cite.short:
        line = f"{cite.short} ({cite.full})" if cite.full else cite.short
    else:
        line = cite.full
    if cite.initials and not ends_with_initials(line, cite.initials):
        line = " ".join(p for p in (line, cite.initials) if p)
    return line


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
