"""Applying Verbatim's formatting helpers (evcards.core.transforms) to cards and library cards,
and re-reading stored cites into their fields (evcards.core.citeline)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evcards.core import transforms
from evcards.core.citeline import reparsed
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
    cites: bool = False  # the cite's fields parsed again from its paragraph; the body untouched

    def __bool__(self) -> bool:
        return self.cites or self.touches_body()

    def touches_body(self) -> bool:
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
        if self.cites:
            out.append("cites")
        return out


def apply_fixes(card: Card, fixes: Fixes) -> Card:
    """The card with its body (and with `cites`, its cite) fixed; the id is kept (it names the
    card, as after `edit`). Analytics have no body and are left alone."""
    fixed = card
    if fixes.touches_body() and card.body:
        fixed = _fix_body(fixed, fixes)
    if fixes.cites and (card.cite.short or card.cite.full):
        cite = reparsed(card.cite)
        if cite != card.cite:
            fixed = fixed.model_copy(update={"cite": cite})
    return fixed


def _fix_body(card: Card, fixes: Fixes) -> Card:
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
    """Fix every card named (no names: every card in the library): all are found and fixed
    before any is written, under the lock, so an unknown card or a bad file writes nothing.

    Returns (card, path, changed) for each.
    """
    with lib.lock():
        found = [lib.resolve(ref) for ref in refs] if refs else list(lib.cards())
        planned = []
        for path, card in found:
            fixed = apply_fixes(card, fixes)
            planned.append((fixed, path, fixed != card))
        return [
            (card, lib.write(card, path) if changed else path, changed)
            for card, path, changed in planned
        ]
