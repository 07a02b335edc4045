"""Applying Verbatim's formatting helpers (evcards.core.transforms) to cards and library cards."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evcards.core import transforms
from evcards.core.models import Card
from evcards.store.library import Library


@dataclass
class Fixes:
    """Which helpers to run, in the order Verbatim users apply them."""

    condense: bool = False
    pilcrows: bool = False
    shrink: bool = False
    unhighlighted_underline_off: bool = False
    highlight_color: str | None = None

    def __bool__(self) -> bool:
        return bool(
            self.condense or self.shrink or self.unhighlighted_underline_off or self.highlight_color
        )

    def names(self) -> list[str]:
        out = []
        if self.condense:
            out.append("condense" + (" with pilcrows" if self.pilcrows else ""))
        if self.unhighlighted_underline_off:
            out.append("non-highlighted underlining off")
        if self.shrink:
            out.append("shrink")
        if self.highlight_color:
            out.append(f"highlight {self.highlight_color}")
        return out


def apply_fixes(card: Card, fixes: Fixes) -> Card:
    """The card with its body fixed; the id is kept (it names the card, as after `edit`)."""
    body = card.body
    if fixes.condense:
        body = transforms.condense(body, pilcrows=fixes.pilcrows)
    if fixes.unhighlighted_underline_off:
        body = transforms.unhighlighted_underline_off(body)
    if fixes.shrink:  # after underlining is settled, so it shrinks what is no longer read
        body = transforms.shrink(body)
    if fixes.highlight_color:
        body = transforms.standardize_highlight(body, fixes.highlight_color)
    if body == card.body:
        return card
    return card.model_copy(update={"body": body})


def fix_cards(lib: Library, refs: list[str], fixes: Fixes) -> list[tuple[Card, Path, bool]]:
    """Fix every card named: all are found and fixed before any is written, under the lock.

    Returns (card, path, changed) for each; analytics have no body and are left alone.
    """
    with lib.lock():
        found = [lib.resolve(ref) for ref in refs]
        planned = []
        for path, card in found:
            fixed = apply_fixes(card, fixes) if card.body else card
            planned.append((fixed, path, fixed != card))
        return [
            (card, lib.write(card, path) if changed else path, changed)
            for card, path, changed in planned
        ]
